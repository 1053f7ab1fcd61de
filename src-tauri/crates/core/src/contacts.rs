//! The messenger's people operations: roster management (RFC 6121 §2), subscriptions (§3),
//! blocking (XEP-0191), contact details with vCards (XEP-0292, XEP-0054 fallback) and last
//! activity (XEP-0012), and our own profile and avatar (XEP-0084). Each builds its stanza with
//! the protocol crate and sends it through the session; the server's pushes then update
//! everyone's view, so nothing here changes local state by guessing.

use std::time::Duration;

use hallway_model::{
    parse_bare_jid, ContactDetails, MessageRequest, SubscriptionRequest, VCardFields,
};
use hallway_protocol::{
    rfc6121_presence, rfc6121_roster, xep0012_last, xep0054_vcard, xep0084_avatar,
    xep0191_blocking, xep0292_vcard4, BareJid, Jid,
};
use tokio::sync::oneshot;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::iq::Iq;

use crate::events::CoreEvent;
use crate::messenger::Messenger;
use crate::session::{self, Command, Details, PeopleCommand, RequestError};
use crate::CoreError;

/// Longest wait for an answer from the server or a contact.
const ANSWER_WAIT: Duration = Duration::from_secs(20);
/// Longest contact name and group name we send (servers cap roster items).
const MAX_NAME: usize = 200;

fn address(input: &str) -> Result<BareJid, CoreError> {
    let jid = parse_bare_jid(input).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
    BareJid::new(jid.as_str()).map_err(|e| CoreError::InvalidInput(format!("Invalid address: {e}")))
}

fn clean_name(what: &str, s: &str) -> Result<Option<String>, CoreError> {
    let s = s.trim();
    if s.chars().count() > MAX_NAME {
        return Err(CoreError::InvalidInput(format!(
            "The {what} is too long ({MAX_NAME} characters at most)."
        )));
    }
    if s.chars().any(char::is_control) {
        return Err(CoreError::InvalidInput(format!(
            "The {what} contains control characters."
        )));
    }
    Ok((!s.is_empty()).then(|| s.to_string()))
}

fn refused(what: &str, e: RequestError) -> CoreError {
    match e {
        RequestError::Offline => CoreError::Offline,
        RequestError::NoAnswer => CoreError::Refused(format!("{what}: no answer from the server.")),
        RequestError::Refused(condition, text) => CoreError::Refused(match text {
            Some(t) => format!("{what}: the server refused ({condition}: {t})."),
            None => format!("{what}: the server refused ({condition})."),
        }),
    }
}

impl Messenger {
    pub(crate) async fn commands(
        &self,
    ) -> Result<tokio::sync::mpsc::UnboundedSender<Command>, CoreError> {
        self.require_account()?;
        let guard = self.active.lock().await;
        guard
            .as_ref()
            .map(|a| a.handle.commands.clone())
            .ok_or(CoreError::NotSignedIn)
    }

    /// Sends an iq through the session and waits for its answer's payload.
    pub(crate) async fn ask(&self, what: &str, iq: Iq) -> Result<Option<Element>, CoreError> {
        self.ask_raw(iq).await?.map_err(|e| refused(what, e))
    }

    /// `ask` with the refusal as it came (outer error: we could not even ask).
    pub(crate) async fn ask_raw(
        &self,
        iq: Iq,
    ) -> Result<Result<Option<Element>, RequestError>, CoreError> {
        let commands = self.commands().await?;
        let (tx, rx) = oneshot::channel();
        commands
            .send(Command::Request(Box::new(iq), tx))
            .map_err(|_| CoreError::Offline)?;
        match tokio::time::timeout(ANSWER_WAIT, rx).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(_)) => Err(CoreError::Offline),
            Err(_) => Ok(Err(RequestError::NoAnswer)),
        }
    }

    /// XEP-0490: publishes where the conversation with `peer` was read. A node another client
    /// configured differently refuses our publish-options (`conflict`): then it goes out with
    /// the node's own configuration. Failures are logged only (it is a courtesy to our other
    /// devices, and the next read publishes again).
    pub(crate) async fn publish_read_position(&self, peer: &str, stanza_id: &str, account: &str) {
        use hallway_protocol::xep0490_mds;
        let iq = xep0490_mds::publish(&hallway_protocol::new_id(), peer, stanza_id, account);
        let outcome = match self.ask_raw(iq).await {
            Ok(Err(RequestError::Refused(condition, _))) if condition == "Conflict" => {
                let mut plain =
                    xep0490_mds::publish(&hallway_protocol::new_id(), peer, stanza_id, account);
                if let Iq::Set { payload, .. } = &mut plain {
                    payload.remove_child("publish-options", hallway_protocol::xep0060_pubsub::NS);
                }
                self.ask_raw(plain).await
            }
            other => other,
        };
        match outcome {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::debug!("read position for {peer} refused: {e:?}"),
            Err(e) => tracing::debug!("read position for {peer} not sent: {e}"),
        }
    }

    /// Publishes to our own PEP node for contacts who see our presence. If another of our
    /// clients configured the node differently, the server refuses the publish-options
    /// (XEP-0060 §7.1.5, `conflict` / precondition-not-met): then the item is published with the
    /// node's own configuration rather than not at all.
    async fn publish_pep(
        &self,
        what: &str,
        build: impl Fn(Option<&str>) -> Iq,
    ) -> Result<(), CoreError> {
        match self.ask_raw(build(Some("presence"))).await? {
            Ok(_) => Ok(()),
            Err(RequestError::Refused(condition, _)) if condition == "Conflict" => {
                tracing::info!(
                    "{what}: node configured differently elsewhere; publishing as it is"
                );
                self.ask(what, build(None)).await.map(|_| ())
            }
            Err(e) => Err(refused(what, e)),
        }
    }

    pub(crate) async fn people<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> PeopleCommand,
    ) -> Result<T, CoreError> {
        let commands = self.commands().await?;
        let (tx, rx) = oneshot::channel();
        commands
            .send(Command::People(make(tx)))
            .map_err(|_| CoreError::Offline)?;
        rx.await.map_err(|_| CoreError::Offline)
    }

    async fn send_presence(
        &self,
        p: hallway_protocol::xmpp_parsers::presence::Presence,
    ) -> Result<(), CoreError> {
        if self.people(|tx| PeopleCommand::SendPresence(p, tx)).await? {
            Ok(())
        } else {
            Err(CoreError::Offline)
        }
    }

    fn tell(&self, commands: &tokio::sync::mpsc::UnboundedSender<Command>, c: PeopleCommand) {
        let _ = commands.send(Command::People(c));
    }

    /// **Add contact**: puts them in the roster (name, group) and asks to see their presence
    /// (RFC 6121 §3.1.1). If they already asked to see ours, that request is accepted too.
    pub async fn add_contact(
        &self,
        address_input: &str,
        name: &str,
        group: &str,
    ) -> Result<(), CoreError> {
        let account = self.require_account()?;
        let jid = address(address_input)?;
        if jid.as_str() == account {
            return Err(CoreError::InvalidInput("That is your own address.".into()));
        }
        let name = clean_name("name", name)?;
        let groups: Vec<String> = clean_name("group name", group)?.into_iter().collect();
        let id = hallway_protocol::new_id();
        self.ask(
            "Adding the contact",
            rfc6121_roster::roster_set(&id, &jid, name.as_deref(), &groups),
        )
        .await?;
        let to = Jid::from(jid.clone());
        let nick = self.my_name(&account);
        self.send_presence(rfc6121_presence::subscribe_with_nick(&to, nick.as_deref()))
            .await?;
        let waiting = self.subscription_requests().await;
        if waiting.iter().any(|r| r.jid == jid.as_str()) {
            self.accept_subscription(jid.as_str()).await?;
        }
        Ok(())
    }

    fn find_contact(
        &self,
        contacts: &[hallway_model::Contact],
        jid: &str,
    ) -> Result<hallway_model::Contact, CoreError> {
        contacts
            .iter()
            .find(|c| c.jid == jid)
            .cloned()
            .ok_or_else(|| CoreError::InvalidInput(format!("{jid} is not in your contacts.")))
    }

    /// Renames a contact (roster name; empty = show their address).
    pub async fn rename_contact(&self, jid: &str, name: &str) -> Result<(), CoreError> {
        let bare = address(jid)?;
        let c = self.find_contact(&self.contacts().await, bare.as_str())?;
        let name = clean_name("name", name)?;
        let id = hallway_protocol::new_id();
        self.ask(
            "Renaming the contact",
            rfc6121_roster::roster_set(&id, &bare, name.as_deref(), &c.groups),
        )
        .await?;
        Ok(())
    }

    /// Moves a contact to these groups (none = "Other contacts").
    pub async fn set_contact_groups(
        &self,
        jid: &str,
        groups: Vec<String>,
    ) -> Result<(), CoreError> {
        let bare = address(jid)?;
        let c = self.find_contact(&self.contacts().await, bare.as_str())?;
        let mut clean = Vec::new();
        for g in &groups {
            if let Some(g) = clean_name("group name", g)? {
                clean.push(g);
            }
        }
        let id = hallway_protocol::new_id();
        self.ask(
            "Moving the contact",
            rfc6121_roster::roster_set(&id, &bare, c.name.as_deref(), &clean),
        )
        .await?;
        Ok(())
    }

    /// Removes a contact (RFC 6121 §2.5: the server cancels both subscriptions).
    pub async fn remove_contact(&self, jid: &str) -> Result<(), CoreError> {
        let bare = address(jid)?;
        let id = hallway_protocol::new_id();
        self.ask(
            "Removing the contact",
            rfc6121_roster::roster_remove(&id, &bare),
        )
        .await?;
        Ok(())
    }

    /// **Accept**: lets them see our presence and, unless we already do, asks to see theirs.
    pub async fn accept_subscription(&self, jid: &str) -> Result<(), CoreError> {
        let bare = address(jid)?;
        let to = Jid::from(bare.clone());
        let contact = self
            .contacts()
            .await
            .into_iter()
            .find(|c| c.jid == bare.as_str());
        let sees_theirs = contact
            .as_ref()
            .is_some_and(|c| c.subscription.sees_theirs() || c.pending_out);
        // Our request goes first, while theirs is still pending on their side: their client
        // approves a request that answers its own (ours does the same, see session/people.rs),
        // so one Accept ends with both seeing each other.
        if !sees_theirs {
            let nick = self.my_name(&self.require_account()?);
            self.send_presence(rfc6121_presence::subscribe_with_nick(&to, nick.as_deref()))
                .await?;
        }
        self.send_presence(rfc6121_presence::subscription(&to, true))
            .await?;
        let commands = self.commands().await?;
        self.tell(&commands, PeopleCommand::RequestAnswered(bare.to_string()));
        Ok(())
    }

    /// **Decline**: they do not get to see our presence (§3.2.1 `unsubscribed`).
    pub async fn decline_subscription(&self, jid: &str) -> Result<(), CoreError> {
        let bare = address(jid)?;
        self.send_presence(rfc6121_presence::decline(&Jid::from(bare.clone())))
            .await?;
        let commands = self.commands().await?;
        self.tell(&commands, PeopleCommand::RequestAnswered(bare.to_string()));
        Ok(())
    }

    /// Subscription requests waiting for an answer.
    pub async fn subscription_requests(&self) -> Vec<SubscriptionRequest> {
        self.people(PeopleCommand::SubscriptionRequests)
            .await
            .unwrap_or_default()
    }

    /// People outside the roster who wrote to us.
    pub async fn message_requests(&self) -> Vec<MessageRequest> {
        self.people(PeopleCommand::MessageRequests)
            .await
            .unwrap_or_default()
    }

    /// The addresses we block (XEP-0191), sorted.
    pub async fn blocked_addresses(&self) -> Vec<String> {
        self.people(PeopleCommand::Blocked)
            .await
            .unwrap_or_default()
    }

    /// Blocks an address (contact or stranger): the server stops their messages and presence
    /// both ways (XEP-0191).
    pub async fn block_contact(&self, jid: &str) -> Result<(), CoreError> {
        let bare = address(jid)?;
        let id = hallway_protocol::new_id();
        self.ask(
            "Blocking",
            xep0191_blocking::block(&id, &[bare.to_string()]),
        )
        .await?;
        Ok(())
    }

    /// Unblocks an address.
    pub async fn unblock_contact(&self, jid: &str) -> Result<(), CoreError> {
        let bare = address(jid)?;
        let id = hallway_protocol::new_id();
        self.ask(
            "Unblocking",
            xep0191_blocking::unblock(&id, &[bare.to_string()]),
        )
        .await?;
        Ok(())
    }

    /// Fetches a vCard: XEP-0292 vCard4 first, vcard-temp (XEP-0054) when there is none.
    async fn vcard(&self, to: &Jid) -> Result<VCardFields, CoreError> {
        let id = hallway_protocol::new_id();
        match self
            .ask("Reading the profile", xep0292_vcard4::request(&id, to))
            .await
        {
            Ok(payload) => match xep0292_vcard4::parse(payload.as_ref()) {
                Ok(Some(f)) => return Ok(f),
                Ok(None) => {}
                Err(e) => tracing::debug!("vCard4 of {to}: {e}"),
            },
            Err(CoreError::Offline) => return Err(CoreError::Offline),
            Err(e) => tracing::debug!("no vCard4 for {to}: {e}"),
        }
        let id = hallway_protocol::new_id();
        match self
            .ask("Reading the profile", xep0054_vcard::request(&id, to))
            .await
        {
            Ok(payload) => Ok(xep0054_vcard::parse(payload.as_ref())
                .map(|(f, _)| f)
                .unwrap_or_default()),
            Err(CoreError::Offline) => Err(CoreError::Offline),
            // No vCard at all is an answer, not an error, for the details panel.
            Err(e) => {
                tracing::debug!("no vcard-temp for {to}: {e}");
                Ok(VCardFields::default())
            }
        }
    }

    /// What the details panel shows: devices, business card, and last seen when offline
    /// (XEP-0012 asked now; a contact who does not share presence gets a refusal, which leaves
    /// what we remember).
    pub async fn contact_details(&self, jid: &str) -> Result<ContactDetails, CoreError> {
        let bare = address(jid)?;
        let to = Jid::from(bare.clone());
        let vcard = self.vcard(&to).await?;
        let mut details: Details = self
            .people(|tx| PeopleCommand::Details(bare.to_string(), tx))
            .await?;
        if details.devices.is_empty() {
            let id = hallway_protocol::new_id();
            if let Ok(payload) = self.ask("Last seen", xep0012_last::request(&id, &to)).await {
                if let Ok(secs) = xep0012_last::parse(payload.as_ref()) {
                    if secs > 0 {
                        let ms = session::now_ms() - i64::try_from(secs).unwrap_or(0) * 1000;
                        details.last_seen = Some(details.last_seen.map_or(ms, |old| old.max(ms)));
                        let commands = self.commands().await?;
                        self.tell(&commands, PeopleCommand::LastSeen(bare.to_string(), ms));
                    }
                }
            }
        }
        Ok(ContactDetails {
            jid: bare.to_string(),
            devices: details.devices,
            vcard,
            last_seen: details.last_seen,
        })
    }

    /// Our own business card.
    pub async fn my_profile(&self) -> Result<VCardFields, CoreError> {
        let account = self.require_account()?;
        let to = Jid::from(address(&account)?);
        let card = self.vcard(&to).await?;
        self.remember_my_name(&account, card.full_name.as_deref());
        Ok(card)
    }

    /// Our full name as last published or read (introduces us in subscription requests).
    fn my_name(&self, account: &str) -> Option<String> {
        self.store
            .setting::<String>(&format!("my_name:{account}"))
            .ok()
            .flatten()
    }

    fn remember_my_name(&self, account: &str, name: Option<&str>) {
        let key = format!("my_name:{account}");
        let result = match name {
            Some(n) => self.store.set_setting(&key, &n),
            None => self.store.remove_setting(&key),
        };
        if let Err(e) = result {
            tracing::warn!("could not remember our name: {e}");
        }
    }

    /// Publishes our business card (display name = full name) as vCard4 for our contacts.
    pub async fn set_my_profile(&self, fields: VCardFields) -> Result<(), CoreError> {
        let fields = fields.cleaned();
        for (what, v) in [
            ("name", &fields.full_name),
            ("title", &fields.title),
            ("organisation", &fields.organization),
            ("department", &fields.department),
            ("email address", &fields.email),
            ("phone number", &fields.phone),
        ] {
            if let Some(v) = v {
                clean_name(what, v)?;
            }
        }
        let account = self.require_account()?;
        self.publish_pep("Saving your profile", |access| {
            xep0292_vcard4::publish(&hallway_protocol::new_id(), &fields, access)
        })
        .await?;
        self.remember_my_name(&account, fields.full_name.as_deref());
        Ok(())
    }

    /// Publishes our avatar (XEP-0084: data, then metadata) and puts its hash in our presence
    /// (XEP-0153). The UI scales the picture down first; anything but a small PNG, JPEG, GIF or
    /// WebP is refused here.
    pub async fn set_my_avatar(&self, bytes: Vec<u8>) -> Result<String, CoreError> {
        let account = self.require_account()?;
        let hash = xep0084_avatar::prepare(&bytes)
            .map_err(|e| CoreError::InvalidInput(format!("This picture cannot be used: {e}.")))?;
        self.avatars
            .write(&hash, &bytes)
            .await
            .map_err(|e| CoreError::InvalidInput(format!("This picture cannot be used: {e}.")))?;
        // Data first, then metadata (XEP-0084 §4.1).
        self.publish_pep("Publishing your picture", |access| {
            xep0084_avatar::publish_data(&hallway_protocol::new_id(), &hash, &bytes, access)
        })
        .await?;
        self.publish_pep("Publishing your picture", |access| {
            xep0084_avatar::publish_metadata(&hallway_protocol::new_id(), &hash, &bytes, access)
        })
        .await?;
        self.store.set_setting(
            &crate::avatars::my_avatar_key(&account),
            &Some(hash.clone()),
        )?;
        let commands = self.commands().await?;
        self.tell(&commands, PeopleCommand::SetMyAvatar(Some(hash.clone())));
        self.emitter.emit(CoreEvent::AvatarChanged {
            jid: account,
            avatar: Some(hash.clone()),
        });
        Ok(hash)
    }

    /// A cached avatar image and its type (sniffed from the bytes).
    pub fn avatar_image(&self, hash: &str) -> Option<(Vec<u8>, &'static str)> {
        self.avatars.read(hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_names_and_refuses_control_characters() {
        assert_eq!(
            clean_name("name", "  Anna  ").unwrap().as_deref(),
            Some("Anna")
        );
        assert_eq!(clean_name("name", "   ").unwrap(), None);
        assert!(clean_name("name", "a\u{0007}b").is_err());
        assert!(clean_name("name", &"x".repeat(201)).is_err());
        assert!(address("not an address").is_err());
        assert_eq!(
            address(" Bob@Example.COM ").unwrap().as_str(),
            "bob@example.com"
        );
    }

    #[test]
    fn maps_request_errors_to_user_words() {
        assert!(matches!(
            refused("Adding", RequestError::Offline),
            CoreError::Offline
        ));
        let e = refused(
            "Adding",
            RequestError::Refused("NotAllowed".into(), Some("no".into())),
        );
        assert_eq!(
            e.to_string(),
            "Adding: the server refused (NotAllowed: no)."
        );
    }
}
