//! The one place a message we author is written: text, a file waiting for its upload, a file
//! offered straight to a device. The row is stored (state `pending`) before any byte goes out;
//! the UI hears of it once, through `MessagesReceived` (the commands return only its id); the
//! session is told the outbox changed when the row may go now.

use hallway_model::{Attachment, DeliveryState, Direction, Message, NewMessage, Placement};
use hallway_store::Inserted;

use crate::account::Account;
use crate::events::CoreEvent;
use crate::live::{now_ms, Command};
use crate::CoreError;

/// Writes `body` (with `attachment`) to `peer` into the outbox and shows it. `send_now`: tell
/// the session (a file waiting for its upload goes later, when it has its URL).
pub(crate) fn write(
    acc: &Account,
    peer: &str,
    body: &str,
    attachment: Option<Attachment>,
    send_now: bool,
) -> Result<Message, CoreError> {
    let account = acc.require()?;
    let new = NewMessage {
        peer: peer.to_string(),
        direction: Direction::Outgoing,
        sender: account.clone(),
        body: body.to_string(),
        timestamp: now_ms(),
        state: DeliveryState::Pending,
        origin_id: hallway_protocol::new_id(),
        stanza_id: None,
        stanza_xml_id: None,
        markable: false,
        wants_receipt: false,
        placement: Placement::Append,
        attachment,
    };
    let Inserted::New(message) = acc.store.insert_message(&account, &new)? else {
        return Err(CoreError::Internal("fresh origin-id collided".into()));
    };
    acc.emit(CoreEvent::MessagesReceived(vec![message.clone()]));
    if send_now {
        // Offline, the outbox keeps it: the session sends it when it is back.
        let _ = acc
            .session
            .send(Command::OutboxChanged(message.peer.clone()));
    }
    Ok(message)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::Arc;

    /// An outbox row as `write` stores it, with a chosen origin-id (for other parts' tests).
    pub(crate) fn pending(
        store: &hallway_store::Store,
        peer: &str,
        body: &str,
        origin: &str,
    ) -> Message {
        use crate::live::testing::{insert, row};
        insert(
            store,
            &row(
                peer,
                Direction::Outgoing,
                body,
                origin,
                1,
                DeliveryState::Pending,
            ),
        )
    }

    fn account() -> (Account, crate::events::EventReceiver) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let store = Arc::new(hallway_store::Store::open_in_memory().unwrap());
        let acc = Account::new(store, crate::emitter::Emitter::new(tx), "r".into());
        acc.set_address(Some("me@x.org".into()));
        (acc, rx)
    }

    #[test]
    fn a_message_is_stored_pending_then_shown_once_and_the_session_told() {
        let (acc, mut events) = account();
        let (tx, mut commands) = tokio::sync::mpsc::unbounded_channel();
        acc.session.connect(Some(tx));
        let m = write(&acc, "bob@x.org", "hello", None, true).unwrap();
        assert_eq!(m.state, DeliveryState::Pending);
        assert_eq!(acc.store.pending("me@x.org").unwrap().len(), 1);
        assert!(
            matches!(events.try_recv(), Ok(CoreEvent::MessagesReceived(ms)) if ms == vec![m.clone()])
        );
        assert!(events.try_recv().is_err(), "shown once");
        assert!(matches!(commands.try_recv(), Ok(Command::OutboxChanged(p)) if p == "bob@x.org"));
        // A file waiting for its upload: stored and shown, the session not told yet.
        write(&acc, "bob@x.org", "plan.pdf", None, false).unwrap();
        assert!(commands.try_recv().is_err());
    }

    #[test]
    fn offline_or_signed_out_it_is_kept_or_refused() {
        let (acc, _events) = account();
        // No session: the row is stored, it goes when we are back.
        write(&acc, "bob@x.org", "later", None, true).unwrap();
        assert_eq!(acc.store.pending("me@x.org").unwrap().len(), 1);
        acc.set_address(None);
        assert!(matches!(
            write(&acc, "bob@x.org", "x", None, true),
            Err(CoreError::NotSignedIn)
        ));
    }
}
