//! Test support: a real Prosody on loopback (started once per test binary, plus private ones for
//! destructive tests), accounts, and helpers to drive `Messenger`s and wait for their events.

pub mod client;
pub mod ejabberd;
pub mod png;
pub mod prosody;
pub mod proxy;
pub mod raw;

/// Runs the shell `cleanup` once this test process has exited; `args` are its `$1`, `$2`…
/// (paths and commands go in as arguments, never spliced into the script). Servers shared
/// through a `static` are never dropped, so without this every run would leave them running.
/// The watcher has its own process group: a Ctrl-C or a timeout that kills the test's group
/// must not take it along.
pub fn clean_up_after_exit(cleanup: &str, args: &[String]) {
    use std::os::unix::process::CommandExt;
    let script = format!("tail --pid={} -f /dev/null; {cleanup}", std::process::id());
    let spawned = std::process::Command::new("sh")
        .args(["-c", &script, "clean-up"])
        .args(args)
        .process_group(0)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("cannot arrange clean-up ({e}): {cleanup}");
    }
}
