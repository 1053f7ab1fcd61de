//! A throwaway Prosody 0.12 (Debian's package) in a temp dir: generated CA + certificate, free
//! ports on 127.0.0.1, rosters from mod_groups, stopped on drop. See shared docs prosody.md.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Test users are `{prefix}{n}` for n in 1..=TEAMS, grouped in `Team {n}` with mutual
/// subscriptions (mod_groups), so each test gets its own team of colleagues.
pub const TEAMS: usize = 26;
/// The members of every team: (local part prefix, display-name prefix).
pub const MEMBERS: &[(&str, &str)] = &[
    ("alice", "Alice Archer"),
    ("bob", "Bob Baker"),
    ("carol", "Carol Chen"),
];
/// Accounts in no group (strangers to everyone): `{prefix}{n}` for n in 1..=LONERS, for tests of
/// subscriptions, blocking and message requests.
pub const LONERS: usize = 12;
/// Prefixes of the loner accounts.
pub const LONER_PREFIXES: &[&str] = &["dave", "erin"];
/// Every test account's password.
pub const PASSWORD: &str = "correct horse battery";

/// Which certificate the server presents.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Cert {
    /// Signed by the test CA that `SSL_CERT_FILE` points at.
    TrustedCa,
    /// Self-signed: not trusted by the system; the user must pin it.
    SelfSigned,
}

/// Shared test PKI: one CA for the whole test binary, exported through `SSL_CERT_FILE`
/// (rustls-native-certs reads it, like every rustls user).
pub struct Pki {
    _dir: tempfile::TempDir,
    pub ca_pem: PathBuf,
    pub leaf_crt: PathBuf,
    pub leaf_key: PathBuf,
    pub self_signed_crt: PathBuf,
    pub self_signed_key: PathBuf,
}

/// Runs a command that must succeed (else the test fails with its output); returns its stdout.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (install the test tools: make deps)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The test PKI (created on first use) with `SSL_CERT_FILE` set.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        // RUST_LOG=debug shows the core's and tokio-xmpp's logs for a failing test.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ossl = |args: &[&str]| run(Command::new("openssl").args(args).current_dir(d));
        ossl(&["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
            "-subj", "/CN=Hallway Test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        ossl(&["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost"]);
        std::fs::write(
            d.join("leaf.ext"),
            "subjectAltName=DNS:localhost,DNS:conference.localhost,DNS:upload.localhost,DNS:files.example.test,IP:127.0.0.1\n\
             basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        ossl(&["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.crt",
            "-days", "30", "-extfile", "leaf.ext"]);
        ossl(&["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.crt", "-days", "30",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
        let pki = Pki {
            ca_pem: d.join("ca.pem"),
            leaf_crt: d.join("leaf.crt"),
            leaf_key: d.join("leaf.key"),
            self_signed_crt: d.join("self.crt"),
            self_signed_key: d.join("self.key"),
            _dir: dir,
        };
        // Before any connection is made: every Trust built afterwards reads it.
        std::env::set_var("SSL_CERT_FILE", &pki.ca_pem);
        pki
    })
}

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running Prosody.
pub struct Prosody {
    dir: tempfile::TempDir,
    pub c2s_port: u16,
    /// HTTPS (XEP-0363 uploads on `upload.localhost`, URLs on `https://localhost:PORT/`).
    pub https_port: u16,
    config: PathBuf,
}

impl Prosody {
    /// The server shared by all non-destructive tests of this binary.
    pub fn shared() -> &'static Prosody {
        static SHARED: OnceLock<Prosody> = OnceLock::new();
        SHARED.get_or_init(|| {
            let p = Prosody::start(Cert::TrustedCa);
            if let Some(pid) = p.pid() {
                // Only while it is still this Prosody (its config is on its command line).
                super::clean_up_after_exit(
                    r#"if grep -qF -- "$2" /proc/$1/cmdline 2>/dev/null; then kill "$1"; sleep 1; kill -9 "$1" 2>/dev/null; fi; rm -rf -- "$3""#,
                    &[
                        pid.to_string(),
                        p.config.display().to_string(),
                        p.dir().display().to_string(),
                    ],
                );
            }
            p
        })
    }

    /// Starts a private server (for tests that kill it or need another certificate).
    pub fn start(cert: Cert) -> Prosody {
        Prosody::start_with(cert, &Extras::default())
    }

    /// Starts a private server with extra shared groups and modules (benchmarks).
    pub fn start_with(cert: Cert, extras: &Extras) -> Prosody {
        let pki = pki();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("data")).unwrap();
        std::fs::create_dir_all(d.join("certs")).unwrap();
        let (crt, key) = match cert {
            Cert::TrustedCa => (&pki.leaf_crt, &pki.leaf_key),
            Cert::SelfSigned => (&pki.self_signed_crt, &pki.self_signed_key),
        };
        std::fs::copy(crt, d.join("certs/localhost.crt")).unwrap();
        std::fs::copy(key, d.join("certs/localhost.key")).unwrap();
        let mut groups = String::new();
        for n in 1..=TEAMS {
            groups.push_str(&format!("[Team {n}]\n"));
            for (local, name) in MEMBERS {
                groups.push_str(&format!("{local}{n}@localhost={name} {n}\n"));
            }
        }
        groups.push_str(&extras.groups);
        std::fs::write(d.join("groups.txt"), groups).unwrap();
        let c2s_port = free_port();
        let https_port = free_port();
        let proxy_port = free_port();
        let config = d.join("prosody.cfg.lua");
        let text = config_text(d, [c2s_port, https_port, proxy_port], extras);
        std::fs::write(&config, text).unwrap();
        let p = Prosody {
            dir,
            c2s_port,
            https_port,
            config,
        };
        p.register_all();
        p.launch();
        p
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn prosodyctl(&self) -> Command {
        let mut c = Command::new("prosodyctl");
        c.arg("--config").arg(&self.config);
        c
    }

    fn register_all(&self) {
        // prosodyctl starts a Lua VM per call; run them side by side.
        let mut children = Vec::new();
        let mut locals: Vec<String> = Vec::new();
        for n in 1..=TEAMS {
            for (local, _) in MEMBERS {
                locals.push(format!("{local}{n}"));
            }
        }
        for n in 1..=LONERS {
            for prefix in LONER_PREFIXES {
                locals.push(format!("{prefix}{n}"));
            }
        }
        for local in locals {
            let child = self
                .prosodyctl()
                .args(["register", &local, "localhost", PASSWORD])
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("prosodyctl (install Debian's prosody package: make deps)");
            children.push(child);
        }
        for mut c in children {
            assert!(c.wait().unwrap().success(), "prosodyctl register failed");
        }
    }

    fn pid(&self) -> Option<i32> {
        std::fs::read_to_string(self.dir().join("prosody.pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Starts (or restarts) the server and waits until c2s accepts connections.
    pub fn launch(&self) {
        let _ = std::fs::remove_file(self.dir().join("prosody.pid"));
        run(Command::new("prosody")
            .arg("--config")
            .arg(&self.config)
            .arg("-D"));
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.c2s_port)).is_ok()
                && self.pid().is_some()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(self.dir().join("prosody.log")).unwrap_or_default();
        panic!("prosody did not start on port {}:\n{log}", self.c2s_port);
    }

    /// Freezes the server (SIGSTOP): connections stay open but nothing moves.
    pub fn freeze(&self) {
        if let Some(pid) = self.pid() {
            let _ = Command::new("kill")
                .args(["-STOP", &pid.to_string()])
                .status();
        }
    }

    /// The server's folder (its data, for tests that look at what it stored).
    #[allow(dead_code)]
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir().join("data")
    }

    /// Kills the server hard (SIGKILL: no goodbyes, like a crash or a cable pulled).
    pub fn kill(&self) {
        if let Some(pid) = self.pid() {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline
                && std::net::TcpStream::connect(("127.0.0.1", self.c2s_port)).is_ok()
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// The sign-in form's **Server** field for this server.
    pub fn server_field(&self) -> String {
        format!("127.0.0.1:{}", self.c2s_port)
    }
}

impl Drop for Prosody {
    fn drop(&mut self) {
        if let Some(pid) = self.pid() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
            std::thread::sleep(Duration::from_millis(300));
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    }
}

/// Benchmark office: `account` shares `groups` departments of `per_group` colleagues each (the
/// colleagues have no accounts: mod_groups puts them in the roster all the same), and the
/// test-only storm module is loaded (`tests/support/mod_hallway_storm.lua`).
#[allow(dead_code)] // used by the benchmarks only
pub fn big_office(account: &str, groups: usize, per_group: usize) -> Extras {
    let mut text = String::new();
    for g in 1..=groups {
        text.push_str(&format!("[Department {g:02}]\n{account}=Me\n"));
        for i in 1..=per_group {
            text.push_str(&format!("c{g}x{i}@localhost=Colleague {g}-{i}\n"));
        }
    }
    Extras {
        groups: text,
        modules: vec!["hallway_storm".into()],
        plugin_paths: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("support")],
        upload_limit: None,
    }
}

/// The upload service's `max-file-size` (what Prosody's default config suggests: 10 MiB).
pub const UPLOAD_LIMIT: u64 = 10 * 1024 * 1024;
/// Daily upload quota per user (generous: the tests upload tens of MB).
const UPLOAD_QUOTA: u64 = 2 * 1024 * 1024 * 1024;

/// What a private server adds to the usual test setup.
#[derive(Default)]
pub struct Extras {
    /// More mod_groups sections (`[Name]` lines and `jid=Name` members).
    pub groups: String,
    /// More modules to load.
    pub modules: Vec<String>,
    /// Folders with more modules (`plugin_paths`).
    pub plugin_paths: Vec<PathBuf>,
    /// Another upload limit than [`UPLOAD_LIMIT`] (the file benchmark's 1 GB).
    pub upload_limit: Option<u64>,
}

/// The config for ports `[c2s, https, proxy65]`.
fn config_text(d: &Path, ports: [u16; 3], extras: &Extras) -> String {
    let [port, https_port, proxy_port] = ports;
    let modules: String = extras
        .modules
        .iter()
        .map(|m| format!(" \"{m}\";"))
        .collect();
    let plugin_paths: String = extras
        .plugin_paths
        .iter()
        .map(|p| format!("\"{}\", ", p.display()))
        .collect();
    let upload_limit = extras.upload_limit.unwrap_or(UPLOAD_LIMIT);
    let upload_quota = UPLOAD_QUOTA.max(upload_limit * 4);
    let d = d.display();
    format!(
        r#"-- Generated by Hallway's test harness.
run_as_root = true
plugin_paths = {{ {plugin_paths} }}
pidfile = "{d}/prosody.pid"
data_path = "{d}/data"
certificates = "{d}/certs"
log = {{ info = "{d}/prosody.log", error = "{d}/prosody.err" }}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {port} }}
c2s_direct_tls_ports = {{ }}
s2s_ports = {{ }}
http_ports = {{ }}
https_ports = {{ {https_port} }}
proxy65_ports = {{ {proxy_port} }}
https_certificate = "{d}/certs/localhost.crt"
https_key = "{d}/certs/localhost.key"
admin_socket = "{d}/data/prosody.sock"
-- Read sockets in 256 KiB steps, not 8 KiB, and without Nagle: with Prosody's defaults every
-- request/answer pair (an in-band file block, XEP-0047) waits ~40 ms for a delayed ACK.
network_settings = {{ read_size = 262144, nagle = false }}
authentication = "internal_hashed"
storage = "internal"
c2s_require_encryption = true
allow_unencrypted_plain_auth = false
default_archive_policy = true
smacks_hibernation_time = 30
modules_enabled = {{
  "roster"; "saslauth"; "tls"; "disco"; "carbons"; "pep"; "private"; "blocklist";
  "vcard4"; "vcard_legacy"; "mam"; "smacks"; "ping"; "time"; "version"; "posix"; "groups";
  "lastactivity";{modules}
}}
modules_disabled = {{ "s2s" }}
groups_file = "{d}/groups.txt"
VirtualHost "localhost"

-- XEP-0363 uploads; slot URLs are https://localhost:{https_port}/file_share/…
Component "upload.localhost" "http_file_share"
http_host = "localhost"
http_file_share_size_limit = {upload_limit}
http_file_share_daily_quota = {upload_quota}

-- XEP-0045 rooms with their own archive (XEP-0313), for the rooms tests.
Component "rooms.localhost" "muc"
modules_enabled = {{ "muc_mam" }}

-- XEP-0065 relay for direct transfers between devices that cannot reach each other.
Component "proxy.localhost" "proxy65"
proxy65_address = "127.0.0.1"
"#
    )
}
