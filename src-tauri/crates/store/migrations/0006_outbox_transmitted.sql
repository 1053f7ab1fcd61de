-- 0006: when an outbox row was last handed to a stream (ms; NULL: never). After a failed
-- XEP-0198 resumption, a row transmitted but never acknowledged may already be on the server:
-- the archive (XEP-0313) is asked before it goes out again, so no receiver gets it twice.
ALTER TABLE messages ADD COLUMN transmitted_at INTEGER;
-- Bodies never hold U+0002 / U+0003: search results use them to mark matches.
UPDATE messages SET body = replace(replace(body, char(2), ''), char(3), '')
    WHERE instr(body, char(2)) > 0 OR instr(body, char(3)) > 0;
