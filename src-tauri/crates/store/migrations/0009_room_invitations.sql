-- 0009: invitations to rooms (XEP-0249 direct, XEP-0045 §7.8.2 mediated), kept until the user
-- joins or declines (one per room: a newer invitation to the same room replaces the older).
-- A room's password is never stored here.
CREATE TABLE room_invitations (
    account     TEXT    NOT NULL,
    room        TEXT    NOT NULL,
    inviter     TEXT    NOT NULL,
    reason      TEXT,
    mediated    INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (account, room)
) WITHOUT ROWID;

-- When a room was last caught up (ms): a room we were in that said nothing has no archive id of
-- ours to catch up after; its archive is read from this time instead of only its newest page.
ALTER TABLE rooms ADD COLUMN caught_up_at INTEGER;
