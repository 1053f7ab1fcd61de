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
