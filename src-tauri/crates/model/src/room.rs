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
        assert_eq!(Role::Moderator.word(), "Moderator");
        assert_eq!(
            serde_json::to_string(&RoomRefusal::NicknameTaken).unwrap(),
            "\"nicknameTaken\""
        );
    }
}
