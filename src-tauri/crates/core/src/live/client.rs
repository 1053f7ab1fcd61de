//! How services reach the running session: one cheap, cloneable handle per account, pointed at
//! the session task while one runs. `ask` is the one way to send an iq and wait for its answer
//! (the session matches it by id and sender, with a timeout, see `iq.rs`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::presence::Presence;

use super::command::{Command, PeopleCommand};
use super::iq::RequestError;
use crate::CoreError;

/// Longest wait for an answer from the server or a contact.
const ANSWER_WAIT: Duration = Duration::from_secs(20);

/// The services' handle on the session (none while signed out).
#[derive(Clone, Default)]
pub(crate) struct SessionClient {
    commands: Arc<Mutex<Option<mpsc::UnboundedSender<Command>>>>,
}

/// A refusal in words for the user: `what` failed and why.
pub(crate) fn refused(what: &str, e: RequestError) -> CoreError {
    match e {
        RequestError::Offline => CoreError::Offline,
        RequestError::NoAnswer => CoreError::Refused(format!("{what}: no answer from the server.")),
        RequestError::Refused(condition, text) => CoreError::Refused(match text {
            Some(t) => format!("{what}: the server refused ({condition}: {t})."),
            None => format!("{what}: the server refused ({condition})."),
        }),
    }
}

/// The one way to send an iq through a session and wait (at most `wait`) for its answer: the
/// payload, or the refusal as it came; the outer error when the session is gone.
pub(crate) async fn request(
    commands: &mpsc::UnboundedSender<Command>,
    iq: Iq,
    wait: Duration,
) -> Result<Result<Option<Element>, RequestError>, CoreError> {
    let (tx, rx) = oneshot::channel();
    commands
        .send(Command::Request(Box::new(iq), tx))
        .map_err(|_| CoreError::Offline)?;
    match tokio::time::timeout(wait, rx).await {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(_)) => Err(CoreError::Offline),
        Err(_) => Ok(Err(RequestError::NoAnswer)),
    }
}

impl SessionClient {
    /// Points at a new session (or at none).
    pub(crate) fn connect(&self, commands: Option<mpsc::UnboundedSender<Command>>) {
        *self.commands.lock().unwrap_or_else(|p| p.into_inner()) = commands;
    }

    /// The running session's command channel.
    pub(crate) fn commands(&self) -> Result<mpsc::UnboundedSender<Command>, CoreError> {
        self.commands
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(CoreError::NotSignedIn)
    }

    /// Hands a command to the session.
    pub(crate) fn send(&self, c: Command) -> Result<(), CoreError> {
        self.commands()?.send(c).map_err(|_| CoreError::Offline)
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
        request(&self.commands()?, iq, ANSWER_WAIT).await
    }

    /// Asks the people part something.
    pub(crate) async fn people<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> PeopleCommand,
    ) -> Result<T, CoreError> {
        let (tx, rx) = oneshot::channel();
        self.send(Command::People(make(tx)))?;
        rx.await.map_err(|_| CoreError::Offline)
    }

    /// Tells the people part something (no answer).
    pub(crate) fn tell(&self, c: PeopleCommand) -> Result<(), CoreError> {
        self.send(Command::People(c))
    }

    /// Sends a presence (subscription answers); `Offline` when not connected.
    pub(crate) async fn send_presence(&self, p: Presence) -> Result<(), CoreError> {
        if self.people(|tx| PeopleCommand::SendPresence(p, tx)).await? {
            Ok(())
        } else {
            Err(CoreError::Offline)
        }
    }

    /// Publishes to our own PEP node (XEP-0163) with `publish-options` for contacts who see
    /// our presence. If another of our clients configured the node differently, the server
    /// refuses the options (XEP-0060 §7.1.5, `conflict` / precondition-not-met): then the item
    /// goes out with the node's own configuration rather than not at all.
    pub(crate) async fn publish_pep(
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

    /// The contact list as the session has it (empty when signed out).
    pub(crate) async fn contacts(&self) -> Vec<hallway_model::Contact> {
        let (tx, rx) = oneshot::channel();
        if self.send(Command::Contacts(tx)).is_err() {
            return Vec::new();
        }
        rx.await.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn asks_go_through_the_running_session_only() {
        let client = SessionClient::default();
        let iq = || Iq::from_get("q", hallway_protocol::xmpp_parsers::ping::Ping);
        assert!(matches!(
            client.ask("Pinging", iq()).await,
            Err(CoreError::NotSignedIn)
        ));
        let (tx, mut rx) = mpsc::unbounded_channel();
        client.connect(Some(tx));
        let asking = tokio::spawn({
            let client = client.clone();
            async move { client.ask("Pinging", iq()).await }
        });
        let Some(Command::Request(_, reply)) = rx.recv().await else {
            panic!("no request")
        };
        reply
            .send(Err(RequestError::Refused("Forbidden".into(), None)))
            .unwrap();
        let err = asking.await.unwrap().unwrap_err();
        assert_eq!(err.to_string(), "Pinging: the server refused (Forbidden).");
        client.connect(None);
        assert!(client.commands().is_err());
    }

    #[test]
    fn refusals_are_worded_for_the_user() {
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
        let e = refused("Adding", RequestError::NoAnswer);
        assert!(e.to_string().contains("no answer"));
    }
}
