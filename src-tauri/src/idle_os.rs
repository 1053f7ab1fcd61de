//! The OS idle time for automatic away. Linux/X11 (also XWayland sessions): the
//! MIT-SCREEN-SAVER extension's time since the last input, and "screen saver on" as a locked
//! screen. Windows and macOS: the user-idle crate. Anything else (pure Wayland without X):
//! unknown, so automatic away stays off rather than guessing.

use std::time::Duration;

use hallway_core::idle::IdleSource;

/// The platform's idle source.
pub fn source() -> std::sync::Arc<dyn IdleSource> {
    std::sync::Arc::new(OsIdle::new())
}

#[cfg(target_os = "linux")]
struct OsIdle {
    conn: std::sync::Mutex<Option<(x11rb::rust_connection::RustConnection, u32)>>,
}

#[cfg(target_os = "linux")]
impl OsIdle {
    fn new() -> Self {
        Self::connect(None)
    }

    /// Connects to `display` (`None`: `$DISPLAY`).
    fn connect(display: Option<&str>) -> Self {
        let conn = match x11rb::connect(display) {
            Ok((c, screen)) => {
                use x11rb::connection::Connection;
                let root = c.setup().roots.get(screen).map(|s| s.root);
                root.map(|r| (c, r))
            }
            Err(e) => {
                tracing::info!("no X11 display for idle time ({e}); automatic away is off");
                None
            }
        };
        Self {
            conn: std::sync::Mutex::new(conn),
        }
    }

    fn query(&self) -> Option<(Duration, bool)> {
        use x11rb::protocol::screensaver::{ConnectionExt, State};
        let guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let (conn, root) = guard.as_ref()?;
        let info = conn.screensaver_query_info(*root).ok()?.reply().ok()?;
        Some((
            Duration::from_millis(u64::from(info.ms_since_user_input)),
            info.state == u8::from(State::ON),
        ))
    }
}

#[cfg(target_os = "linux")]
impl IdleSource for OsIdle {
    fn idle_time(&self) -> Option<Duration> {
        self.query().map(|q| q.0)
    }
    fn screen_locked(&self) -> bool {
        self.query().is_some_and(|q| q.1)
    }
}

#[cfg(any(windows, target_os = "macos"))]
struct OsIdle;

#[cfg(any(windows, target_os = "macos"))]
impl OsIdle {
    fn new() -> Self {
        Self
    }
}

#[cfg(any(windows, target_os = "macos"))]
impl IdleSource for OsIdle {
    fn idle_time(&self) -> Option<Duration> {
        user_idle::UserIdle::get_time()
            .ok()
            .map(|t| Duration::from_secs(t.as_seconds()))
    }
}

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
struct OsIdle;

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
impl OsIdle {
    fn new() -> Self {
        Self
    }
}

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
impl IdleSource for OsIdle {
    fn idle_time(&self) -> Option<Duration> {
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// A real X server (Xvfb, installed by `make deps` for the E2E tests) answers the
    /// MIT-SCREEN-SAVER query, and the idle time grows while nobody types.
    #[test]
    fn reads_x11_idle_time_from_a_real_x_server() {
        // Xvfb picks a free display itself and writes its number (a display guessed from the
        // pid collided with other X servers on a busy machine).
        let mut xvfb = std::process::Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("Xvfb (make deps installs it)");
        let mut number = String::new();
        if let Some(out) = xvfb.stdout.take() {
            use std::io::BufRead;
            let _ = std::io::BufReader::new(out).read_line(&mut number);
        }
        let display = format!(":{}", number.trim());
        let mut idle = None;
        for _ in 0..50 {
            std::thread::sleep(Duration::from_millis(100));
            let s = OsIdle::connect(Some(&display));
            if let Some(a) = s.idle_time() {
                idle = Some((s, a));
                break;
            }
        }
        let (s, a) = idle.expect("Xvfb answers MIT-SCREEN-SAVER");
        std::thread::sleep(Duration::from_millis(300));
        let b = s.idle_time().expect("still answers");
        let _ = xvfb.kill();
        let _ = xvfb.wait();
        assert!(b > a, "idle time grows without input: {a:?} then {b:?}");
        assert!(!s.screen_locked(), "a fresh X server's screen saver is off");
    }
}
