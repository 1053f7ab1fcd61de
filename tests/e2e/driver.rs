//! Driving the real app window: tauri-driver → WebKitWebDriver → Hallway under Xvfb, and finding
//! controls by role and accessible name (label text or aria-label), as a screen reader user would.
//! Shared by the end-to-end tests and the window benchmark.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client as Browser, ClientBuilder, Locator};

use crate::support::prosody::{free_port, pki, Prosody, PASSWORD};

pub const ENTER: &str = "\u{E007}";

pub struct Driver {
    child: Child,
    port: u16,
    /// The desktop services the app talks to.
    pub desktop: Desktop,
}

/// What a desktop session gives an app besides the display: a private D-Bus session bus and a
/// notification service on it (dunst, drawing on the Xvfb display), so notifications are real
/// and can be clicked.
pub struct Desktop {
    bus: Child,
    dunst: Child,
    pub bus_address: String,
}

impl Desktop {
    fn start() -> Desktop {
        use std::io::BufRead;
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("dbus-daemon (make deps installs dbus)");
        let mut line = String::new();
        std::io::BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let bus_address = line.trim().to_string();
        assert!(!bus_address.is_empty(), "dbus-daemon printed no address");
        let dunst = Command::new("dunst")
            .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dunst (make deps installs it)");
        let desktop = Desktop {
            bus,
            dunst,
            bus_address,
        };
        // Asked through the bus itself: a call to the notification service before dunst owns its
        // name would make the bus start a second dunst (D-Bus activation).
        let deadline = Instant::now() + Duration::from_secs(10);
        while !desktop.notification_service_up() {
            assert!(
                Instant::now() < deadline,
                "dunst did not come up on the session bus"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        desktop
    }

    fn notification_service_up(&self) -> bool {
        Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.Notifications",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
    }

    fn dunstctl(&self, args: &[&str]) -> std::process::Output {
        Command::new("dunstctl")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .output()
            .expect("dunstctl")
    }

    /// Notifications on screen now.
    pub fn notifications_shown(&self) -> usize {
        let out = self.dunstctl(&["count", "displayed"]);
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    }

    /// Closes every notification on screen.
    pub fn close_notifications(&self) {
        self.dunstctl(&["close-all"]);
    }

    /// Clicks the newest notification on screen (invokes its default action).
    pub fn click_notification(&self) {
        let out = self.dunstctl(&["action", "0"]);
        assert!(
            out.status.success(),
            "dunstctl action: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        let _ = self.dunst.kill();
        let _ = self.dunst.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

impl Driver {
    /// Starts tauri-driver; the app it launches inherits this environment.
    pub fn start(data_dir: &std::path::Path) -> Driver {
        let desktop = Desktop::start();
        let port = free_port();
        let native = free_port();
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("HALLWAY_DATA_DIR", data_dir)
            .env("HALLWAY_DOWNLOADS_DIR", data_dir.join("Downloads"))
            .env("SSL_CERT_FILE", &pki().ca_pem)
            .env("HALLWAY_NO_KEYCHAIN", "1")
            .env("DBUS_SESSION_BUS_ADDRESS", &desktop.bus_address)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver (make deps installs it)");
        Driver {
            child,
            port,
            desktop,
        }
    }

    pub async fn session(&self) -> Browser {
        // fantoccini's HTTP client builds a rustls config even for http://: pick the provider the
        // rest of the app uses.
        let _ = tokio_xmpp::rustls::crypto::ring::default_provider().install_default();
        let app = std::env::var("HALLWAY_APP")
            .expect("HALLWAY_APP: path of the built app (make test-e2e sets it)");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app }),
        );
        let url = format!("http://127.0.0.1:{}", self.port);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // tauri-driver accepts connections before WebKitWebDriver is ready: retry.
            match ClientBuilder::rustls()
                .unwrap()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => return c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM lets tauri-driver stop WebKitWebDriver too.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

pub fn out_dir() -> PathBuf {
    let base = std::env::var_os("HALLWAY_TEST_OUTPUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("hallway-e2e"));
    let dir = base.join("e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Makes the page draw frames for the next 3 s with no visible change: a one-pixel mark in
/// the corner, aria-hidden, flickering between 1% and 2% opacity. WebKitWebDriver's screenshot
/// waits for the page's next frame, and with WebKit's DMA-BUF renderer off (what the app
/// chooses without a GPU) an idle page never draws one: the screenshot would wait until the
/// pointer moved (tests/repro/webkit-dialog, docs/PERFORMANCE.md "Which renderer").
/// Once the screenshot is taken, the mark goes at once (what the caller measures next is not
/// drawn under forced frames).
const DRAW_FRAMES: &str = r#"
const mark = document.createElement('div');
mark.setAttribute('aria-hidden', 'true');
mark.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;background:#000;opacity:0.01';
document.body.append(mark);
let odd = false;
const flicker = setInterval(() => { odd = !odd; mark.style.opacity = odd ? '0.02' : '0.01'; }, 50);
const stop = () => { clearInterval(flicker); mark.remove(); };
const timer = setTimeout(stop, 3000);
window.__hallwayStopDrawing = () => { clearTimeout(timer); stop(); };
return true;"#;
const STOP_DRAWING: &str =
    "if (window.__hallwayStopDrawing) { window.__hallwayStopDrawing(); delete window.__hallwayStopDrawing; } return true;";

pub async fn shot(b: &Browser, name: &str) {
    b.execute(DRAW_FRAMES, vec![]).await.unwrap();
    let png = b.screenshot().await.unwrap();
    b.execute(STOP_DRAWING, vec![]).await.unwrap();
    std::fs::write(out_dir().join(format!("{name}.png")), png).unwrap();
}

pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else {
        format!("concat('{}')", s.replace('\'', "', \"'\", '"))
    }
}

/// A text field by its visible label (or aria-label).
pub fn field(label: &str) -> String {
    let l = xpath_literal(label);
    let lp = xpath_literal(&format!("{label} "));
    format!(
        "//*[(self::input or self::textarea or self::select) and (@aria-label={l} or @id=//label[normalize-space(.)={l} or starts-with(normalize-space(.), {lp})]/@for)]"
    )
}

/// A button by its text or aria-label.
pub fn button(name: &str) -> String {
    let l = xpath_literal(name);
    format!("//button[normalize-space(.)={l} or @aria-label={l}]")
}

/// An element with a role and accessible name.
pub fn role(role: &str, name: &str) -> String {
    format!(
        "//*[@role={} and @aria-label={}]",
        xpath_literal(role),
        xpath_literal(name)
    )
}

/// Waits for an element matching the XPath.
pub async fn wait_el(b: &Browser, xpath: &str, secs: u64) -> Element {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Ok(e) = b.find(Locator::XPath(xpath)).await {
            return e;
        }
        if Instant::now() > deadline {
            let src = b.source().await.unwrap_or_default();
            panic!(
                "no element {xpath} after {secs}s; page:\n{}",
                &src[..src.len().min(4000)]
            );
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits until the element's text satisfies `pred`.
pub async fn wait_text<F: Fn(&str) -> bool>(
    b: &Browser,
    xpath: &str,
    secs: u64,
    what: &str,
    pred: F,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = String::new();
    loop {
        if let Ok(e) = b.find(Locator::XPath(xpath)).await {
            if let Ok(t) = e.text().await {
                if pred(&t) {
                    return t;
                }
                last = t;
            }
        }
        if Instant::now() > deadline {
            panic!(
                "{what}: text of {xpath} never matched; last: {:?}",
                &last[..last.len().min(500)]
            );
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

pub async fn type_into(b: &Browser, xpath: &str, text: &str) {
    let e = wait_el(b, xpath, 10).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

pub async fn sign_in_through_the_form(b: &Browser, server: &Prosody, address: &str) {
    sign_in_at(b, &server.server_field(), address).await;
}

/// Signs in through the form with a given **Server** field (any test server).
pub async fn sign_in_at(b: &Browser, server_field: &str, address: &str) {
    type_into(b, &field("Address"), address).await;
    type_into(b, &field("Password"), PASSWORD).await;
    type_into(b, &field("Server"), server_field).await;
    wait_el(b, &button("Sign in"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_text(b, "//*[@role='status']", 30, "connection status", |t| {
        t == "Online"
    })
    .await;
}

/// A contact row of the list by the start of its accessible name.
pub fn contact_row(name_start: &str) -> String {
    format!(
        "//ul[@aria-label='Contacts']//button[starts-with(@aria-label, {})]",
        xpath_literal(name_start)
    )
}

/// Waits until no element matches the XPath.
pub async fn wait_gone(b: &Browser, xpath: &str, secs: u64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while b.find(Locator::XPath(xpath)).await.is_ok() {
        assert!(Instant::now() < deadline, "{what}: {xpath} still there");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits until no modal dialog is open. A dialog closes when its command returns, which may
/// come after the event that already showed the result; until then the rest of the window is
/// inert and a click there fails (element not interactable).
pub async fn dialog_closed(b: &Browser) {
    wait_gone(b, "//dialog[@open]", 10, "the dialog closed").await;
}

/// The value of `var` in the environment of the running app's WebKit web process (the one
/// whose parent is `HALLWAY_APP`), as the renderer sees it; None when it is not set there.
pub fn web_process_env(var: &str) -> Option<String> {
    let app = std::fs::canonicalize(std::env::var("HALLWAY_APP").unwrap()).unwrap();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let dir = entry.path();
        let Ok(comm) = std::fs::read_to_string(dir.join("comm")) else {
            continue;
        };
        if comm.trim() != "WebKitWebProces" {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else {
            continue;
        };
        // The parent's pid is the second field after the command name in parentheses.
        let Some(ppid) = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
        else {
            continue;
        };
        if std::fs::read_link(format!("/proc/{ppid}/exe"))
            .ok()
            .as_ref()
            != Some(&app)
        {
            continue;
        }
        let environ = std::fs::read(dir.join("environ")).unwrap();
        let prefix = format!("{var}=");
        return environ
            .split(|b| *b == 0)
            .map(String::from_utf8_lossy)
            .find_map(|kv| kv.strip_prefix(&prefix).map(str::to_string));
    }
    panic!("no WebKit web process of {}", app.display());
}
