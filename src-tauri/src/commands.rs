//! Tauri commands: thin adapters from IPC to `hallway_core::Messenger` (verbs; no logic here).

use std::sync::Arc;

use hallway_core::Messenger;
use hallway_model::{AppSnapshot, Contact, Message, MyPresence, SearchResult, SignInRequest};
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
    Ok(hallway.contacts().await)
}

/// Sets **My status**.
#[tauri::command]
#[specta::specta]
pub async fn set_my_presence(hallway: Hallway<'_>, presence: MyPresence) -> Result<(), IpcError> {
    Ok(hallway.set_my_presence(presence).await?)
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
    Ok(hallway.load_history(&peer, before_id, limit).await?)
}

/// Stores and sends a message.
#[tauri::command]
#[specta::specta]
pub async fn send_message(
    hallway: Hallway<'_>,
    peer: String,
    body: String,
) -> Result<Message, IpcError> {
    Ok(hallway.send_message(&peer, &body).await?)
}

/// Sends a failed message again.
#[tauri::command]
#[specta::specta]
pub async fn retry_message(hallway: Hallway<'_>, id: i64) -> Result<(), IpcError> {
    Ok(hallway.retry_message(id).await?)
}

/// Marks a conversation read.
#[tauri::command]
#[specta::specta]
pub async fn mark_read(hallway: Hallway<'_>, peer: String) -> Result<(), IpcError> {
    Ok(hallway.mark_read(&peer).await?)
}

/// The page of history around a message (a search result opens there), oldest first.
#[tauri::command]
#[specta::specta]
pub async fn load_history_around(
    hallway: Hallway<'_>,
    id: i64,
    limit: u32,
) -> Result<Vec<Message>, IpcError> {
    Ok(hallway.load_history_around(id, limit)?)
}

/// Full-text search over every conversation, newest first.
#[tauri::command]
#[specta::specta]
pub async fn search_messages(
    hallway: Hallway<'_>,
    query: String,
) -> Result<Vec<SearchResult>, IpcError> {
    Ok(hallway.search_messages(&query)?)
}

/// Whether desktop notifications show the message text.
#[tauri::command]
#[specta::specta]
pub async fn set_notification_previews(hallway: Hallway<'_>, show: bool) -> Result<(), IpcError> {
    Ok(hallway.set_notification_previews(show)?)
}

/// The conversation on screen and whether the window has the focus (no notifications for it).
#[tauri::command]
#[specta::specta]
pub async fn set_visible_conversation(
    hallway: Hallway<'_>,
    peer: Option<String>,
    focused: bool,
) -> Result<(), IpcError> {
    hallway.set_visible_conversation(peer, focused);
    Ok(())
}
