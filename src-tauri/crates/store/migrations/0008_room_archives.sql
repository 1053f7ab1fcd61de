-- 0008: rooms have archives of their own (XEP-0313 against the room's JID). A gap left by a
-- room's bounded catch-up belongs to that room only; our own archive's gaps (peer NULL) belong
-- to every chat and to no room.
ALTER TABLE archive_gaps ADD COLUMN peer TEXT;
