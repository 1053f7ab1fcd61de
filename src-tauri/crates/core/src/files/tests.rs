//! The files service's direct receiving without a server: a fake session answers its requests
//! and records what it tells contacts' devices, and Jingle / IBB iqs are handed to `on_direct`
//! as the iq router would forward them.

use std::sync::{Arc, Mutex};

use hallway_model::FileStatus;
use hallway_protocol::xmpp_parsers::minidom::Element;
use hallway_protocol::{Jid, Refusal};
use hallway_store::Store;
use tokio::sync::mpsc;

use super::direct::{Answer, Incoming};
use super::Files;
use crate::account::Account;
use crate::emitter::Emitter;
use crate::live::Command;

const ME: &str = "me@x.org";
const HELLO_SHA256: &str = "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";

struct T {
    files: Arc<Files>,
    acc: Arc<Account>,
    /// Every iq the service sent (answered with an empty result), as XML.
    told: Arc<Mutex<Vec<String>>>,
    /// Messages announced to the session.
    announced: Arc<Mutex<Vec<hallway_model::Message>>>,
    downloads: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl T {
    fn new() -> T {
        let (tx, _events) = mpsc::unbounded_channel();
        let store = Arc::new(Store::open_in_memory().unwrap());
        let acc = Arc::new(Account::new(store, Emitter::new(tx), "desk".into()));
        acc.set_address(Some(ME.into()));
        let (commands, mut rx) = mpsc::unbounded_channel();
        acc.session.connect(Some(commands));
        let told = Arc::new(Mutex::new(Vec::new()));
        let announced = Arc::new(Mutex::new(Vec::new()));
        let (t, a) = (told.clone(), announced.clone());
        tokio::spawn(async move {
            while let Some(c) = rx.recv().await {
                match c {
                    Command::Request(iq, reply) => {
                        t.lock().unwrap().push(String::from(&Element::from(*iq)));
                        let _ = reply.send(Ok(None));
                    }
                    Command::Announce(m) => a.lock().unwrap().push(m),
                    _ => {}
                }
            }
        });
        let data = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let files = Files::new(
            acc.clone(),
            data.path().to_path_buf(),
            downloads.path().to_path_buf(),
            Vec::new(),
            false,
        );
        T {
            files,
            acc,
            told,
            announced,
            downloads,
            _data: data,
        }
    }

    async fn send(&self, from: &str, xml: &str) -> Answer {
        self.files
            .on_direct(Incoming {
                from: Jid::new(from).unwrap(),
                id: "x".into(),
                payload: xml.parse().unwrap(),
            })
            .await
    }

    /// What the service told devices so far (background sends get a moment to go out).
    async fn told(&self) -> Vec<String> {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        self.told.lock().unwrap().clone()
    }

    fn card(&self, sid: &str) -> hallway_model::Message {
        let origin = format!("jingle:{sid}");
        self.acc
            .store
            .history(ME, "bob@x.org", None, 100)
            .unwrap()
            .into_iter()
            .find(|m| m.origin_id == origin)
            .expect("a card")
    }
}

fn offer(sid: &str, name: &str, size: u64) -> String {
    format!(
        "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' initiator='bob@x.org/pc' sid='{sid}'>\
         <content creator='initiator' name='f' senders='initiator'>\
         <description xmlns='urn:xmpp:jingle:apps:file-transfer:5'><file><name>{name}</name><size>{size}</size>\
         <hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>{HELLO_SHA256}</hash></file></description>\
         <transport xmlns='urn:xmpp:jingle:transports:ibb:1' sid='ibb-{sid}' block-size='4096'/>\
         </content></jingle>"
    )
}

fn ibb(sid: &str, el: &str) -> String {
    match el {
        "open" => format!(
            "<open xmlns='http://jabber.org/protocol/ibb' sid='ibb-{sid}' block-size='4096'/>"
        ),
        "close" => format!("<close xmlns='http://jabber.org/protocol/ibb' sid='ibb-{sid}'/>"),
        data => data.replace("SID", &format!("ibb-{sid}")),
    }
}

fn data(seq: u16, text: &str) -> String {
    use base64::Engine;
    let b = base64::engine::general_purpose::STANDARD.encode(text);
    format!("<data xmlns='http://jabber.org/protocol/ibb' sid='SID' seq='{seq}'>{b}</data>")
}

fn refused(a: &Answer, want: Refusal) -> bool {
    matches!(a, Answer::Refused(r, _) if *r == want)
}

#[tokio::test]
async fn an_offer_takes_no_byte_before_accept_and_then_saves_the_file_whole() {
    let t = T::new();
    assert!(matches!(
        t.send("bob@x.org/pc", &offer("s1", "notes.txt", 5)).await,
        Answer::Done
    ));
    let card = t.card("s1");
    assert_eq!(
        card.attachment.as_ref().unwrap().status,
        FileStatus::Offered
    );
    t.told().await;
    assert_eq!(
        t.announced.lock().unwrap().len(),
        1,
        "shown like any message"
    );
    // Before Accept the stream stays closed (XEP-0047 §2.1 not-acceptable).
    let open = t.send("bob@x.org/pc", &ibb("s1", "open")).await;
    assert!(refused(&open, Refusal::NotAcceptable));
    assert_eq!(std::fs::read_dir(t.downloads.path()).unwrap().count(), 0);
    t.files.accept_file(card.id).await.unwrap();
    assert!(t.told().await.iter().any(|x| x.contains("session-accept")));
    assert!(matches!(
        t.send("bob@x.org/pc", &ibb("s1", "open")).await,
        Answer::Done
    ));
    assert!(matches!(
        t.send("bob@x.org/pc", &ibb("s1", &data(0, "hel"))).await,
        Answer::Done
    ));
    assert!(matches!(
        t.send("bob@x.org/pc", &ibb("s1", &data(1, "lo"))).await,
        Answer::Done
    ));
    assert!(matches!(
        t.send("bob@x.org/pc", &ibb("s1", "close")).await,
        Answer::Done
    ));
    let a = t.card("s1").attachment.unwrap();
    assert_eq!(a.status, FileStatus::Downloaded, "{:?}", a.error);
    let path = a.local_path.unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello");
    assert!(path.ends_with("notes.txt"));
}

#[tokio::test]
async fn a_block_out_of_order_or_a_wrong_hash_leaves_nothing_behind() {
    let t = T::new();
    t.send("bob@x.org/pc", &offer("s2", "a.txt", 5)).await;
    t.files.accept_file(t.card("s2").id).await.unwrap();
    t.send("bob@x.org/pc", &ibb("s2", "open")).await;
    let skipped = t.send("bob@x.org/pc", &ibb("s2", &data(3, "hello"))).await;
    assert!(refused(&skipped, Refusal::UnexpectedRequest));
    let a = t.card("s2").attachment.unwrap();
    assert_eq!(a.status, FileStatus::DownloadFailed);
    assert!(a.error.unwrap().contains("out of order"));
    assert!(t.told().await.iter().any(|x| x.contains("media-error")));
    // Same size, other bytes: the SHA-256 does not match, the file is not kept.
    t.send("bob@x.org/pc", &offer("s3", "b.txt", 5)).await;
    t.files.accept_file(t.card("s3").id).await.unwrap();
    t.send("bob@x.org/pc", &ibb("s3", "open")).await;
    t.send("bob@x.org/pc", &ibb("s3", &data(0, "HELLO"))).await;
    t.send("bob@x.org/pc", &ibb("s3", "close")).await;
    let a = t.card("s3").attachment.unwrap();
    assert_eq!(a.status, FileStatus::DownloadFailed);
    assert!(a.error.unwrap().contains("SHA-256"));
    assert_eq!(
        std::fs::read_dir(t.downloads.path()).unwrap().count(),
        0,
        "no partial or reserved file left"
    );
}

#[tokio::test]
async fn another_device_cannot_feed_or_end_someone_elses_offer() {
    let t = T::new();
    t.send("bob@x.org/pc", &offer("s4", "a.txt", 5)).await;
    t.files.accept_file(t.card("s4").id).await.unwrap();
    // Bob's phone, or Mallory, guessing the stream id.
    let open = t.send("bob@x.org/phone", &ibb("s4", "open")).await;
    assert!(refused(&open, Refusal::ItemNotFound));
    let end = "<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='s4'>\
               <reason><cancel/></reason></jingle>";
    assert!(matches!(
        t.send("mallory@x.org/pc", end).await,
        Answer::UnknownSession
    ));
    assert_eq!(
        t.card("s4").attachment.unwrap().status,
        FileStatus::Downloading
    );
    // The sender's own device ends it: the card says so.
    assert!(matches!(t.send("bob@x.org/pc", end).await, Answer::Done));
    let a = t.card("s4").attachment.unwrap();
    assert_eq!(a.status, FileStatus::DownloadFailed);
    assert!(a.error.unwrap().contains("stopped"));
}

#[tokio::test]
async fn offers_over_the_limit_are_refused_cards_and_a_flood_is_told_to_wait() {
    let t = T::new();
    crate::settings::Settings::new(t.acc.clone())
        .set_max_incoming_file(4)
        .unwrap();
    t.send("bob@x.org/pc", &offer("big", "huge.iso", 5)).await;
    let a = t.card("big").attachment.unwrap();
    assert_eq!(a.status, FileStatus::DownloadFailed);
    assert!(a.error.unwrap().contains("may be up to"), "says why");
    assert!(t
        .told()
        .await
        .iter()
        .any(|x| x.contains("session-terminate") && x.contains("decline")));
    crate::settings::Settings::new(t.acc.clone())
        .set_max_incoming_file(1000)
        .unwrap();
    // A repeated offer is one card.
    for _ in 0..2 {
        t.send("bob@x.org/pc", &offer("r0", "a.txt", 5)).await;
    }
    for i in 1..8 {
        let a = t
            .send("bob@x.org/pc", &offer(&format!("r{i}"), "a.txt", 5))
            .await;
        assert!(matches!(a, Answer::Done), "offer {i}");
    }
    let ninth = t.send("bob@x.org/pc", &offer("r8", "a.txt", 5)).await;
    assert!(refused(&ninth, Refusal::ResourceConstraint));
    assert_eq!(
        t.acc
            .store
            .history(ME, "bob@x.org", None, 50)
            .unwrap()
            .len(),
        9,
        "the refused card and eight offers; nothing for the ninth"
    );
}

#[tokio::test]
async fn a_transport_switch_before_accept_is_rejected_and_unreadable_requests_are_bad() {
    let t = T::new();
    t.send("bob@x.org/pc", &offer("s5", "a.txt", 5)).await;
    let replace = "<jingle xmlns='urn:xmpp:jingle:1' action='transport-replace' sid='s5'>\
        <content creator='initiator' name='f'>\
        <transport xmlns='urn:xmpp:jingle:transports:ibb:1' sid='other' block-size='4096'/>\
        </content></jingle>";
    assert!(matches!(
        t.send("bob@x.org/pc", replace).await,
        Answer::Done
    ));
    assert!(t
        .told()
        .await
        .iter()
        .any(|x| x.contains("transport-reject")));
    // The offer's stream is still the one offered: the new id opens nothing.
    let (_, _, o) = t.files.find_offer(t.card("s5").id).await.unwrap();
    assert!(
        matches!(o.transport, hallway_protocol::xep0234_jingle_ft::Transport::Ibb { ref sid, .. } if sid == "ibb-s5")
    );
    let garbage = "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate'/>";
    assert!(refused(
        &t.send("bob@x.org/pc", garbage).await,
        Refusal::BadRequest
    ));
    let bad_block = "<data xmlns='http://jabber.org/protocol/ibb' sid='ibb-s5' seq='x'>!!</data>";
    assert!(refused(
        &t.send("bob@x.org/pc", bad_block).await,
        Refusal::BadRequest
    ));
}
