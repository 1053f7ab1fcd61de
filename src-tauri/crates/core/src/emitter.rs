//! Sends core events and remembers the current connection state (for the start-up snapshot).

use std::sync::{Arc, Mutex};

use hallway_model::ConnectionState;

use crate::events::{CoreEvent, EventSender};

/// Cloneable handle to the event channel plus the last connection state.
#[derive(Clone, Debug)]
pub struct Emitter {
    tx: EventSender,
    state: Arc<Mutex<ConnectionState>>,
}

impl Emitter {
    /// Wraps a channel.
    pub fn new(tx: EventSender) -> Self {
        Self {
            tx,
            state: Arc::new(Mutex::new(ConnectionState::Offline)),
        }
    }

    /// Emits an event (a closed receiver means the app is shutting down: nothing to do).
    pub fn emit(&self, ev: CoreEvent) {
        let _ = self.tx.send(ev);
    }

    /// Records and emits a connection state (only when it changed).
    pub fn connection(&self, s: ConnectionState) {
        let mut cur = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if *cur != s {
            *cur = s.clone();
            drop(cur);
            self.emit(CoreEvent::ConnectionStateChanged(s));
        }
    }

    /// The current connection state.
    pub fn current(&self) -> ConnectionState {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
