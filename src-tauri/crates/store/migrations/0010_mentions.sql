-- 0010: a room message that names us (our nickname as a word, XEP-0045 rooms) is a mention:
-- highlighted in the room, counted apart, and what a room set to "Mentions" counts as unread.
ALTER TABLE messages ADD COLUMN mention INTEGER NOT NULL DEFAULT 0;
