-- 0002: server archive sync (XEP-0313), displayed markers (XEP-0333), time-ordered history.

-- The stanza `id` attribute: XEP-0333 markers and XEP-0184 receipts name a message by it.
ALTER TABLE messages ADD COLUMN xml_id TEXT;
-- The sender asked for XEP-0333 markers.
ALTER TABLE messages ADD COLUMN markable INTEGER NOT NULL DEFAULT 0;
-- The sender asked for a XEP-0184 receipt (sent again after we lose a session).
ALTER TABLE messages ADD COLUMN wants_receipt INTEGER NOT NULL DEFAULT 0;

-- History is shown in conversation order, `ord` (µs-scale, then row id): older pages fetched from
-- the archive get higher row ids than newer messages already stored, and archive stamps have
-- whole-second precision, so neither row id nor `ts` alone orders a conversation. Live arrivals
-- go after everything, older pages before, gap fills just below the gap's newer edge.
ALTER TABLE messages ADD COLUMN ord INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET ord = ts * 1000;
DROP INDEX messages_by_conversation;
CREATE INDEX messages_by_order ON messages (account, peer, ord, id);

-- Newest archive id we hold for an account: the next catch-up asks for what came after it.
-- `newest_ts` is its time (ms) by the server's clock when known, else ours.
CREATE TABLE archive_sync (
    account   TEXT PRIMARY KEY,
    newest_id TEXT NOT NULL,
    newest_ts INTEGER NOT NULL
) WITHOUT ROWID;

-- Ranges of the archive (all conversations) we know exist but have not fetched: a catch-up
-- that stopped at its bound leaves one between the old newest message and the oldest fetched.
-- `first_row_id`: the first message row the cut-short catch-up stored; a conversation's gap is
-- filled below its oldest message from there (times alone mix clocks and whole-second stamps).
CREATE TABLE archive_gaps (
    id           INTEGER PRIMARY KEY,
    account      TEXT    NOT NULL,
    start_ts     INTEGER NOT NULL,
    end_ts       INTEGER NOT NULL,
    first_row_id INTEGER NOT NULL DEFAULT 0
);
-- Per conversation, how far a gap has been filled (from its end backwards): the conversation's
-- part of the gap still missing is [start_ts, remaining_end_ts]; filled when they meet.
-- `anchor_ord` is the place of the oldest message filled so far (the next page goes below it).
CREATE TABLE archive_gap_fills (
    gap_id           INTEGER NOT NULL REFERENCES archive_gaps (id) ON DELETE CASCADE,
    peer             TEXT    NOT NULL,
    remaining_end_ts INTEGER NOT NULL,
    anchor_ord       INTEGER,
    PRIMARY KEY (gap_id, peer)
) WITHOUT ROWID;

-- Conversations whose local history reaches back to the start of the server archive: scrolling
-- further up asks nobody.
CREATE TABLE archive_complete (
    account TEXT NOT NULL,
    peer    TEXT NOT NULL,
    PRIMARY KEY (account, peer)
) WITHOUT ROWID;
