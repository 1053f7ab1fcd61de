//! Hallway's Tauri shell: builds the window, registers the commands and events, and forwards
//! core events to the UI. All messenger logic lives in `hallway-core`.
// No unsafe code here, whatever an inner attribute says: the only `unsafe` of the workspace is
// the allocator tuning in src-tauri/src/main.rs (a crate of its own).
#![forbid(unsafe_code)]

pub mod avatar_url;
pub mod bindings;
pub mod commands;
pub mod error;
pub mod events;
pub mod idle_os;
pub mod notifications;
#[cfg(target_os = "linux")]
pub mod renderer;

use std::sync::Arc;

use hallway_core::keychain::{Keychain, NoKeychain, OsKeychain};
use hallway_core::{Messenger, MessengerOptions};
use hallway_model::SignInRequest;

/// Starts the app; returns when the last window closes.
pub fn run() -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HALLWAY_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,tokio_xmpp=warn,xmpp_parsers=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    // Before anything starts a thread or a window: WebKit reads it when it starts.
    #[cfg(target_os = "linux")]
    renderer::choose();
    let data_dir = hallway_core::paths::data_dir();
    // HALLWAY_NO_KEYCHAIN: tests and demos must not touch the user's real keychain.
    let keychain: Arc<dyn Keychain> = if std::env::var_os("HALLWAY_NO_KEYCHAIN").is_some() {
        Arc::new(NoKeychain)
    } else {
        Arc::new(OsKeychain)
    };
    let (messenger, events) = Messenger::open(MessengerOptions {
        data_dir: data_dir.clone(),
        keychain,
        catch_up_limit: hallway_core::DEFAULT_CATCH_UP_LIMIT,
        idle_source: idle_os::source(),
        idle_poll: hallway_core::DEFAULT_IDLE_POLL,
        downloads_dir: hallway_core::paths::downloads_dir(),
        host_overrides: Vec::new(),
        allow_local_candidates: false,
        room_self_ping_after: hallway_core::DEFAULT_ROOM_SELF_PING_AFTER,
    })
    .map_err(|e| e.to_string())?;
    tracing::info!("data folder: {}", data_dir.display());

    // Sign in before the window asks for its first snapshot: the demo's account from the
    // environment (never remembered), else the remembered account.
    let m = messenger.clone();
    tauri::async_runtime::block_on(async move {
        match demo_sign_in() {
            Some(req) => {
                if let Err(e) = m.sign_in(req).await {
                    tracing::error!("sign-in from HALLWAY_SIGN_IN_* failed: {e}");
                }
            }
            None => {
                m.resume_saved().await;
            }
        }
    });

    let builder = bindings::builder();
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .manage(messenger.clone())
        .setup(move |app| {
            builder.mount_events(app);
            // The window is created here (config `create: false`) so its native title follows
            // `document.title`: the UI puts the unread count there, "(3) Hallway", for the taskbar.
            let config = app
                .config()
                .app
                .windows
                .first()
                .cloned()
                .ok_or("no window in tauri.conf.json")?;
            tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
                // Files dropped on a conversation reach the page as HTML5 drops (File objects),
                // like files picked or pasted; the window's own drop handler would give paths.
                .disable_drag_drop_handler()
                .on_document_title_changed(|window, title| {
                    if let Err(e) = window.set_title(&title) {
                        tracing::warn!("could not set the window title: {e}");
                    }
                    // The dock/taskbar badge where the platform has one (macOS, Unity launchers).
                    if let Err(e) = window.set_badge_count(unread_in_title(&title)) {
                        tracing::debug!("no badge on this platform: {e}");
                    }
                })
                .build()?;
            tauri::async_runtime::spawn(events::forward(app.handle().clone(), events));
            Ok(())
        })
        .build(tauri::generate_context!())
        .map_err(|e| e.to_string())?
        .run(move |_app, event| {
            if let tauri::RunEvent::Exit = event {
                let m = messenger.clone();
                tauri::async_runtime::block_on(async move { m.shut_down().await });
            }
        });
    Ok(())
}

/// The unread count the UI put in the title: "(3) Hallway" → 3.
fn unread_in_title(title: &str) -> Option<i64> {
    let rest = title.strip_prefix('(')?;
    let (n, _) = rest.split_once(')')?;
    n.parse().ok().filter(|n: &i64| *n > 0)
}

fn demo_sign_in() -> Option<SignInRequest> {
    let address = std::env::var("HALLWAY_SIGN_IN_ADDRESS").ok()?;
    let password = std::env::var("HALLWAY_SIGN_IN_PASSWORD").ok()?;
    let server = std::env::var("HALLWAY_SIGN_IN_SERVER")
        .ok()
        .filter(|s| !s.is_empty());
    Some(SignInRequest {
        address,
        password: password.into(),
        server,
        remember: false,
    })
}

#[cfg(test)]
mod tests {
    use super::unread_in_title;

    #[test]
    fn reads_the_unread_count_from_the_title() {
        assert_eq!(unread_in_title("(3) Hallway"), Some(3));
        assert_eq!(unread_in_title("Hallway"), None);
        assert_eq!(unread_in_title("(x) Hallway"), None);
        assert_eq!(unread_in_title("(0) Hallway"), None);
    }
}
