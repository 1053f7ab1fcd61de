//! When new messages deserve a desktop notification, and what it says. Pure rules (unit-tested
//! here); the session feeds it each batch of newly stored messages, the shell shows the result.
//!
//! Rules: only incoming and still unread messages; none while our status is Do not disturb; none
//! for the conversation the user is looking at in a focused window; none for messages older than
//! our previous session (archive history the user saw, or first-sign-in history); one
//! notification per conversation, and a single summary when a storm hits many conversations.

use std::collections::BTreeMap;

use hallway_model::{Direction, Message};

/// Above this many conversations in one batch, one summary replaces per-conversation ones.
const MAX_SEPARATE: usize = 3;
/// Longest preview text (characters).
const PREVIEW_CHARS: usize = 140;

/// What the user is doing and wants, as far as notifications care.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyContext {
    /// Our own status is Do not disturb.
    pub do_not_disturb: bool,
    /// Conversation open in the window.
    pub visible_peer: Option<String>,
    /// The window has the focus.
    pub focused: bool,
    /// Show message text (else only who wrote).
    pub previews: bool,
    /// Messages stamped before this (ms) predate our previous session: never notified.
    pub since_ms: i64,
}

/// One desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Conversation to open when clicked (`None` for a summary of several).
    pub peer: Option<String>,
    /// Title line (sender name).
    pub title: String,
    /// Text line (preview or a count).
    pub body: String,
}

/// Notifications for a batch of newly stored, still unread messages. `name` gives a contact's
/// display name.
pub fn decide(
    ctx: &NotifyContext,
    batch: &[Message],
    name: impl Fn(&str) -> String,
) -> Vec<Notification> {
    if ctx.do_not_disturb {
        return Vec::new();
    }
    let mut by_peer: BTreeMap<&str, Vec<&Message>> = BTreeMap::new();
    for m in batch {
        let visible = ctx.focused && ctx.visible_peer.as_deref() == Some(m.peer.as_str());
        if m.direction == Direction::Incoming && !visible && m.timestamp >= ctx.since_ms {
            by_peer.entry(m.peer.as_str()).or_default().push(m);
        }
    }
    if by_peer.len() > MAX_SEPARATE {
        let total: usize = by_peer.values().map(Vec::len).sum();
        let names: Vec<String> = by_peer.keys().take(2).map(|p| name(p)).collect();
        let others = by_peer.len() - names.len();
        return vec![Notification {
            peer: None,
            title: format!("{total} new messages"),
            body: format!("From {} and {others} others", names.join(", ")),
        }];
    }
    by_peer
        .into_iter()
        .map(|(peer, msgs)| {
            // A file's body is its URL: the preview names the file instead.
            let newest = msgs
                .last()
                .map(|m| match &m.attachment {
                    Some(a) => format!("File: {}", a.name),
                    None => m.body.clone(),
                })
                .unwrap_or_default();
            let newest = newest.as_str();
            let body = match (ctx.previews, msgs.len()) {
                (true, 1) => preview(newest),
                (true, n) => format!("{n} new messages: {}", preview(newest)),
                (false, 1) => "New message".to_string(),
                (false, n) => format!("{n} new messages"),
            };
            Notification {
                peer: Some(peer.to_string()),
                title: name(peer),
                body,
            }
        })
        .collect()
}

/// First line-ish of a body, whitespace collapsed, cut at a character boundary.
fn preview(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= PREVIEW_CHARS {
        flat
    } else {
        let cut: String = flat.chars().take(PREVIEW_CHARS - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hallway_model::DeliveryState;

    fn incoming(peer: &str, body: &str, ts: i64) -> Message {
        Message {
            id: ts,
            peer: peer.into(),
            direction: Direction::Incoming,
            sender: peer.into(),
            body: body.into(),
            timestamp: ts,
            state: DeliveryState::Received,
            origin_id: format!("o{ts}"),
            edited: false,
            attachment: None,
            mention: false,
        }
    }

    fn ctx() -> NotifyContext {
        NotifyContext {
            previews: true,
            since_ms: 100,
            ..Default::default()
        }
    }

    fn name(jid: &str) -> String {
        jid.split('@').next().unwrap_or(jid).to_uppercase()
    }

    #[test]
    fn one_notification_per_new_incoming_message_with_preview() {
        let n = decide(&ctx(), &[incoming("bob@x", "Lunch   at\n12?", 200)], name);
        assert_eq!(
            n,
            vec![Notification {
                peer: Some("bob@x".into()),
                title: "BOB".into(),
                body: "Lunch at 12?".into()
            }]
        );
    }

    #[test]
    fn none_for_own_visible_old_or_dnd() {
        let mut own = incoming("bob@x", "mine", 200);
        own.direction = Direction::Outgoing;
        assert!(decide(&ctx(), &[own], name).is_empty());
        // Older than the previous session: catch-up of history already seen.
        assert!(decide(&ctx(), &[incoming("bob@x", "old", 50)], name).is_empty());
        let looking = NotifyContext {
            visible_peer: Some("bob@x".into()),
            focused: true,
            ..ctx()
        };
        assert!(decide(&looking, &[incoming("bob@x", "hi", 200)], name).is_empty());
        // Same conversation open but the window is in the background: notify.
        let background = NotifyContext {
            focused: false,
            ..looking.clone()
        };
        assert_eq!(
            decide(&background, &[incoming("bob@x", "hi", 200)], name).len(),
            1
        );
        // Another conversation while looking at Bob: notify.
        assert_eq!(
            decide(&looking, &[incoming("carol@x", "hi", 200)], name).len(),
            1
        );
        let dnd = NotifyContext {
            do_not_disturb: true,
            ..ctx()
        };
        assert!(decide(&dnd, &[incoming("bob@x", "hi", 200)], name).is_empty());
    }

    #[test]
    fn hides_previews_when_asked() {
        let quiet = NotifyContext {
            previews: false,
            ..ctx()
        };
        let n = decide(&quiet, &[incoming("bob@x", "salary details", 200)], name);
        assert_eq!(n[0].body, "New message");
        let n = decide(
            &quiet,
            &[
                incoming("bob@x", "secret 1", 200),
                incoming("bob@x", "secret 2", 201),
            ],
            name,
        );
        assert_eq!(n[0].body, "2 new messages");
    }

    #[test]
    fn groups_bursts_per_conversation_and_summarises_storms() {
        let burst: Vec<_> = (0..5)
            .map(|i| incoming("bob@x", &format!("m{i}"), 200 + i))
            .collect();
        let n = decide(&ctx(), &burst, name);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].body, "5 new messages: m4");
        let storm: Vec<_> = ["a@x", "b@x", "c@x", "d@x", "e@x"]
            .iter()
            .enumerate()
            .map(|(i, p)| incoming(p, "hi", 200 + i as i64))
            .collect();
        let n = decide(&ctx(), &storm, name);
        assert_eq!(
            n,
            vec![Notification {
                peer: None,
                title: "5 new messages".into(),
                body: "From A, B and 3 others".into()
            }]
        );
    }

    #[test]
    fn cuts_long_previews_at_a_character_boundary() {
        let long = "é".repeat(500);
        let n = decide(&ctx(), &[incoming("bob@x", &long, 200)], name);
        assert_eq!(n[0].body.chars().count(), PREVIEW_CHARS);
        assert!(n[0].body.ends_with('…'));
    }

    #[test]
    fn a_file_is_named_not_linked() {
        let mut m = incoming("bob@x", "https://up.x/f/abc/plan.pdf", 200);
        m.attachment = Some(hallway_model::Attachment {
            url: Some(m.body.clone()),
            name: "plan.pdf".into(),
            size: None,
            mime: None,
            local_path: None,
            status: hallway_model::FileStatus::Available,
            error: None,
            direct: false,
        });
        let n = decide(&ctx(), &[m], name);
        assert_eq!(n[0].body, "File: plan.pdf");
    }
}
