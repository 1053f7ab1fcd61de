//! A throwaway ejabberd 23.01 (Debian's package) whose archive lives in a throwaway MariaDB: the
//! second server Hallway is tested against, and the one that can search its archive's text
//! (XEP-0431 needs ejabberd's MySQL backend). See shared docs ejabberd.md. Stopped on drop.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::prosody::{free_port, pki, run, PASSWORD};

/// The schema Debian's ejabberd package ships for MySQL/MariaDB.
const SCHEMA: &str = "/usr/share/ejabberd/sql/mysql.sql";
/// Accounts on this server: `{local}@localhost` with the test password.
pub const USERS: &[&str] = &["ann", "ben"];
/// More accounts, in nobody's roster: the rooms tests' own (rooms and bookmarks of `ann`, which
/// other tests use, must not mix with theirs).
pub const ROOM_USERS: &[&str] = &["cat", "dan"];

/// A running ejabberd with its MariaDB.
pub struct Ejabberd {
    dir: tempfile::TempDir,
    node: String,
    mariadb: KillOnDrop,
    pub c2s_port: u16,
}

/// A child process killed when dropped (also when start-up panics half-way).
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(log).unwrap_or_default();
    panic!("{what} did not start on port {port}:\n{log}");
}

impl Ejabberd {
    /// The ejabberd shared by the tests of this binary (started on first use).
    pub fn shared() -> &'static Ejabberd {
        static SHARED: OnceLock<Ejabberd> = OnceLock::new();
        SHARED.get_or_init(|| {
            let e = Ejabberd::start();
            let ctl = e.ctl(&["stop"]);
            // $1 = MariaDB's pid, $2 = the folder, then the ejabberdctl stop command.
            let mut args = vec![
                e.mariadb.0.id().to_string(),
                e.dir.path().display().to_string(),
            ];
            args.extend(
                std::iter::once(ctl.get_program())
                    .chain(ctl.get_args())
                    .map(|a| a.to_string_lossy().into_owned()),
            );
            super::clean_up_after_exit(
                r#"pid=$1; dir=$2; shift 2; "$@"; kill "$pid"; rm -rf -- "$dir""#,
                &args,
            );
            e
        })
    }

    /// Starts a private ejabberd (for tests that restart it).
    pub fn start() -> Ejabberd {
        let pki = pki();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        // ejabberdctl runs the node as the `ejabberd` user: it must reach the folder.
        run(Command::new("chmod").arg("755").arg(&d));
        for sub in ["db", "tmp", "conf", "logs", "spool"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }

        // MariaDB: a private data dir on a loopback port, no grant tables: ejabberd needs no
        // real account. Any local user could reach it while the tests run; it holds test data
        // only.
        let db_port = free_port();
        let user = run(Command::new("id").arg("-un")).trim().to_string();
        install_db(&d, &user);
        let socket = d.join("db.sock");
        let mariadb = Command::new("mariadbd")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", d.join("db").display()))
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--tmpdir={}", d.join("tmp").display()))
            .arg(format!("--port={db_port}"))
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--user={user}"))
            .args(["--skip-grant-tables", "--skip-name-resolve"])
            .args(["--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M"])
            .arg(format!("--log-error={}", d.join("mariadb.log").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(KillOnDrop)
            .expect("mariadbd (install the test servers: make deps)");
        wait_for_port(db_port, "MariaDB", &d.join("mariadb.log"));
        let mariadb_cli = || {
            let mut c = Command::new("mariadb");
            c.arg("--no-defaults")
                .arg(format!("--socket={}", socket.display()));
            c
        };
        run(mariadb_cli().args(["-e", "CREATE DATABASE ejabberd CHARACTER SET utf8mb4"]));
        run(mariadb_cli()
            .arg("ejabberd")
            .stdin(std::fs::File::open(SCHEMA).expect("ejabberd's MySQL schema")));

        // One PEM with certificate and key, from the test CA.
        let mut pem = std::fs::read_to_string(&pki.leaf_crt).unwrap();
        pem.push_str(&std::fs::read_to_string(&pki.leaf_key).unwrap());
        std::fs::write(d.join("conf/localhost.pem"), pem).unwrap();
        let c2s_port = free_port();
        std::fs::write(
            d.join("conf/ejabberd.yml"),
            config_text(&d, c2s_port, db_port),
        )
        .unwrap();
        // Each node on its own Erlang distribution port, without epmd: ejabberdctl's `stopped`
        // kills the shared epmd when it lists no node, which raced a second node starting at that
        // moment (a CI run timed out in `started`). With ERL_DIST_PORT ejabberdctl leaves epmd out.
        std::fs::write(
            d.join("conf/ejabberdctl.cfg"),
            format!(
                "ERL_DIST_PORT={}\nINET_DIST_INTERFACE=127.0.0.1\n",
                free_port()
            ),
        )
        .unwrap();
        run(Command::new("chown")
            .arg("-R")
            .arg("ejabberd:ejabberd")
            .arg(&d));

        static NODES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NODES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let node = format!("hallway{}n{n}@localhost", std::process::id());
        let e = Ejabberd {
            dir,
            node,
            mariadb,
            c2s_port,
        };
        e.start_node();
        for user in USERS.iter().chain(ROOM_USERS) {
            run(&mut e.ctl(&["register", user, "localhost", PASSWORD]));
        }
        // Colleagues: each in the others' roster, subscribed both ways (receipts and a
        // conversation's whole history are for contacts).
        for user in USERS {
            for other in USERS.iter().filter(|o| *o != user) {
                run(&mut e.ctl(&[
                    "add_rosteritem",
                    user,
                    "localhost",
                    other,
                    "localhost",
                    other,
                    "Team",
                    "both",
                ]));
            }
        }
        e
    }

    fn ctl(&self, args: &[&str]) -> Command {
        let d = self.dir.path();
        let mut c = Command::new("ejabberdctl");
        c.arg("--config-dir")
            .arg(d.join("conf"))
            .arg("--config")
            .arg(d.join("conf/ejabberd.yml"))
            .arg("--logs")
            .arg(d.join("logs"))
            .arg("--spool")
            .arg(d.join("spool"))
            .arg("--node")
            .arg(&self.node)
            .args(args);
        c
    }

    /// Stops the server cleanly (every session ends; stored data stays).
    pub fn stop(&self) {
        run(&mut self.ctl(&["stop"]));
        let _ = self.ctl(&["stopped"]).output();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline
            && std::net::TcpStream::connect(("127.0.0.1", self.c2s_port)).is_ok()
        {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Starts the server again after `stop`.
    pub fn start_again(&self) {
        self.start_node();
    }

    /// Starts the node and waits until it takes connections; on failure the test prints
    /// ejabberd's own log (the reason is there, not in ejabberdctl's output).
    fn start_node(&self) {
        let log = self.dir.path().join("logs/ejabberd.log");
        run(&mut self.ctl(&["start"]));
        let started = self.ctl(&["started"]).output();
        if !started.as_ref().is_ok_and(|o| o.status.success()) {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(60).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            panic!(
                "ejabberd node {} did not start ({started:?}); its log ends:\n{}",
                self.node,
                tail.join("\n")
            );
        }
        wait_for_port(self.c2s_port, "ejabberd", &log);
    }

    /// The sign-in form's **Server** field for this server.
    pub fn server_field(&self) -> String {
        format!("127.0.0.1:{}", self.c2s_port)
    }
}

impl Drop for Ejabberd {
    fn drop(&mut self) {
        let _ = self.ctl(&["stop"]).output();
        let _ = self.ctl(&["stopped"]).output();
        // MariaDB goes when `mariadb` is dropped.
    }
}

/// Creates MariaDB's system tables in `d/db`. One bootstrap at a time in this process, each with
/// its own temp folder, and tried twice: MariaDB 10.11's bootstrap crashed once (signal 11 in
/// Aria's temp-table drop) while a second server's bootstrap ran beside it.
fn install_db(d: &Path, user: &str) {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let db = d.join("db");
    let attempt = || {
        Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", db.display()))
            .arg(format!("--tmpdir={}", d.join("tmp").display()))
            .arg(format!("--user={user}"))
            .arg("--auth-root-authentication-method=normal")
            .arg("--skip-test-db")
            .output()
            .expect("mariadb-install-db (install the test servers: make deps)")
    };
    let first = attempt();
    if first.status.success() {
        return;
    }
    eprintln!(
        "mariadb-install-db failed once, trying again: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    let _ = std::fs::remove_dir_all(&db);
    std::fs::create_dir_all(&db).unwrap();
    let second = attempt();
    assert!(
        second.status.success(),
        "mariadb-install-db failed twice: {}{}",
        String::from_utf8_lossy(&second.stdout),
        String::from_utf8_lossy(&second.stderr)
    );
}

fn config_text(d: &Path, c2s_port: u16, db_port: u16) -> String {
    format!(
        r#"hosts: ["localhost"]
loglevel: info
certfiles: ["{pem}"]
sql_type: mysql
sql_server: "127.0.0.1"
sql_port: {db_port}
sql_database: "ejabberd"
sql_username: "ejabberd"
sql_password: "unused"
default_db: sql
auth_method: sql
listen:
  - port: {c2s_port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: true
modules:
  # ejabberdctl's add_rosteritem (the harness makes the users colleagues).
  mod_admin_extra: {{}}
  mod_roster: {{}}
  mod_carboncopy: {{}}
  mod_mam:
    default: always
  mod_stream_mgmt: {{}}
  mod_offline: {{}}
  mod_disco: {{}}
  mod_caps: {{}}
  mod_blocking: {{}}
  mod_privacy: {{}}
  mod_private: {{}}
  mod_vcard: {{}}
  mod_ping: {{}}
  mod_last: {{}}
  mod_pubsub:
    plugins: ["flat", "pep"]
  # XEP-0045 rooms on conference.localhost, with their archive (mod_mam) when configured so.
  mod_muc:
    host: "conference.localhost"
    default_room_options:
      mam: true
"#,
        pem = d.join("conf/localhost.pem").display()
    )
}
