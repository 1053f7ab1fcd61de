//! Tauri commands: thin adapters from IPC to `hallway_core::Messenger` (verbs; no logic here).

use std::sync::Arc;

use hallway_core::Messenger;
use hallway_model::{
    AppSnapshot, AutoAwaySettings, Contact, ContactDetails, Invitation, Message, MessageRequest,
    MyPresence, Occupant, OccupantAction, Password, PublicRoom, Room, RoomNotify, RoomSettings,
    SearchResult, ServerSearchPage, SignInRequest, SubscriptionRequest, UploadLimit, VCardFields,
};
use tauri::State;

use crate::error::IpcError;

/// Shared state: the one messenger.
pub type Hallway<'a> = State<'a, Arc<Messenger>>;

/// Everything the UI needs at start-up.
#[tauri::command]
#[specta::specta]
pub async fn get_app_state(hallway: Hallway<'_>) -> Result<AppSnapshot, IpcError> {
    Ok(hallway.snapshot())
}

/// Signs in from the form; resolves when online.
#[tauri::command]
#[specta::specta]
pub async fn sign_in(hallway: Hallway<'_>, req: SignInRequest) -> Result<(), IpcError> {
    Ok(hallway.sign_in(req).await?)
}

/// Pins a certificate the user chose to trust.
#[tauri::command]
#[specta::specta]
pub async fn trust_certificate(
    hallway: Hallway<'_>,
    address: String,
    fingerprint: String,
) -> Result<(), IpcError> {
    Ok(hallway.trust_certificate(&address, &fingerprint)?)
}

/// Signs out.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(hallway: Hallway<'_>) -> Result<(), IpcError> {
    hallway.sign_out().await;
    Ok(())
}

/// The contact list.
#[tauri::command]
#[specta::specta]
pub async fn list_contacts(hallway: Hallway<'_>) -> Result<Vec<Contact>, IpcError> {
    Ok(hallway.contacts().list().await)
}

/// Sets **My status**.
#[tauri::command]
#[specta::specta]
pub async fn set_my_presence(hallway: Hallway<'_>, presence: MyPresence) -> Result<(), IpcError> {
    Ok(hallway.profile().set_my_presence(presence).await?)
}

/// A page of history, oldest first (older pages may come from the server archive).
#[tauri::command]
#[specta::specta]
pub async fn load_history(
    hallway: Hallway<'_>,
    peer: String,
    before_id: Option<i64>,
    limit: u32,
) -> Result<Vec<Message>, IpcError> {
    Ok(hallway
        .history()
        .load_history(&peer, before_id, limit)
        .await?)
}

/// Stores and sends a message; the window sees it through `MessagesReceived`. Its id.
#[tauri::command]
#[specta::specta]
pub async fn send_message(
    hallway: Hallway<'_>,
    peer: String,
    body: String,
) -> Result<i64, IpcError> {
    Ok(hallway.chats().send_message(&peer, &body).await?.id)
}

/// Sends a failed message again.
#[tauri::command]
#[specta::specta]
pub async fn retry_message(hallway: Hallway<'_>, id: i64) -> Result<(), IpcError> {
    Ok(hallway.chats().retry_message(id).await?)
}

/// Marks a conversation read.
#[tauri::command]
#[specta::specta]
pub async fn mark_read(hallway: Hallway<'_>, peer: String) -> Result<(), IpcError> {
    Ok(hallway.chats().mark_read(&peer).await?)
}

/// The page of history around a message (a search result opens there), oldest first.
#[tauri::command]
#[specta::specta]
pub async fn load_history_around(
    hallway: Hallway<'_>,
    id: i64,
    limit: u32,
) -> Result<Vec<Message>, IpcError> {
    Ok(hallway.chats().load_history_around(id, limit)?)
}

/// Full-text search over every conversation, newest first.
#[tauri::command]
#[specta::specta]
pub async fn search_messages(
    hallway: Hallway<'_>,
    query: String,
) -> Result<Vec<SearchResult>, IpcError> {
    Ok(hallway.chats().search_messages(&query)?)
}

/// Whether the server can search its archive's text (XEP-0431), for "Search on server".
#[tauri::command]
#[specta::specta]
pub async fn can_search_server(hallway: Hallway<'_>) -> Result<bool, IpcError> {
    Ok(hallway.history().can_search_server().await)
}

/// One page of matches from the server archive, newest first (`older` pages on).
#[tauri::command]
#[specta::specta]
pub async fn search_server(
    hallway: Hallway<'_>,
    query: String,
    older: Option<String>,
) -> Result<ServerSearchPage, IpcError> {
    Ok(hallway.history().search_server(&query, older).await?)
}

/// Brings a server match into local history; returns its message id.
#[tauri::command]
#[specta::specta]
pub async fn fetch_archived_message(
    hallway: Hallway<'_>,
    peer: String,
    archive_id: String,
    origin_id: Option<String>,
) -> Result<i64, IpcError> {
    Ok(hallway
        .history()
        .fetch_archived_message(&peer, &archive_id, origin_id.as_deref())
        .await?)
}

/// Whether desktop notifications show the message text.
#[tauri::command]
#[specta::specta]
pub async fn set_notification_previews(hallway: Hallway<'_>, show: bool) -> Result<(), IpcError> {
    Ok(hallway.settings().set_notification_previews(show)?)
}

/// Pictures up to this many bytes get a preview without asking (0: never).
#[tauri::command]
#[specta::specta]
pub async fn set_preview_limit(hallway: Hallway<'_>, bytes: u64) -> Result<(), IpcError> {
    Ok(hallway.settings().set_preview_limit(bytes)?)
}

/// The largest file accepted straight from a contact's device (XEP-0234).
#[tauri::command]
#[specta::specta]
pub async fn set_max_incoming_file(hallway: Hallway<'_>, bytes: u64) -> Result<(), IpcError> {
    Ok(hallway.settings().set_max_incoming_file(bytes)?)
}

/// Whether contacts asking for our client's version (XEP-0092) learn the operating system.
#[tauri::command]
#[specta::specta]
pub async fn set_share_os(hallway: Hallway<'_>, share: bool) -> Result<(), IpcError> {
    Ok(hallway.settings().set_share_os(share)?)
}

/// Our rooms (XEP-0045), with where we stand in each.
#[tauri::command]
#[specta::specta]
pub async fn list_rooms(hallway: Hallway<'_>) -> Result<Vec<Room>, IpcError> {
    Ok(hallway.rooms().list().await?)
}

/// **Join** a room by its address with a nickname (and the password it asked for, if any); the
/// outcome comes as `RoomsChanged`.
#[tauri::command]
#[specta::specta]
pub async fn join_room(
    hallway: Hallway<'_>,
    address: String,
    nick: String,
    password: Option<Password>,
) -> Result<Room, IpcError> {
    let rooms = hallway.rooms();
    Ok(rooms
        .join_room_with_password(&address, &nick, password)
        .await?)
}

/// **Create room**: a new persistent room on the server's room service, open or members-only,
/// entered as `nick`; the outcome comes as `RoomsChanged`.
#[tauri::command]
#[specta::specta]
pub async fn create_room(
    hallway: Hallway<'_>,
    name: String,
    description: String,
    members_only: bool,
    nick: String,
) -> Result<Room, IpcError> {
    let rooms = hallway.rooms();
    Ok(rooms
        .create_room(&name, &description, members_only, &nick)
        .await?)
}

/// **Browse rooms**: the public rooms of the server's room service.
#[tauri::command]
#[specta::specta]
pub async fn browse_rooms(hallway: Hallway<'_>) -> Result<Vec<PublicRoom>, IpcError> {
    Ok(hallway.rooms().browse_rooms().await?)
}

/// Invitations to rooms waiting for an answer (newest first).
#[tauri::command]
#[specta::specta]
pub async fn list_invitations(hallway: Hallway<'_>) -> Result<Vec<Invitation>, IpcError> {
    Ok(hallway.rooms().invitations().await?)
}

/// **Join** a room we were invited to, as `nick`.
#[tauri::command]
#[specta::specta]
pub async fn accept_invitation(
    hallway: Hallway<'_>,
    room: String,
    nick: String,
) -> Result<Room, IpcError> {
    Ok(hallway.rooms().accept_invitation(&room, &nick).await?)
}

/// **Decline** an invitation to a room.
#[tauri::command]
#[specta::specta]
pub async fn decline_invitation(hallway: Hallway<'_>, room: String) -> Result<(), IpcError> {
    Ok(hallway.rooms().decline_invitation(&room).await?)
}

/// **Invite people**: ask a contact into one of our rooms (a member first where we may).
#[tauri::command]
#[specta::specta]
pub async fn invite_to_room(
    hallway: Hallway<'_>,
    room: String,
    contact: String,
    reason: String,
) -> Result<(), IpcError> {
    Ok(hallway.rooms().invite(&room, &contact, &reason).await?)
}

/// **Leave** a room (here and on our other devices; its history stays).
#[tauri::command]
#[specta::specta]
pub async fn leave_room(hallway: Hallway<'_>, room: String) -> Result<(), IpcError> {
    Ok(hallway.rooms().leave_room(&room).await?)
}

/// Who is in a room now.
#[tauri::command]
#[specta::specta]
pub async fn list_occupants(hallway: Hallway<'_>, room: String) -> Result<Vec<Occupant>, IpcError> {
    Ok(hallway.rooms().occupants(&room).await?)
}

/// When a room's messages notify: all, mentions of us, nothing.
#[tauri::command]
#[specta::specta]
pub async fn set_room_notify(
    hallway: Hallway<'_>,
    room: String,
    notify: RoomNotify,
) -> Result<(), IpcError> {
    Ok(hallway.rooms().set_room_notify(&room, notify).await?)
}

/// **Change subject** of a room (moderators).
#[tauri::command]
#[specta::specta]
pub async fn set_room_subject(
    hallway: Hallway<'_>,
    room: String,
    subject: String,
) -> Result<(), IpcError> {
    Ok(hallway.rooms().set_room_subject(&room, &subject).await?)
}

/// **Kick**, **Ban**, membership or moderator rights for someone in a room, with a reason.
#[tauri::command]
#[specta::specta]
pub async fn moderate_occupant(
    hallway: Hallway<'_>,
    room: String,
    nick: String,
    action: OccupantAction,
    reason: String,
) -> Result<(), IpcError> {
    let rooms = hallway.rooms();
    Ok(rooms.moderate(&room, &nick, action, &reason).await?)
}

/// A room's settings as its owner edits them (**Room settings**).
#[tauri::command]
#[specta::specta]
pub async fn get_room_settings(
    hallway: Hallway<'_>,
    room: String,
) -> Result<RoomSettings, IpcError> {
    Ok(hallway.rooms().room_settings(&room).await?)
}

/// **Save** a room's name, description and openness (owners).
#[tauri::command]
#[specta::specta]
pub async fn change_room_settings(
    hallway: Hallway<'_>,
    room: String,
    settings: RoomSettings,
) -> Result<(), IpcError> {
    Ok(hallway
        .rooms()
        .change_room_settings(&room, settings)
        .await?)
}

/// **Destroy room** for everyone (owners); it is left here like Leave room.
#[tauri::command]
#[specta::specta]
pub async fn destroy_room(
    hallway: Hallway<'_>,
    room: String,
    reason: String,
) -> Result<(), IpcError> {
    Ok(hallway.rooms().destroy_room(&room, &reason).await?)
}

/// The conversation on screen and whether the window has the focus (no notifications for it).
#[tauri::command]
#[specta::specta]
pub async fn set_visible_conversation(
    hallway: Hallway<'_>,
    peer: Option<String>,
    focused: bool,
) -> Result<(), IpcError> {
    hallway.chats().set_visible_conversation(peer, focused);
    Ok(())
}

/// **Add contact**: roster item plus a subscription request.
#[tauri::command]
#[specta::specta]
pub async fn add_contact(
    hallway: Hallway<'_>,
    address: String,
    name: String,
    group: String,
) -> Result<(), IpcError> {
    Ok(hallway
        .contacts()
        .add_contact(&address, &name, &group)
        .await?)
}

/// Renames a contact.
#[tauri::command]
#[specta::specta]
pub async fn rename_contact(
    hallway: Hallway<'_>,
    jid: String,
    name: String,
) -> Result<(), IpcError> {
    Ok(hallway.contacts().rename_contact(&jid, &name).await?)
}

/// Moves a contact to these groups.
#[tauri::command]
#[specta::specta]
pub async fn set_contact_groups(
    hallway: Hallway<'_>,
    jid: String,
    groups: Vec<String>,
) -> Result<(), IpcError> {
    Ok(hallway.contacts().set_contact_groups(&jid, groups).await?)
}

/// Removes a contact (and both subscriptions).
#[tauri::command]
#[specta::specta]
pub async fn remove_contact(hallway: Hallway<'_>, jid: String) -> Result<(), IpcError> {
    Ok(hallway.contacts().remove_contact(&jid).await?)
}

/// **Accept** a subscription request (and subscribe back).
#[tauri::command]
#[specta::specta]
pub async fn accept_subscription(hallway: Hallway<'_>, jid: String) -> Result<(), IpcError> {
    Ok(hallway.contacts().accept_subscription(&jid).await?)
}

/// **Decline** a subscription request.
#[tauri::command]
#[specta::specta]
pub async fn decline_subscription(hallway: Hallway<'_>, jid: String) -> Result<(), IpcError> {
    Ok(hallway.contacts().decline_subscription(&jid).await?)
}

/// Subscription requests waiting for an answer.
#[tauri::command]
#[specta::specta]
pub async fn list_subscription_requests(
    hallway: Hallway<'_>,
) -> Result<Vec<SubscriptionRequest>, IpcError> {
    Ok(hallway.contacts().subscription_requests().await)
}

/// People outside the contacts who wrote ("Requests").
#[tauri::command]
#[specta::specta]
pub async fn list_message_requests(hallway: Hallway<'_>) -> Result<Vec<MessageRequest>, IpcError> {
    Ok(hallway.contacts().message_requests().await)
}

/// Blocks an address (XEP-0191).
#[tauri::command]
#[specta::specta]
pub async fn block_contact(hallway: Hallway<'_>, jid: String) -> Result<(), IpcError> {
    Ok(hallway.contacts().block_contact(&jid).await?)
}

/// Unblocks an address.
#[tauri::command]
#[specta::specta]
pub async fn unblock_contact(hallway: Hallway<'_>, jid: String) -> Result<(), IpcError> {
    Ok(hallway.contacts().unblock_contact(&jid).await?)
}

/// Devices, business card and last seen of a contact.
#[tauri::command]
#[specta::specta]
pub async fn get_contact_details(
    hallway: Hallway<'_>,
    jid: String,
) -> Result<ContactDetails, IpcError> {
    Ok(hallway.contacts().contact_details(&jid).await?)
}

/// Our own business card.
#[tauri::command]
#[specta::specta]
pub async fn get_my_profile(hallway: Hallway<'_>) -> Result<VCardFields, IpcError> {
    Ok(hallway.profile().my_profile().await?)
}

/// Publishes our business card.
#[tauri::command]
#[specta::specta]
pub async fn set_my_profile(hallway: Hallway<'_>, profile: VCardFields) -> Result<(), IpcError> {
    Ok(hallway.profile().set_my_profile(profile).await?)
}

/// Publishes our avatar (base64 of a small PNG/JPEG the UI scaled); returns its hash.
#[tauri::command]
#[specta::specta]
pub async fn set_my_avatar(hallway: Hallway<'_>, image_base64: String) -> Result<String, IpcError> {
    let bytes = crate::avatar_url::decode(&image_base64)?;
    Ok(hallway.profile().set_my_avatar(bytes).await?)
}

/// A cached avatar as a `data:` URL (`None` when not cached).
#[tauri::command]
#[specta::specta]
pub async fn get_avatar(hallway: Hallway<'_>, hash: String) -> Result<Option<String>, IpcError> {
    Ok(hallway
        .profile()
        .avatar_image(&hash)
        .map(|(bytes, mime)| crate::avatar_url::data_url(&bytes, mime)))
}

/// Automatic away settings.
#[tauri::command]
#[specta::specta]
pub async fn set_auto_away(
    hallway: Hallway<'_>,
    settings: AutoAwaySettings,
) -> Result<(), IpcError> {
    Ok(hallway.profile().set_auto_away(settings)?)
}

/// The addresses we block (the list the window shows under Settings).
#[tauri::command]
#[specta::specta]
pub async fn list_blocked(hallway: Hallway<'_>) -> Result<Vec<String>, IpcError> {
    Ok(hallway.contacts().blocked_addresses().await)
}

/// Whether the server takes file uploads, and the largest file it takes (XEP-0363).
#[tauri::command]
#[specta::specta]
pub async fn get_upload_limit(hallway: Hallway<'_>) -> Result<UploadLimit, IpcError> {
    Ok(hallway.files().upload_limit().await?)
}

/// Starts handing a file from the window (picked, dropped or pasted) to the app; returns its
/// staging id for `append_staged_file` and `send_staged_file`.
#[tauri::command]
#[specta::specta]
pub async fn stage_file(hallway: Hallway<'_>, name: String) -> Result<String, IpcError> {
    Ok(hallway.files().stage_file_begin(&name)?)
}

/// Appends a base64 chunk to a staged file.
#[tauri::command]
#[specta::specta]
pub async fn append_staged_file(
    hallway: Hallway<'_>,
    staging_id: String,
    chunk_base64: String,
) -> Result<(), IpcError> {
    let bytes = crate::avatar_url::decode(&chunk_base64)?;
    Ok(hallway.files().stage_file_append(&staging_id, &bytes)?)
}

/// Throws a staged file away (removed before sending).
#[tauri::command]
#[specta::specta]
pub async fn discard_staged_file(hallway: Hallway<'_>, staging_id: String) -> Result<(), IpcError> {
    Ok(hallway.files().discard_staged_file(&staging_id)?)
}

/// Sends a staged file (upload, then the message with its URL).
#[tauri::command]
#[specta::specta]
pub async fn send_staged_file(
    hallway: Hallway<'_>,
    peer: String,
    staging_id: String,
) -> Result<i64, IpcError> {
    Ok(hallway
        .files()
        .send_staged_file(&peer, &staging_id)
        .await?
        .id)
}

/// Stops an upload or download.
#[tauri::command]
#[specta::specta]
pub async fn cancel_transfer(hallway: Hallway<'_>, id: i64) -> Result<(), IpcError> {
    Ok(hallway.files().cancel_transfer(id).await?)
}

/// Downloads a message's file into the Downloads folder.
#[tauri::command]
#[specta::specta]
pub async fn download_file(hallway: Hallway<'_>, id: i64) -> Result<(), IpcError> {
    Ok(hallway.files().download_file(id).await?)
}

/// Asks the server for a received file's size and type.
#[tauri::command]
#[specta::specta]
pub async fn inspect_file(hallway: Hallway<'_>, id: i64) -> Result<(), IpcError> {
    Ok(hallway.files().inspect_file(id).await?)
}

/// A picture's preview as a `data:` URL (`None` when there is none to show).
#[tauri::command]
#[specta::specta]
pub async fn get_file_preview(hallway: Hallway<'_>, id: i64) -> Result<Option<String>, IpcError> {
    Ok(hallway.files().file_preview(id).await?)
}

/// Opens a downloaded or sent file with the system's default app (never programs or scripts).
#[tauri::command]
#[specta::specta]
pub async fn open_file(hallway: Hallway<'_>, id: i64) -> Result<(), IpcError> {
    let path = hallway.files().file_to_open(id)?;
    tauri_plugin_opener::open_path(path, None::<&str>).map_err(crate::error::os_failure)
}

/// Shows a downloaded or sent file in the system's file manager.
#[tauri::command]
#[specta::specta]
pub async fn show_file_in_folder(hallway: Hallway<'_>, id: i64) -> Result<(), IpcError> {
    let path = hallway.files().local_file(id)?;
    tauri_plugin_opener::reveal_item_in_dir(path).map_err(crate::error::os_failure)
}

/// Whether the contact has a device online that can receive a file directly (XEP-0234).
#[tauri::command]
#[specta::specta]
pub async fn can_send_directly(hallway: Hallway<'_>, peer: String) -> Result<bool, IpcError> {
    Ok(hallway.files().can_send_directly(&peer).await?)
}

/// Sends a staged file straight to the contact's device (Jingle, in-band).
#[tauri::command]
#[specta::specta]
pub async fn send_staged_file_directly(
    hallway: Hallway<'_>,
    peer: String,
    staging_id: String,
) -> Result<i64, IpcError> {
    Ok(hallway
        .files()
        .send_staged_file_directly(&peer, &staging_id)
        .await?
        .id)
}

/// Accepts a file a contact offers directly.
#[tauri::command]
#[specta::specta]
pub async fn accept_file(hallway: Hallway<'_>, id: i64) -> Result<(), IpcError> {
    Ok(hallway.files().accept_file(id).await?)
}

/// Declines a file a contact offers directly.
#[tauri::command]
#[specta::specta]
pub async fn decline_file(hallway: Hallway<'_>, id: i64) -> Result<(), IpcError> {
    Ok(hallway.files().decline_file(id).await?)
}
