//! Desktop notifications for new messages, and opening the conversation when one is clicked.
//! Linux: straight to the freedesktop notification service, with a "default" action (what a
//! click on the notification invokes). Elsewhere: tauri-plugin-notification, which offers no
//! click callback on desktop.

use hallway_core::notify::Notification;
use tauri::AppHandle;

/// The user clicked a message notification: the window shows its conversation.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type, tauri_specta::Event)]
pub struct NotificationClicked {
    /// Its conversation (`None` for a summary of several).
    pub peer: Option<String>,
}

/// Shows `n`; never blocks the caller.
#[cfg(target_os = "linux")]
pub fn show(app: &AppHandle, n: Notification) {
    linux::show(app.clone(), n);
}

#[cfg(not(target_os = "linux"))]
pub fn show(app: &AppHandle, n: Notification) {
    use tauri_plugin_notification::NotificationExt;
    if let Err(e) = app
        .notification()
        .builder()
        .title(&n.title)
        .body(&n.body)
        .show()
    {
        tracing::debug!("notification not shown: {e}");
    }
}

/// Brings the window forward and tells the UI which conversation to show.
fn clicked(app: &AppHandle, peer: Option<String>) {
    use tauri::Manager;
    use tauri_specta::Event;
    if let Some(window) = app.webview_windows().values().next() {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    if let Err(e) = (NotificationClicked { peer }).emit(app) {
        tracing::warn!("could not tell the window about a notification click: {e}");
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::OnceLock;

    use super::*;

    /// Notifications whose click we still wait for (one thread each, until the notification is
    /// closed). Beyond this, new ones are shown without a click action.
    const MAX_WAITING: usize = 16;
    static WAITING: AtomicUsize = AtomicUsize::new(0);

    pub fn show(app: AppHandle, n: Notification) {
        // D-Bus calls block: off the event task.
        let spawned = std::thread::Builder::new()
            .name("notification".into())
            .spawn(move || show_and_wait(app, n));
        if let Err(e) = spawned {
            tracing::warn!("notification not shown: {e}");
        }
    }

    fn show_and_wait(app: AppHandle, n: Notification) {
        let mut note = notify_rust::Notification::new();
        note.appname("Hallway")
            .summary(&n.title)
            .body(&body_text(&n.body, markup_in_body()))
            .icon("mail-message-new");
        let wait = WAITING.fetch_add(1, Ordering::SeqCst) < MAX_WAITING;
        if wait {
            // The "default" action is what clicking the notification itself invokes.
            note.action("default", "Open");
        }
        match note.show() {
            Ok(handle) if wait => handle.wait_for_action(|action| {
                if action == "default" {
                    clicked(&app, n.peer.clone());
                }
            }),
            Ok(_) => {}
            Err(e) => tracing::debug!("notification not shown: {e}"),
        }
        WAITING.fetch_sub(1, Ordering::SeqCst);
    }

    /// Whether the notification service reads the body as markup (then `<`, `&` in a message
    /// must be escaped, or a stranger's text could format or hide parts of it).
    fn markup_in_body() -> bool {
        static MARKUP: OnceLock<bool> = OnceLock::new();
        *MARKUP.get_or_init(|| {
            notify_rust::get_capabilities()
                .map(|caps| caps.iter().any(|c| c == "body-markup"))
                .unwrap_or(true)
        })
    }
}

/// The body as the notification service must get it: escaped when it reads markup.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn body_text(body: &str, markup: bool) -> String {
    if !markup {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::body_text;

    #[test]
    fn a_body_read_as_markup_is_escaped() {
        assert_eq!(
            body_text("<b>5 < 6</b> & <a href='x'>y</a>", true),
            "&lt;b&gt;5 &lt; 6&lt;/b&gt; &amp; &lt;a href='x'&gt;y&lt;/a&gt;"
        );
        assert_eq!(body_text("<b>plain</b>", false), "<b>plain</b>");
    }
}
