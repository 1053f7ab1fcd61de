//! Store tests on a temporary file (not only in memory): migrations from empty, paging,
//! de-duplication, delivery states, the outbox, unread counts, search, persistence.

use super::*;
use crate::migrations;
use hallway_model::{DeliveryState, Direction, Message, NewMessage, Placement};

const ACC: &str = "alice@localhost";

fn msg(peer: &str, dir: Direction, body: &str, origin: &str) -> NewMessage {
    NewMessage {
        peer: peer.into(),
        direction: dir,
        sender: if dir == Direction::Incoming {
            peer.into()
        } else {
            ACC.into()
        },
        body: body.into(),
        timestamp: 1_700_000_000_000,
        state: if dir == Direction::Incoming {
            DeliveryState::Received
        } else {
            DeliveryState::Pending
        },
        origin_id: origin.into(),
        stanza_id: None,
        stanza_xml_id: None,
        markable: true,
        wants_receipt: true,
        placement: Placement::Append,
        attachment: None,
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("nested/hallway.sqlite3")).unwrap();
    (dir, store)
}

mod archive;
mod attachments;
mod contacts;
mod messages;
mod outbox;
mod read_state;
mod rooms;
mod schema;
mod search;
mod settings;
