-- 0001: messages (history + outbox), full-text index, settings, pinned certificates.

-- Every message of every account, incoming and outgoing. Outgoing rows are written before the
-- stanza is sent (state 'pending'): the table doubles as the outbox.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    account     TEXT    NOT NULL,
    peer        TEXT    NOT NULL,               -- conversation: contact's bare JID
    direction   TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    sender      TEXT    NOT NULL,               -- author's bare JID
    body        TEXT    NOT NULL,
    ts          INTEGER NOT NULL,               -- ms since epoch
    state       TEXT    NOT NULL,               -- pending | sent | delivered | failed | received
    origin_id   TEXT    NOT NULL,               -- XEP-0359 origin-id (or stanza id / generated)
    stanza_id   TEXT,                           -- XEP-0359 stanza-id by our server (MAM id)
    unread      INTEGER NOT NULL DEFAULT 0
);
-- De-duplication on arrival: the same author never reuses an origin-id in a conversation.
CREATE UNIQUE INDEX messages_dedupe_origin ON messages (account, peer, sender, origin_id);
-- De-duplication by the server-assigned archive id (carbons, MAM re-fetch).
CREATE UNIQUE INDEX messages_dedupe_stanza_id ON messages (account, stanza_id) WHERE stanza_id IS NOT NULL;
-- Paging a conversation newest-first by row id.
CREATE INDEX messages_by_conversation ON messages (account, peer, id);
-- The outbox: what still has to go out after a reconnect or restart.
CREATE INDEX messages_pending ON messages (account, id) WHERE state = 'pending';
-- Unread counts per conversation.
CREATE INDEX messages_unread ON messages (account, peer) WHERE unread = 1;

-- Full-text search; diacritics-insensitive (remove_diacritics 2), external content.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

-- Small app settings (saved account, chosen presence), as JSON values.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Certificates the user explicitly trusted, per account (SHA-256 of the DER, hex with colons).
CREATE TABLE pinned_certificates (
    account     TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    pinned_at   INTEGER NOT NULL
) WITHOUT ROWID;
