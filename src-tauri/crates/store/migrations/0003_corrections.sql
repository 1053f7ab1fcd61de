-- 0003: XEP-0308 corrections replace a message's text in place (the FTS index follows through
-- the update trigger, so search finds the latest text); the UI marks such messages "edited".
ALTER TABLE messages ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
