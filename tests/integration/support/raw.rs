//! A second, raw client (`raw_send.py`): sends hand-written stanzas as one account, for what
//! the app never sends itself (forged, malformed, or a test module's trigger).

/// `send_raw_at` with raw_send.py's settings (`RAW_SEND_WAIT_IQS`, `RAW_SEND_WAIT_MSGS`,
/// `RAW_SEND_LINGER_MS`, `RAW_SEND_GAP_MS`); returns every iq and message the other client got,
/// one `IQ <xml>` / `MSG <xml>` line each.
pub fn send_raw_with(port: u16, jid: &str, stanzas: &[&str], settings: &[(&str, &str)]) -> String {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/integration/support/raw_send.py"
    );
    let out = std::process::Command::new("/usr/bin/python3")
        .arg(script)
        .args([jid, super::prosody::PASSWORD, &port.to_string()])
        .arg(&super::prosody::pki().ca_pem)
        .args(stanzas)
        .envs(settings.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "raw_send.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
