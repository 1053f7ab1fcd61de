//! Rooms (XEP-0045 group chat) as the user sees them: an occupant's standing in a room (role and
//! affiliation, §5) and why a room would not have us, in words rather than error codes.

/// A user's long-lived standing in a room (XEP-0045 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Affiliation {
    /// Owns the room: configures and destroys it.
    Owner,
    /// Administers members and moderators.
    Admin,
    /// On the member list (what a members-only room lets in).
    Member,
    /// Banned.
    Outcast,
    /// No affiliation.
    None,
}

impl Affiliation {
    /// The word the occupant list shows.
    pub fn word(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Admin => "Admin",
            Self::Member => "Member",
            Self::Outcast => "Banned",
            Self::None => "",
        }
    }
}

/// An occupant's role for this visit (XEP-0045 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// May kick, grant voice and change the subject.
    Moderator,
    /// May speak.
    Participant,
    /// May only read (a moderated room).
    Visitor,
    /// Not in the room.
    None,
}

impl Role {
    /// The word the occupant list shows.
    pub fn word(self) -> &'static str {
        match self {
            Self::Moderator => "Moderator",
            Self::Participant => "Participant",
            Self::Visitor => "Visitor",
            Self::None => "",
        }
    }
}

/// Why a room refused to let us in, or put us out (XEP-0045 §7.2, §9, §10.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum RoomRefusal {
    /// Someone else in the room uses the nickname (`conflict`).
    NicknameTaken,
    /// The room is for members and we are not one (`registration-required`).
    MembersOnly,
    /// We are banned (`forbidden`, or status 301 when in the room).
    Banned,
    /// The room wants a password (`not-authorized`).
    PasswordRequired,
    /// The room is full (`service-unavailable` on join).
    Full,
    /// A moderator put us out (status 307).
    Kicked,
    /// No such room, or it was destroyed (`item-not-found`, `gone`, `<destroy/>`).
    NotFound,
    /// The room's server cannot be reached (`remote-server-not-found` / `-timeout`).
    Unreachable,
    /// The room (or its service) shut down or lost us (status 332/333, 321/322).
    Removed,
    /// Something else the room said.
    Other,
}

impl RoomRefusal {
    /// The sentence the room's header shows.
    pub fn words(self) -> &'static str {
        match self {
            Self::NicknameTaken => "Someone in the room already uses this nickname.",
            Self::MembersOnly => "This room is for members only.",
            Self::Banned => "You are banned from this room.",
            Self::PasswordRequired => "This room needs a password.",
            Self::Full => "This room is full.",
            Self::Kicked => "A moderator removed you from the room.",
            Self::NotFound => "This room does not exist (any more).",
            Self::Unreachable => "The room's server cannot be reached.",
            Self::Removed => "The room's service ended your visit.",
            Self::Other => "The room refused.",
        }
    }
}

/// When a room's messages notify (XEP-0045 rooms default to mentions, chats to all).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum RoomNotify {
    /// Every message.
    All,
    /// Messages that name us.
    #[default]
    Mentions,
    /// None.
    Nothing,
}

impl RoomNotify {
    /// Stable text form used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Mentions => "mentions",
            Self::Nothing => "nothing",
        }
    }
    /// Parses the database form (unknown: the default).
    pub fn parse(s: &str) -> Self {
        match s {
            "all" => Self::All,
            "nothing" => Self::Nothing,
            _ => Self::Mentions,
        }
    }
}

/// Where we stand with a room right now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum RoomPhase {
    /// Our join presence is out; the room has not confirmed it (or sent its history) yet.
    Joining,
    /// In the room: its history and subject have arrived, messages go out.
    Joined,
    /// We were in, and the link or the room lost us: joining again by itself.
    Reconnecting,
    /// Not in the room (signed out, or offline).
    Left,
    /// The room refused us or put us out; `words` says why.
    Error {
        /// Why, as a code the UI may act on (offer another nickname, ask a password).
        reason: RoomRefusal,
        /// The sentence shown.
        words: String,
    },
}

/// Someone asks us into a room (XEP-0249 direct, or XEP-0045 §7.8.2 through the room). Joining
/// is always the user's choice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    /// The room.
    pub room: String,
    /// Who invites us: their address, or their seat in the room (room@service/nick) when the
    /// room hides real addresses.
    pub inviter: String,
    /// Their name in our contacts when they are one, or their nickname in the room.
    pub inviter_name: Option<String>,
    /// Why, in their words (a stranger's text).
    pub reason: Option<String>,
    /// They are in our contacts; invitations from anyone else are requests.
    pub from_contact: bool,
    /// It came through the room (a decline goes back the same way).
    pub mediated: bool,
    /// When it arrived (ms).
    pub received_at: i64,
}

/// A room the server's room service lists (Browse rooms).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PublicRoom {
    /// Its address.
    pub room: String,
    /// Its name (the local part when it has none): a stranger's text.
    pub name: String,
    /// We are in it already.
    pub joined: bool,
}

/// A room's settings as its owner sees and edits them (Create room, Room settings), read from
/// and written through the room's owner form (XEP-0045 §10.1.3, §10.2).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RoomSettings {
    /// Its name.
    pub name: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Only members may enter.
    pub members_only: bool,
    /// Listed by the service (found through Browse rooms).
    pub public: bool,
    /// Kept when the last occupant leaves (team rooms always are).
    pub persistent: bool,
    /// The room keeps an archive (XEP-0313), where the server offers one.
    pub archived: bool,
}

/// What a moderator, admin or owner may do to someone in the room (XEP-0045 §8–§9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum OccupantAction {
    /// Put them out of the room for now (§8.2: role none).
    Kick,
    /// Put them out and keep them out (§9.1: affiliation outcast).
    Ban,
    /// Put them on the member list (§9.3).
    MakeMember,
    /// Take them off the member list (§9.4).
    RemoveMember,
    /// Let them moderate (§9.6).
    MakeModerator,
    /// Stop them moderating (§9.7).
    RemoveModerator,
}

impl OccupantAction {
    /// The button's words.
    pub fn word(self) -> &'static str {
        match self {
            Self::Kick => "Kick",
            Self::Ban => "Ban",
            Self::MakeMember => "Make member",
            Self::RemoveMember => "Remove membership",
            Self::MakeModerator => "Make moderator",
            Self::RemoveModerator => "Remove moderator",
        }
    }

    /// What `me` may do to `them` in a room. The room decides in the end; this is what the
    /// user is offered: §8.2, a moderator kicks no one of a higher affiliation (and Prosody
    /// lets no one kick an admin or owner); §9, only admins and owners change affiliations and
    /// moderators, never of someone at or above their own rank; affiliations need the real
    /// address, which anonymous rooms hide.
    pub fn allowed(me: &Occupant, them: &Occupant) -> Vec<OccupantAction> {
        if them.is_self || them.nick == me.nick {
            return Vec::new();
        }
        let rank = |a: Affiliation| match a {
            Affiliation::Owner => 3,
            Affiliation::Admin => 2,
            Affiliation::Member => 1,
            Affiliation::None | Affiliation::Outcast => 0,
        };
        let manager = matches!(me.affiliation, Affiliation::Owner | Affiliation::Admin);
        let below = rank(them.affiliation) < rank(me.affiliation);
        let known = them.real_jid.is_some();
        let mut actions = Vec::new();
        if me.role == Role::Moderator
            && rank(them.affiliation) < 2
            && rank(them.affiliation) <= rank(me.affiliation)
            && them.role != Role::None
        {
            actions.push(Self::Kick);
        }
        if manager && below && known {
            actions.push(Self::Ban);
            match them.affiliation {
                Affiliation::None => actions.push(Self::MakeMember),
                Affiliation::Member => actions.push(Self::RemoveMember),
                _ => {}
            }
        }
        if manager && rank(them.affiliation) < 2 {
            match them.role {
                Role::Participant | Role::Visitor => actions.push(Self::MakeModerator),
                Role::Moderator => actions.push(Self::RemoveModerator),
                Role::None => {}
            }
        }
        actions
    }
}

/// A room as the sidebar shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Room {
    /// The room's bare JID (its messages' `peer`).
    pub room: String,
    /// Its name (the localpart when it has none): a stranger's text.
    pub name: String,
    /// Our nickname in it.
    pub nick: String,
    /// Where we stand.
    pub phase: RoomPhase,
    /// Its subject, when it has one (a stranger's text).
    pub subject: Option<String>,
    /// When its messages notify.
    pub notify: RoomNotify,
    /// Joined again by itself after a restart (bookmark autojoin).
    pub autojoin: bool,
    /// Our role in it now (`none` while not in it): a moderator changes the subject.
    pub role: Role,
    /// Our standing in it, as of our last visit: an owner edits and destroys it.
    pub affiliation: Affiliation,
}

/// Someone in a room, as the `Occupants` list shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Occupant {
    /// Nickname (unique in the room; a stranger's text).
    pub nick: String,
    /// Presence.
    pub show: crate::PresenceShow,
    /// Status text.
    pub status: Option<String>,
    /// Role for this visit.
    pub role: Role,
    /// Standing in the room.
    pub affiliation: Affiliation,
    /// Their real bare JID, where the room shows it (non-anonymous rooms, or to moderators).
    pub real_jid: Option<String>,
    /// This is us.
    pub is_self: bool,
    /// What we may do to them (our own row: nothing).
    pub actions: Vec<OccupantAction>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_and_standing_has_words() {
        for r in [
            RoomRefusal::NicknameTaken,
            RoomRefusal::MembersOnly,
            RoomRefusal::Banned,
            RoomRefusal::PasswordRequired,
            RoomRefusal::Full,
            RoomRefusal::Kicked,
            RoomRefusal::NotFound,
            RoomRefusal::Unreachable,
            RoomRefusal::Removed,
            RoomRefusal::Other,
        ] {
            assert!(r.words().ends_with('.'));
        }
        assert_eq!(Affiliation::Outcast.word(), "Banned");
        for n in [RoomNotify::All, RoomNotify::Mentions, RoomNotify::Nothing] {
            assert_eq!(RoomNotify::parse(n.as_str()), n);
        }
        assert_eq!(RoomNotify::parse("bogus"), RoomNotify::Mentions);
        assert_eq!(
            serde_json::to_string(&RoomPhase::Error {
                reason: RoomRefusal::Banned,
                words: RoomRefusal::Banned.words().into()
            })
            .unwrap(),
            "{\"kind\":\"error\",\"reason\":\"banned\",\"words\":\"You are banned from this room.\"}"
        );
        assert_eq!(Role::Moderator.word(), "Moderator");
        assert_eq!(
            serde_json::to_string(&RoomRefusal::NicknameTaken).unwrap(),
            "\"nicknameTaken\""
        );
    }

    fn seat(nick: &str, role: Role, affiliation: Affiliation, known: bool) -> Occupant {
        Occupant {
            nick: nick.into(),
            show: crate::PresenceShow::Available,
            status: None,
            role,
            affiliation,
            real_jid: known.then(|| format!("{nick}@example.com")),
            is_self: false,
            actions: Vec::new(),
        }
    }

    #[test]
    fn what_a_moderator_admin_and_owner_may_do() {
        use OccupantAction::*;
        let owner = Occupant {
            is_self: true,
            ..seat("olga", Role::Moderator, Affiliation::Owner, true)
        };
        let admin = seat("adam", Role::Moderator, Affiliation::Admin, true);
        let moderator = seat("mo", Role::Moderator, Affiliation::None, true);
        let guest = seat("gus", Role::Participant, Affiliation::None, true);
        let member = seat("meg", Role::Participant, Affiliation::Member, true);
        let anonymous = seat("anon", Role::Participant, Affiliation::None, false);

        assert_eq!(
            OccupantAction::allowed(&owner, &guest),
            vec![Kick, Ban, MakeMember, MakeModerator]
        );
        assert_eq!(
            OccupantAction::allowed(&owner, &member),
            vec![Kick, Ban, RemoveMember, MakeModerator]
        );
        assert_eq!(
            OccupantAction::allowed(&owner, &moderator),
            vec![Kick, Ban, MakeMember, RemoveModerator]
        );
        // An admin is banned only by an owner, and never kicked nor demoted from moderator.
        assert_eq!(OccupantAction::allowed(&owner, &admin), vec![Ban]);
        assert_eq!(
            OccupantAction::allowed(&admin, &owner),
            Vec::<OccupantAction>::new()
        );
        // Without the real address there is nobody to ban or make a member.
        assert_eq!(
            OccupantAction::allowed(&owner, &anonymous),
            vec![Kick, MakeModerator]
        );
        // A moderator without standing only kicks, and no one above them (§8.2).
        assert_eq!(OccupantAction::allowed(&moderator, &guest), vec![Kick]);
        assert!(OccupantAction::allowed(&moderator, &member).is_empty());
        assert!(OccupantAction::allowed(&moderator, &admin).is_empty());
        // A participant does nothing, and nobody acts on themselves.
        assert!(OccupantAction::allowed(&guest, &member).is_empty());
        assert!(OccupantAction::allowed(&owner, &owner).is_empty());
        assert_eq!(Kick.word(), "Kick");
    }
}
