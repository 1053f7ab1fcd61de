-- What we remember about contacts between sessions: their avatar (XEP-0084 / XEP-0153 hash of a
-- file in the avatar cache) and when they were last seen online (XEP-0012 or seen going offline).
CREATE TABLE contact_info (
    account   TEXT    NOT NULL,
    jid       TEXT    NOT NULL,
    avatar    TEXT,
    last_seen INTEGER,
    PRIMARY KEY (account, jid)
) WITHOUT ROWID;
