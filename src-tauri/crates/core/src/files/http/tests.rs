//! The HTTPS side of files: sizes in words, refusals, the redirect policy and the resolver.
use super::*;

#[test]
fn sizes_read_like_a_file_manager() {
    assert_eq!(human_size(10 * 1000 * 1000), "10 MB");
    assert_eq!(human_size(10_485_760), "10.5 MB");
    assert_eq!(human_size(512_000), "512 kB");
    assert_eq!(human_size(0), "0 bytes");
    assert_eq!(human_size(1_500_000_000), "1.5 GB");
}

fn url(s: &str) -> reqwest::Url {
    reqwest::Url::parse(s).unwrap()
}

#[test]
fn redirects_stay_on_https_and_out_of_the_local_network() {
    assert!(redirect_allowed(&url("https://files.example.com/a"), false).is_ok());
    let plain = redirect_allowed(&url("http://files.example.com/a"), false).unwrap_err();
    assert!(plain.contains("http"), "{plain}");
    // Even when the link pointed into the LAN, plain http is never followed.
    assert!(redirect_allowed(&url("http://10.0.0.5/a"), true).is_err());
    for local in [
        "https://127.0.0.1:8443/a",
        "https://localhost/a",
        "https://printer.localhost/a",
        "https://10.1.2.3/a",
        "https://172.16.0.1/a",
        "https://192.168.1.1/a",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/a",
        "https://0.0.0.0/a",
        "https://[::1]/a",
        "https://[fe80::1]/a",
        "https://[fd00::1]/a",
        "https://[::ffff:127.0.0.1]/a",
    ] {
        assert!(redirect_allowed(&url(local), false).is_err(), "{local}");
        // A company server on the LAN may redirect within the LAN.
        assert!(redirect_allowed(&url(local), true).is_ok(), "{local}");
    }
    for public in [
        "https://8.8.8.8/a",
        "https://[2001:db8::1]/a",
        "https://172.32.0.1/a",
    ] {
        assert!(redirect_allowed(&url(public), false).is_ok(), "{public}");
    }
}

fn guard(original: &str, local: bool) -> LocalGuard {
    LocalGuard {
        original_host: original.into(),
        original_local: Arc::new(std::sync::atomic::AtomicBool::new(local)),
    }
}

async fn resolves(g: &LocalGuard, name: &str) -> Result<Vec<SocketAddr>, String> {
    use reqwest::dns::Resolve;
    let name: reqwest::dns::Name = name.parse().map_err(|_| "bad name".to_string())?;
    g.resolve(name)
        .await
        .map(|a| a.collect())
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn names_that_resolve_into_this_machine_are_refused_for_a_public_link() {
    // A public link redirected to a name that resolves to 127.0.0.1.
    let public = guard("files.example.com", false);
    let err = resolves(&public, "localhost").await.unwrap_err();
    assert!(err.contains("local network"), "{err}");
    // The link's own host resolving locally (a LAN server) makes local addresses fine for
    // the rest of the transfer.
    let lan = guard("localhost", false);
    assert!(!resolves(&lan, "localhost").await.unwrap().is_empty());
    assert!(lan.local_ok());
}

#[test]
fn refusals_say_why() {
    let s = http_refusal("upload", reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    assert!(s.contains("too large") && s.contains("413"), "{s}");
    let s = http_refusal("download", reqwest::StatusCode::INTERNAL_SERVER_ERROR);
    assert!(s.contains("failed") && s.contains("500"), "{s}");
}
