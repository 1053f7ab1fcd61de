//! What one account's services share: the store, the event emitter, the handle on the running
//! session, the account's address once signed in, our resource, and what the window shows. A
//! second account would be a second `Account` with its own set of services.

use std::sync::{Arc, Mutex};

use hallway_model::parse_bare_jid;
use hallway_protocol::xep0363_http_upload as upload;
use hallway_protocol::{BareJid, Jid};
use hallway_store::Store;

use crate::emitter::Emitter;
use crate::live::{SessionClient, ViewState};
use crate::CoreError;

/// One account's shared context.
pub(crate) struct Account {
    pub store: Arc<Store>,
    pub emitter: Emitter,
    pub session: SessionClient,
    /// Our resource (the same on every start of this installation).
    pub resource: String,
    /// What the window shows (for notifications).
    pub view: Arc<Mutex<ViewState>>,
    address: Mutex<Option<String>>,
}

impl Account {
    pub(crate) fn new(store: Arc<Store>, emitter: Emitter, resource: String) -> Self {
        Self {
            store,
            emitter,
            session: SessionClient::default(),
            resource,
            view: Arc::new(Mutex::new(ViewState::default())),
            address: Mutex::new(None),
        }
    }

    /// The signed-in account's address.
    pub(crate) fn address(&self) -> Option<String> {
        self.address
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn set_address(&self, address: Option<String>) {
        *self.address.lock().unwrap_or_else(|p| p.into_inner()) = address;
    }

    /// The signed-in account's address, or `NotSignedIn`.
    pub(crate) fn require(&self) -> Result<String, CoreError> {
        self.address().ok_or(CoreError::NotSignedIn)
    }

    /// Our full JID (account and resource).
    pub(crate) fn full_jid(&self) -> Result<Jid, CoreError> {
        let account = self.require()?;
        let bare = BareJid::new(&account).map_err(|e| CoreError::Internal(e.to_string()))?;
        bare.with_resource_str(&self.resource)
            .map(Jid::from)
            .map_err(|e| CoreError::Internal(e.to_string()))
    }

    /// Emits an event.
    pub(crate) fn emit(&self, e: crate::events::CoreEvent) {
        self.emitter.emit(e);
    }

    /// The first of our server and its components (disco#items) whose disco#info `pick`
    /// takes.
    pub(crate) async fn find_service<T>(
        &self,
        what: &str,
        pick: impl Fn(&Jid, Option<&xmpp_parsers::minidom::Element>) -> Option<T>,
    ) -> Result<Option<T>, CoreError> {
        let account = self.require()?;
        let bare = parse_bare_jid(&account).map_err(|e| CoreError::Internal(e.to_string()))?;
        let server = Jid::new(bare.domain()).map_err(|e| CoreError::Internal(e.to_string()))?;
        let items = self
            .session
            .ask(
                what,
                upload::items_request(&hallway_protocol::new_id(), &server),
            )
            .await?;
        let mut candidates = upload::parse_items(items.as_ref()).unwrap_or_default();
        candidates.insert(0, server);
        for jid in candidates.into_iter().take(32) {
            let info = self
                .session
                .ask(
                    what,
                    upload::info_request(&hallway_protocol::new_id(), &jid),
                )
                .await;
            if let Ok(info) = info {
                if let Some(found) = pick(&jid, info.as_ref()) {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }
}
