//! Desktop notifications for new messages, and opening the conversation when one is clicked.
//! Linux: straight to the freedesktop notification service over D-Bus, with a "default" action
//! (what a click on the notification invokes). Elsewhere: tauri-plugin-notification, which offers no
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
    if let Some(window) = app.get_webview_window("main") {
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
    //! One D-Bus connection for all notifications: the service sends `ActionInvoked` only to the
    //! connection that showed the notification, and one listener on it maps ids to
    //! conversations. (Waiting per notification would park a thread for every notification a
    //! desktop keeps in its history without ever closing it.)

    use std::collections::{HashMap, VecDeque};
    use std::sync::{Arc, Mutex, OnceLock};

    use super::*;

    const DEST: &str = "org.freedesktop.Notifications";
    const PATH: &str = "/org/freedesktop/Notifications";
    /// Notifications whose click we remember; older ones are forgotten (a click on one of them
    /// brings nothing up).
    const REMEMBERED: usize = 64;

    struct Service {
        proxy: zbus::blocking::Proxy<'static>,
        markup: bool,
        shown: Mutex<VecDeque<(u32, Option<String>)>>,
    }

    impl Service {
        fn connect(app: AppHandle) -> zbus::Result<Arc<Service>> {
            let conn = zbus::blocking::Connection::session()?;
            let proxy = zbus::blocking::Proxy::new(&conn, DEST, PATH, DEST)?;
            let caps: Vec<String> = proxy.call("GetCapabilities", &()).unwrap_or_default();
            let service = Arc::new(Service {
                markup: caps.iter().any(|c| c == "body-markup"),
                proxy,
                shown: Mutex::new(VecDeque::new()),
            });
            let actions = service.proxy.receive_signal("ActionInvoked")?;
            let listener = service.clone();
            std::thread::Builder::new()
                .name("notification-clicks".into())
                .spawn(move || {
                    for signal in actions {
                        let Ok((id, action)) = signal.body().deserialize::<(u32, String)>() else {
                            continue;
                        };
                        if action != "default" {
                            continue;
                        }
                        let known = {
                            let mut shown =
                                listener.shown.lock().unwrap_or_else(|p| p.into_inner());
                            shown
                                .iter()
                                .position(|(i, _)| *i == id)
                                .and_then(|at| shown.remove(at))
                        };
                        if let Some((_, peer)) = known {
                            clicked(&app, peer);
                        }
                    }
                })
                .map_err(|e| zbus::Error::Failure(e.to_string()))?;
            Ok(service)
        }

        fn show(&self, n: &Notification) -> zbus::Result<()> {
            let hints: HashMap<&str, zbus::zvariant::Value<'_>> = HashMap::new();
            // The "default" action is what clicking the notification itself invokes.
            let id: u32 = self.proxy.call(
                "Notify",
                &(
                    "Hallway",
                    0u32,
                    "mail-message-new",
                    n.title.as_str(),
                    body_text(&n.body, self.markup),
                    vec!["default", "Open"],
                    hints,
                    -1i32,
                ),
            )?;
            let mut shown = self.shown.lock().unwrap_or_else(|p| p.into_inner());
            if shown.len() >= REMEMBERED {
                shown.pop_front();
            }
            shown.push_back((id, n.peer.clone()));
            Ok(())
        }
    }

    /// The service, connected on first use (`None`: no session bus or no notification service;
    /// asked again next time).
    fn service(app: &AppHandle) -> Option<Arc<Service>> {
        static SERVICE: OnceLock<Mutex<Option<Arc<Service>>>> = OnceLock::new();
        let slot = SERVICE.get_or_init(|| Mutex::new(None));
        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            match Service::connect(app.clone()) {
                Ok(s) => *slot = Some(s),
                Err(e) => tracing::debug!("no notification service: {e}"),
            }
        }
        slot.clone()
    }

    pub fn show(app: AppHandle, n: Notification) {
        // D-Bus calls block: off the event task.
        let spawned = std::thread::Builder::new()
            .name("notification".into())
            .spawn(move || {
                if let Some(service) = service(&app) {
                    if let Err(e) = service.show(&n) {
                        tracing::debug!("notification not shown: {e}");
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("notification not shown: {e}");
        }
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
