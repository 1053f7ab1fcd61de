//! The `Contacts` service: roster management (RFC 6121 §2), subscriptions (§3), blocking
//! (XEP-0191), and a contact's details: devices, business card (XEP-0292 vCard4, XEP-0054
//! fallback) and last activity (XEP-0012). Each builds its stanza with the protocol crate and
//! sends it through the session; the server's pushes then update everyone's view, so nothing
//! here changes local state by guessing.

use std::sync::Arc;

use hallway_model::{
    parse_bare_jid, Contact, ContactDetails, MessageRequest, SubscriptionRequest, VCardFields,
};
use hallway_protocol::{
    rfc6121_presence, rfc6121_roster, xep0012_last, xep0054_vcard, xep0191_blocking,
    xep0292_vcard4, BareJid, Jid,
};

use crate::account::Account;
use crate::live::PeopleCommand;
use crate::people::state::Details;
use crate::CoreError;

/// Longest contact name and group name we send (servers cap roster items).
const MAX_NAME: usize = 200;

pub(crate) fn address(input: &str) -> Result<BareJid, CoreError> {
    let jid = parse_bare_jid(input).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
    BareJid::new(jid.as_str()).map_err(|e| CoreError::InvalidInput(format!("Invalid address: {e}")))
}

pub(crate) fn clean_name(what: &str, s: &str) -> Result<Option<String>, CoreError> {
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

/// The people of one account.
pub struct Contacts {
    acc: Arc<Account>,
}

impl Contacts {
    pub(crate) fn new(acc: Arc<Account>) -> Self {
        Self { acc }
    }

    /// The contact list with presence and unread counts (empty when signed out).
    pub async fn list(&self) -> Vec<Contact> {
        self.acc.session.contacts().await
    }

    /// Our full name as last published or read (introduces us in subscription requests).
    fn my_name(&self, account: &str) -> Option<String> {
        crate::people::my_name(&self.acc.store, account)
    }

    /// **Add contact**: puts them in the roster (name, group) and asks to see their presence
    /// (RFC 6121 §3.1.1). If they already asked to see ours, that request is accepted too.
    pub async fn add_contact(
        &self,
        address_input: &str,
        name: &str,
        group: &str,
    ) -> Result<(), CoreError> {
        let account = self.acc.require()?;
        let jid = address(address_input)?;
        if jid.as_str() == account {
            return Err(CoreError::InvalidInput("That is your own address.".into()));
        }
        let name = clean_name("name", name)?;
        let groups: Vec<String> = clean_name("group name", group)?.into_iter().collect();
        let id = hallway_protocol::new_id();
        self.acc
            .session
            .ask(
                "Adding the contact",
                rfc6121_roster::roster_set(&id, &jid, name.as_deref(), &groups),
            )
            .await?;
        let to = Jid::from(jid.clone());
        let nick = self.my_name(&account);
        self.acc
            .session
            .send_presence(rfc6121_presence::subscribe_with_nick(&to, nick.as_deref()))
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
        let c = self.find_contact(&self.acc.session.contacts().await, bare.as_str())?;
        let name = clean_name("name", name)?;
        let id = hallway_protocol::new_id();
        self.acc
            .session
            .ask(
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
        let c = self.find_contact(&self.acc.session.contacts().await, bare.as_str())?;
        let mut clean = Vec::new();
        for g in &groups {
            if let Some(g) = clean_name("group name", g)? {
                clean.push(g);
            }
        }
        let id = hallway_protocol::new_id();
        self.acc
            .session
            .ask(
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
        self.acc
            .session
            .ask(
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
            .acc
            .session
            .contacts()
            .await
            .into_iter()
            .find(|c| c.jid == bare.as_str());
        let sees_theirs = contact
            .as_ref()
            .is_some_and(|c| c.subscription.sees_theirs() || c.pending_out);
        // Our request goes first, while theirs is still pending on their side: their client
        // approves a request that answers its own (ours does the same, see people/state/requests.rs),
        // so one Accept ends with both seeing each other.
        if !sees_theirs {
            let nick = self.my_name(&self.acc.require()?);
            self.acc
                .session
                .send_presence(rfc6121_presence::subscribe_with_nick(&to, nick.as_deref()))
                .await?;
        }
        self.acc
            .session
            .send_presence(rfc6121_presence::subscription(&to, true))
            .await?;
        self.acc
            .session
            .tell(PeopleCommand::RequestAnswered(bare.to_string()))?;
        Ok(())
    }

    /// **Decline**: they do not get to see our presence (§3.2.1 `unsubscribed`).
    pub async fn decline_subscription(&self, jid: &str) -> Result<(), CoreError> {
        let bare = address(jid)?;
        self.acc
            .session
            .send_presence(rfc6121_presence::decline(&Jid::from(bare.clone())))
            .await?;
        self.acc
            .session
            .tell(PeopleCommand::RequestAnswered(bare.to_string()))?;
        Ok(())
    }

    /// Subscription requests waiting for an answer.
    pub async fn subscription_requests(&self) -> Vec<SubscriptionRequest> {
        self.acc
            .session
            .people(PeopleCommand::SubscriptionRequests)
            .await
            .unwrap_or_default()
    }

    /// People outside the roster who wrote to us.
    pub async fn message_requests(&self) -> Vec<MessageRequest> {
        self.acc
            .session
            .people(PeopleCommand::MessageRequests)
            .await
            .unwrap_or_default()
    }

    /// The addresses we block (XEP-0191), sorted.
    pub async fn blocked_addresses(&self) -> Vec<String> {
        self.acc
            .session
            .people(PeopleCommand::Blocked)
            .await
            .unwrap_or_default()
    }

    /// Blocks an address (contact or stranger): the server stops their messages and presence
    /// both ways (XEP-0191).
    pub async fn block_contact(&self, jid: &str) -> Result<(), CoreError> {
        let bare = address(jid)?;
        let id = hallway_protocol::new_id();
        self.acc
            .session
            .ask(
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
        self.acc
            .session
            .ask(
                "Unblocking",
                xep0191_blocking::unblock(&id, &[bare.to_string()]),
            )
            .await?;
        Ok(())
    }

    /// Fetches a vCard: XEP-0292 vCard4 first, vcard-temp (XEP-0054) when there is none.
    pub(crate) async fn vcard(&self, to: &Jid) -> Result<VCardFields, CoreError> {
        let id = hallway_protocol::new_id();
        match self
            .acc
            .session
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
            .acc
            .session
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
            .acc
            .session
            .people(|tx| PeopleCommand::Details(bare.to_string(), tx))
            .await?;
        if details.devices.is_empty() {
            let id = hallway_protocol::new_id();
            if let Ok(payload) = self
                .acc
                .session
                .ask("Last seen", xep0012_last::request(&id, &to))
                .await
            {
                if let Ok(secs) = xep0012_last::parse(payload.as_ref()) {
                    if secs > 0 {
                        let ms = crate::live::now_ms() - i64::try_from(secs).unwrap_or(0) * 1000;
                        details.last_seen = Some(details.last_seen.map_or(ms, |old| old.max(ms)));
                        self.acc
                            .session
                            .tell(PeopleCommand::LastSeen(bare.to_string(), ms))?;
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
}
