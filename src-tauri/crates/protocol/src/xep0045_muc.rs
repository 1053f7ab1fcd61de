//! XEP-0045: Multi-User Chat, the occupant's side — entering and leaving a room (§7.2, §7.14),
//! reading occupants' presence with their role, affiliation, real address and status codes
//! (§7.2.3–7.2.5, §9), why a room refused us (§7.2.6–7.2.9), the subject (§8.1) and mediated
//! invitations (§7.8.2). `muc#user` is read by hand rather than with xmpp-parsers' `MucUser`:
//! that type rejects the whole element for one status code it does not list (174, a future one),
//! and one unknown code must not hide who is in the room.

use hallway_model::{Affiliation, PresenceShow, Role, RoomRefusal};
use xmpp_parsers::jid::{BareJid, FullJid, Jid};
use xmpp_parsers::message::{Id, Lang, Message, MessageType};
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::presence::{Presence, Show, Type};

use crate::{clip, rfc6121_presence, ProtocolError};

/// Namespace of the join element.
pub const NS: &str = "http://jabber.org/protocol/muc";
/// Namespace of what the room tells occupants.
pub const NS_USER: &str = "http://jabber.org/protocol/muc#user";
pub(crate) const NS_STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";
/// Longest nickname we accept from a room (characters; a room should have refused longer ones).
pub const MAX_NICK: usize = 128;
/// Longest subject, status or reason kept (characters).
pub const MAX_TEXT: usize = 4096;

/// What room history to ask for when entering (§7.2.14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinHistory {
    /// None: the room's archive (XEP-0313) gives us what we missed, so nothing arrives twice.
    Nothing,
    /// What was said since this moment, ms since the epoch (a room without an archive).
    Since(i64),
    /// The room's default (first visit to a room without an archive).
    Default,
}

/// The presence that enters `occupant` (room@service/nick) into the room, carrying our own
/// availability (`show`) as every presence does.
pub fn join(
    occupant: &FullJid,
    history: &JoinHistory,
    password: Option<&str>,
    show: Option<Show>,
) -> Presence {
    let mut x = Element::builder("x", NS);
    match history {
        JoinHistory::Nothing => {
            x = x.append(
                Element::builder("history", NS)
                    .attr(xml_ncname!("maxstanzas").into(), "0")
                    .build(),
            )
        }
        JoinHistory::Since(ms) => {
            let since = chrono::DateTime::from_timestamp_millis(*ms)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            x = x.append(
                Element::builder("history", NS)
                    .attr(xml_ncname!("since").into(), since)
                    .build(),
            )
        }
        JoinHistory::Default => {}
    }
    if let Some(password) = password.filter(|p| !p.is_empty()) {
        x = x.append(Element::builder("password", NS).append(password).build());
    }
    let mut p = Presence::new(Type::None).with_to(Jid::from(occupant.clone()));
    p.show = show;
    p.payloads.push(x.build());
    p
}

/// The presence that leaves the room (§7.14).
pub fn leave(occupant: &FullJid) -> Presence {
    Presence::new(Type::Unavailable).with_to(Jid::from(occupant.clone()))
}

/// An occupant as a room's presence describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccupantPresence {
    /// The room.
    pub room: BareJid,
    /// Their nickname in the room (the occupant JID's resource).
    pub nick: String,
    /// Whether they are in the room after this presence (false: they left or were put out).
    pub present: bool,
    /// Their availability (offline when they left).
    pub show: PresenceShow,
    /// Their status text.
    pub status: Option<String>,
    /// Affiliation.
    pub affiliation: Affiliation,
    /// Role.
    pub role: Role,
    /// Their real address, where the room shows it (non-anonymous rooms, or to moderators).
    pub real_jid: Option<BareJid>,
    /// XEP-0421 occupant id, stable across nickname changes where the room supports it.
    pub occupant_id: Option<String>,
    /// Status 110: this presence is about us.
    pub is_self: bool,
    /// Status 201: we just created the room (it waits for its configuration, §10.1).
    pub created: bool,
    /// Status 303: they changed their nickname to this one.
    pub new_nick: Option<String>,
    /// Why they are no longer present, when the room said (kicked, banned, removed, shut down).
    pub removal: Option<RoomRefusal>,
    /// Status 100/172: the room shows real addresses to everyone.
    pub non_anonymous: bool,
}

/// Reads an occupant's presence: `None` when the presence is not from a room occupant (no
/// `muc#user` element, or not from an occupant JID), an error when it is unusable.
pub fn occupant(p: &Presence) -> Option<Result<OccupantPresence, ProtocolError>> {
    let x = p.payloads.iter().find(|e| e.is("x", NS_USER))?;
    if !matches!(p.type_, Type::None | Type::Unavailable) {
        return None;
    }
    let Some(Ok(from)) = p.from.as_ref().map(Jid::try_as_full) else {
        return Some(Err(ProtocolError::malformed(
            "room presence",
            "not from an occupant address",
        )));
    };
    Some(read_occupant(p, from, x))
}

fn read_occupant(
    p: &Presence,
    from: &FullJid,
    x: &Element,
) -> Result<OccupantPresence, ProtocolError> {
    let nick = from.resource().as_str();
    if nick.chars().count() > MAX_NICK {
        return Err(ProtocolError::malformed(
            "room presence",
            "nickname too long",
        ));
    }
    let codes: Vec<u16> = x
        .children()
        .filter(|c| c.is("status", NS_USER))
        .filter_map(|c| c.attr("code")?.parse().ok())
        .collect();
    let item = x.children().find(|c| c.is("item", NS_USER));
    let affiliation = item
        .and_then(|i| i.attr("affiliation"))
        .map_or(Affiliation::None, affiliation_from);
    let role = item
        .and_then(|i| i.attr("role"))
        .map_or(Role::None, role_from);
    let real_jid = item
        .and_then(|i| i.attr("jid"))
        .and_then(|j| Jid::new(j).ok())
        .map(|j| j.to_bare());
    let present = p.type_ == Type::None;
    let has = |c: u16| codes.contains(&c);
    let removal = if present {
        None
    } else if has(301) {
        Some(RoomRefusal::Banned)
    } else if has(307) {
        Some(RoomRefusal::Kicked)
    } else if has(321) || has(322) || has(332) || has(333) {
        Some(RoomRefusal::Removed)
    } else if x.children().any(|c| c.is("destroy", NS_USER)) {
        Some(RoomRefusal::NotFound)
    } else {
        None
    };
    let new_nick = if has(303) {
        item.and_then(|i| i.attr("nick"))
            .filter(|n| !n.is_empty() && n.chars().count() <= MAX_NICK)
            .map(str::to_string)
    } else {
        None
    };
    let status = rfc6121_presence::best_status(p).map(|s| clip(&s, MAX_TEXT));
    let occupant_id = p
        .payloads
        .iter()
        .find(|e| e.is("occupant-id", "urn:xmpp:occupant-id:0"))
        .and_then(|e| e.attr("id"))
        .filter(|id| !id.is_empty() && id.len() <= 256)
        .map(str::to_string);
    Ok(OccupantPresence {
        room: from.to_bare(),
        nick: nick.to_string(),
        present,
        show: if present {
            rfc6121_presence::show_of(p)
        } else {
            PresenceShow::Offline
        },
        status,
        affiliation,
        role,
        real_jid,
        occupant_id,
        is_self: has(110),
        created: has(201),
        new_nick,
        removal,
        non_anonymous: has(100) || has(172),
    })
}

/// An affiliation from its wire word (§5.2); unknown words are no affiliation.
pub fn affiliation_from(word: &str) -> Affiliation {
    match word {
        "owner" => Affiliation::Owner,
        "admin" => Affiliation::Admin,
        "member" => Affiliation::Member,
        "outcast" => Affiliation::Outcast,
        _ => Affiliation::None,
    }
}

/// The wire word of an affiliation.
pub fn affiliation_word(a: Affiliation) -> &'static str {
    match a {
        Affiliation::Owner => "owner",
        Affiliation::Admin => "admin",
        Affiliation::Member => "member",
        Affiliation::Outcast => "outcast",
        Affiliation::None => "none",
    }
}

/// A role from its wire word (§5.1); unknown words are no role.
pub fn role_from(word: &str) -> Role {
    match word {
        "moderator" => Role::Moderator,
        "participant" => Role::Participant,
        "visitor" => Role::Visitor,
        _ => Role::None,
    }
}

/// The wire word of a role.
pub fn role_word(r: Role) -> &'static str {
    match r {
        Role::Moderator => "moderator",
        Role::Participant => "participant",
        Role::Visitor => "visitor",
        Role::None => "none",
    }
}

/// Why the room answered our presence with an error (§7.2.6–7.2.11, §7.2.3 for a room that
/// does not exist on a service that will not create it); `None` when it is not an error.
pub fn refusal(p: &Presence) -> Option<RoomRefusal> {
    if p.type_ != Type::Error {
        return None;
    }
    let error = p.payloads.iter().find(|e| e.name() == "error")?;
    let condition = error
        .children()
        .find(|c| c.ns() == NS_STANZAS && c.name() != "text")
        .map(|c| c.name().to_string())
        .unwrap_or_default();
    Some(match condition.as_str() {
        "conflict" => RoomRefusal::NicknameTaken,
        "registration-required" => RoomRefusal::MembersOnly,
        "forbidden" => RoomRefusal::Banned,
        "not-authorized" => RoomRefusal::PasswordRequired,
        "service-unavailable" => RoomRefusal::Full,
        "item-not-found" | "gone" | "not-allowed" => RoomRefusal::NotFound,
        "remote-server-not-found" | "remote-server-timeout" => RoomRefusal::Unreachable,
        _ => RoomRefusal::Other,
    })
}

/// The room's subject when this `groupchat` message sets it: a `<subject/>` and no body (§8.1;
/// an empty subject clears it). `None` for every other message.
pub fn subject(m: &Message) -> Option<String> {
    if m.type_ != MessageType::Groupchat || !m.bodies.is_empty() {
        return None;
    }
    let s = m.subjects.get("").or_else(|| m.subjects.values().next())?;
    Some(clip(s.trim(), MAX_TEXT))
}

/// Sets the room's subject (§8.1); the room refuses it unless we may.
pub fn set_subject(room: &BareJid, subject: &str) -> Message {
    let mut m = Message::new(Some(Jid::from(room.clone())));
    m.type_ = MessageType::Groupchat;
    m.id = Some(Id(crate::new_id()));
    m.subjects.insert(Lang::default(), subject.to_string());
    m
}

/// An invitation a room passes on from one of its occupants (§7.8.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediatedInvite {
    /// The room (the message's sender).
    pub room: BareJid,
    /// Who invites us: their real address (bare), or their occupant address
    /// (room@service/nick) in a room that hides real addresses (§7.8.2, Prosody does so).
    pub from: Jid,
    /// Why, in their words.
    pub reason: Option<String>,
    /// The room's password, when the room sends it.
    pub password: Option<String>,
}

/// The mediated invitation in a message from a room: `None` when there is none.
pub fn mediated_invite(m: &Message) -> Option<Result<MediatedInvite, ProtocolError>> {
    let x = m.payloads.iter().find(|e| e.is("x", NS_USER))?;
    let invite = x.children().find(|c| c.is("invite", NS_USER))?;
    let Some(room) = m.from.as_ref().map(Jid::to_bare) else {
        return Some(Err(ProtocolError::malformed("room invitation", "no room")));
    };
    let from = match invite.attr("from").map(Jid::new) {
        Some(Ok(j)) if j.to_bare() == room && j.resource().is_some() => j,
        Some(Ok(j)) if j.node().is_some() => Jid::from(j.to_bare()),
        _ => {
            return Some(Err(ProtocolError::malformed(
                "room invitation",
                "no inviter",
            )))
        }
    };
    let text = |e: Option<&Element>| {
        e.map(|e| e.text())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .map(|s| clip(&s, MAX_TEXT))
    };
    Some(Ok(MediatedInvite {
        room,
        from,
        reason: text(invite.get_child("reason", NS_USER)),
        password: text(x.get_child("password", NS_USER)),
    }))
}

/// Asks the room to invite `to` (§7.8.2: the room sends them the invitation and, in a
/// members-only room run by us, may add them to the member list).
pub fn invite_through_room(room: &BareJid, to: &BareJid, reason: Option<&str>) -> Message {
    let mut invite =
        Element::builder("invite", NS_USER).attr(xml_ncname!("to").into(), to.to_string());
    if let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        invite = invite.append(Element::builder("reason", NS_USER).append(reason).build());
    }
    let mut m = Message::new(Some(Jid::from(room.clone())));
    // §7.8.2: a plain (normal) message; a room answers `chat` to the room itself with an error.
    m.type_ = MessageType::Normal;
    m.id = Some(Id(crate::new_id()));
    m.payloads.push(
        Element::builder("x", NS_USER)
            .append(invite.build())
            .build(),
    );
    m
}

/// Declines a mediated invitation through the room (§7.8.2).
pub fn decline(room: &BareJid, inviter: &Jid, reason: Option<&str>) -> Message {
    let mut decline =
        Element::builder("decline", NS_USER).attr(xml_ncname!("to").into(), inviter.to_string());
    if let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        decline = decline.append(Element::builder("reason", NS_USER).append(reason).build());
    }
    let mut m = Message::new(Some(Jid::from(room.clone())));
    // §7.8.2: a plain (normal) message; a room answers `chat` to the room itself with an error.
    m.type_ = MessageType::Normal;
    m.id = Some(Id(crate::new_id()));
    m.payloads.push(
        Element::builder("x", NS_USER)
            .append(decline.build())
            .build(),
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presence(xml: &str) -> Presence {
        Presence::try_from(xml.parse::<Element>().unwrap()).unwrap()
    }

    fn message(xml: &str) -> Message {
        Message::try_from(xml.parse::<Element>().unwrap()).unwrap()
    }

    #[test]
    fn parses_occupants_with_standing_real_address_and_self() {
        let p = presence(
            "<presence xmlns='jabber:client' from='sales@rooms.x.org/Ann'>\
               <show>away</show><status> lunch </status>\
               <x xmlns='http://jabber.org/protocol/muc#user'>\
                 <item affiliation='owner' role='moderator' jid='ann@x.org/laptop'/>\
                 <status code='110'/><status code='100'/><status code='174'/>\
               </x>\
               <occupant-id xmlns='urn:xmpp:occupant-id:0' id='oid-1'/>\
             </presence>",
        );
        let o = occupant(&p).unwrap().unwrap();
        assert_eq!(o.room.as_str(), "sales@rooms.x.org");
        assert_eq!(o.nick, "Ann");
        assert!(o.present && o.is_self && o.non_anonymous && !o.created);
        assert_eq!(o.show, PresenceShow::Away);
        assert_eq!(o.status.as_deref(), Some("lunch"));
        assert_eq!(o.affiliation, Affiliation::Owner);
        assert_eq!(o.role, Role::Moderator);
        assert_eq!(o.real_jid.unwrap().as_str(), "ann@x.org");
        assert_eq!(o.occupant_id.as_deref(), Some("oid-1"));
        assert_eq!(o.removal, None);
    }

    #[test]
    fn reads_leaving_kicked_banned_renamed_and_created() {
        let gone = |codes: &str| {
            occupant(&presence(&format!(
                "<presence xmlns='jabber:client' type='unavailable' from='r@m.x.org/Bob'>\
                   <x xmlns='http://jabber.org/protocol/muc#user'>\
                     <item affiliation='none' role='none' nick='Robert'/>{codes}</x></presence>"
            )))
            .unwrap()
            .unwrap()
        };
        let left = gone("");
        assert!(!left.present);
        assert_eq!(left.show, PresenceShow::Offline);
        assert_eq!(left.removal, None);
        assert_eq!(
            gone("<status code='307'/>").removal,
            Some(RoomRefusal::Kicked)
        );
        assert_eq!(
            gone("<status code='301'/>").removal,
            Some(RoomRefusal::Banned)
        );
        assert_eq!(
            gone("<status code='332'/>").removal,
            Some(RoomRefusal::Removed)
        );
        let renamed = gone("<status code='303'/>");
        assert_eq!(renamed.new_nick.as_deref(), Some("Robert"));
        assert_eq!(renamed.removal, None);
        let created = occupant(&presence(
            "<presence xmlns='jabber:client' from='new@m.x.org/Me'>\
               <x xmlns='http://jabber.org/protocol/muc#user'>\
                 <item affiliation='owner' role='moderator'/>\
                 <status code='110'/><status code='201'/></x></presence>",
        ))
        .unwrap()
        .unwrap();
        assert!(created.created && created.is_self);
    }

    #[test]
    fn rejects_presence_that_is_not_an_occupants() {
        // Not a room's presence at all.
        assert!(occupant(&presence(
            "<presence xmlns='jabber:client' from='b@x.org/a'/>"
        ))
        .is_none());
        // A room presence must come from an occupant address.
        assert!(occupant(&presence(
            "<presence xmlns='jabber:client' from='r@m.x.org'>\
               <x xmlns='http://jabber.org/protocol/muc#user'/></presence>"
        ))
        .unwrap()
        .is_err());
        let long = "n".repeat(MAX_NICK + 1);
        assert!(occupant(&presence(&format!(
            "<presence xmlns='jabber:client' from='r@m.x.org/{long}'>\
               <x xmlns='http://jabber.org/protocol/muc#user'/></presence>"
        )))
        .unwrap()
        .is_err());
        // Unknown words are no standing, not an error.
        let odd = occupant(&presence(
            "<presence xmlns='jabber:client' from='r@m.x.org/C'>\
               <x xmlns='http://jabber.org/protocol/muc#user'>\
                 <item affiliation='emperor' role='jester'/></x></presence>",
        ))
        .unwrap()
        .unwrap();
        assert_eq!((odd.affiliation, odd.role), (Affiliation::None, Role::None));
    }

    #[test]
    fn turns_a_rooms_errors_into_words() {
        let error = |condition: &str| {
            refusal(&presence(&format!(
                "<presence xmlns='jabber:client' type='error' from='r@m.x.org/Me'>\
                   <error type='cancel'><{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
                   <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>no</text></error></presence>"
            )))
        };
        assert_eq!(error("conflict"), Some(RoomRefusal::NicknameTaken));
        assert_eq!(
            error("registration-required"),
            Some(RoomRefusal::MembersOnly)
        );
        assert_eq!(error("forbidden"), Some(RoomRefusal::Banned));
        assert_eq!(error("not-authorized"), Some(RoomRefusal::PasswordRequired));
        assert_eq!(error("service-unavailable"), Some(RoomRefusal::Full));
        assert_eq!(error("item-not-found"), Some(RoomRefusal::NotFound));
        assert_eq!(
            error("remote-server-not-found"),
            Some(RoomRefusal::Unreachable)
        );
        assert_eq!(error("undefined-condition"), Some(RoomRefusal::Other));
        assert_eq!(
            refusal(&presence(
                "<presence xmlns='jabber:client' from='r@m.x.org/Me'/>"
            )),
            None
        );
    }

    #[test]
    fn reads_the_subject_only_from_a_bodyless_groupchat_message() {
        let m = message(
            "<message xmlns='jabber:client' type='groupchat' from='r@m.x.org/Ann'>\
               <subject> Q3 planning </subject></message>",
        );
        assert_eq!(subject(&m).as_deref(), Some("Q3 planning"));
        let cleared = message(
            "<message xmlns='jabber:client' type='groupchat' from='r@m.x.org/Ann'><subject/></message>",
        );
        assert_eq!(subject(&cleared).as_deref(), Some(""));
        let with_body = message(
            "<message xmlns='jabber:client' type='groupchat' from='r@m.x.org/Ann'>\
               <subject>s</subject><body>hi</body></message>",
        );
        assert_eq!(subject(&with_body), None);
        let chat = message(
            "<message xmlns='jabber:client' type='chat' from='b@x.org/a'><subject>s</subject></message>",
        );
        assert_eq!(subject(&chat), None);
    }

    #[test]
    fn parses_and_rejects_mediated_invitations() {
        let m = message(
            "<message xmlns='jabber:client' from='sales@rooms.x.org'>\
               <x xmlns='http://jabber.org/protocol/muc#user'>\
                 <invite from='ann@x.org/laptop'><reason>numbers</reason></invite>\
                 <password>pw</password></x></message>",
        );
        let i = mediated_invite(&m).unwrap().unwrap();
        assert_eq!(i.room.as_str(), "sales@rooms.x.org");
        assert_eq!(i.from.to_string(), "ann@x.org");
        // A room that hides real addresses names the inviter by their seat in it.
        let hidden = message(
            "<message xmlns='jabber:client' from='sales@rooms.x.org'>\
               <x xmlns='http://jabber.org/protocol/muc#user'>\
                 <invite from='sales@rooms.x.org/Ann'/></x></message>",
        );
        let seat = mediated_invite(&hidden).unwrap().unwrap();
        assert_eq!(seat.from.to_string(), "sales@rooms.x.org/Ann");
        assert_eq!(i.reason.as_deref(), Some("numbers"));
        assert_eq!(i.password.as_deref(), Some("pw"));
        let no_inviter = message(
            "<message xmlns='jabber:client' from='sales@rooms.x.org'>\
               <x xmlns='http://jabber.org/protocol/muc#user'><invite/></x></message>",
        );
        assert!(mediated_invite(&no_inviter).unwrap().is_err());
        let plain =
            message("<message xmlns='jabber:client' from='b@x.org/a'><body>hi</body></message>");
        assert!(mediated_invite(&plain).is_none());
    }

    #[test]
    fn serialises_join_leave_messages_and_invitations() {
        let me = FullJid::new("sales@rooms.x.org/Ann").unwrap();
        let room = me.to_bare();
        let p: Element = join(&me, &JoinHistory::Nothing, Some("pw"), Some(Show::Away)).into();
        assert_eq!(p.attr("to"), Some("sales@rooms.x.org/Ann"));
        let x = p.get_child("x", NS).unwrap();
        assert_eq!(
            x.get_child("history", NS).unwrap().attr("maxstanzas"),
            Some("0")
        );
        assert_eq!(x.get_child("password", NS).unwrap().text(), "pw");
        assert_eq!(p.get_child("show", "jabber:client").unwrap().text(), "away");
        let since = 1_764_583_200_000; // 2025-12-01T10:00:00Z
        let p: Element = join(&me, &JoinHistory::Since(since), None, None).into();
        let h = p
            .get_child("x", NS)
            .unwrap()
            .get_child("history", NS)
            .unwrap();
        assert!(h.attr("since").unwrap().starts_with("2025-12-01T10:00:00"));
        let p: Element = join(&me, &JoinHistory::Default, None, None).into();
        assert!(p.get_child("x", NS).unwrap().children().next().is_none());
        let l: Element = leave(&me).into();
        assert_eq!(l.attr("type"), Some("unavailable"));

        let s: Element = set_subject(&room, "Q4").into();
        assert_eq!(
            s.get_child("subject", "jabber:client").unwrap().text(),
            "Q4"
        );
        assert!(s.get_child("body", "jabber:client").is_none());

        let bob = BareJid::new("bob@x.org").unwrap();
        let inv: Element = invite_through_room(&room, &bob, Some("numbers")).into();
        let i = inv
            .get_child("x", NS_USER)
            .unwrap()
            .get_child("invite", NS_USER)
            .unwrap();
        assert_eq!(i.attr("to"), Some("bob@x.org"));
        assert_eq!(i.get_child("reason", NS_USER).unwrap().text(), "numbers");
        let d: Element = decline(&room, &Jid::from(bob.clone()), None).into();
        let dx = d
            .get_child("x", NS_USER)
            .unwrap()
            .get_child("decline", NS_USER)
            .unwrap();
        assert_eq!(dx.attr("to"), Some("bob@x.org"));
        assert!(dx.get_child("reason", NS_USER).is_none());
        assert_eq!(d.attr("type"), None, "a normal message");
        for (w, a) in [
            ("owner", Affiliation::Owner),
            ("outcast", Affiliation::Outcast),
        ] {
            assert_eq!(affiliation_from(w), a);
            assert_eq!(affiliation_word(a), w);
        }
        for (w, r) in [("moderator", Role::Moderator), ("visitor", Role::Visitor)] {
            assert_eq!(role_from(w), r);
            assert_eq!(role_word(r), w);
        }
    }
}
