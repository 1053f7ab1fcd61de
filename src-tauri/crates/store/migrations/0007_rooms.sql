-- 0007: rooms (XEP-0045 group chat). A room's messages live in `messages` like a chat's, with
-- the room's bare JID as `peer` and the author's occupant JID (room@service/nick) as `sender`.

-- The rooms this account is in (or was asked to join), mirrored from the bookmarks (XEP-0402):
-- joined again after a restart without waiting for the server.
CREATE TABLE rooms (
    account  TEXT    NOT NULL,
    room     TEXT    NOT NULL,               -- the room's bare JID
    name     TEXT,                           -- its name (disco identity, bookmark), when known
    nick     TEXT    NOT NULL,               -- our nickname in it
    autojoin INTEGER NOT NULL DEFAULT 1,
    notify   TEXT    NOT NULL DEFAULT 'mentions' CHECK (notify IN ('all', 'mentions', 'nothing')),
    subject  TEXT,
    -- 0 once left: its history stays (and is no stranger's message request), the room is not
    -- listed or joined until the user joins it again.
    joined   INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (account, room)
) WITHOUT ROWID;

-- Stanza-ids are unique per archive: our server's for chats, each room's own for its messages
-- (XEP-0359 §4, `by`). One room cannot collide with (or shadow) another archive's ids.
DROP INDEX messages_dedupe_stanza_id;
CREATE UNIQUE INDEX messages_dedupe_stanza_id ON messages (account, peer, stanza_id)
    WHERE stanza_id IS NOT NULL;
