//! Tauri build script. The app manifest lists our commands so the capability file can grant
//! exactly these (and nothing else) to the main window.
fn main() {
    let commands: &[&str] = &[
        "get_app_state",
        "sign_in",
        "trust_certificate",
        "sign_out",
        "list_contacts",
        "set_my_presence",
        "load_history",
        "send_message",
        "retry_message",
        "mark_read",
        "load_history_around",
        "search_messages",
        "set_notification_previews",
        "set_visible_conversation",
        "add_contact",
        "rename_contact",
        "set_contact_groups",
        "remove_contact",
        "accept_subscription",
        "decline_subscription",
        "list_subscription_requests",
        "list_message_requests",
        "block_contact",
        "unblock_contact",
        "get_contact_details",
        "get_my_profile",
        "set_my_profile",
        "set_my_avatar",
        "get_avatar",
        "set_auto_away",
        "get_upload_limit",
        "stage_file",
        "append_staged_file",
        "discard_staged_file",
        "send_staged_file",
        "cancel_transfer",
        "download_file",
        "inspect_file",
        "get_file_preview",
        "open_file",
        "show_file_in_folder",
        "can_send_directly",
        "send_staged_file_directly",
        "accept_file",
        "decline_file",
        "set_preview_limit",
        "list_blocked",
    ];
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri build script failed: {e:#}");
    }
}
