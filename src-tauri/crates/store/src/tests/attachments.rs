//! Attachments: a file message waits for its upload.

use super::*;

#[test]
fn a_file_message_waits_in_the_outbox_until_its_upload_has_a_url() {
    use hallway_model::{Attachment, FileStatus};
    let (_d, store) = temp_store();
    let uploading = Attachment {
        url: None,
        name: "plan.pdf".into(),
        size: Some(42),
        mime: Some("application/pdf".into()),
        local_path: Some("/tmp/plan.pdf".into()),
        status: FileStatus::Uploading,
        error: None,
        direct: false,
    };
    let file = NewMessage {
        attachment: Some(uploading.clone()),
        ..msg("bob@localhost", Direction::Outgoing, "plan.pdf", "f1")
    };
    let Inserted::New(m) = store.insert_message(ACC, &file).unwrap() else {
        panic!("not inserted")
    };
    // A text typed after the file is not held up by its upload.
    store
        .insert_message(
            ACC,
            &msg("bob@localhost", Direction::Outgoing, "see the plan", "t1"),
        )
        .unwrap();
    let heads = store.pending_heads(ACC).unwrap();
    assert_eq!(heads.len(), 1);
    assert_eq!(heads[0].body, "see the plan");
    assert_eq!(store.interrupted_transfers(ACC).unwrap().len(), 1);

    let url = "https://up.example/f/plan.pdf";
    let done = Attachment {
        url: Some(url.into()),
        status: FileStatus::Uploaded,
        ..uploading
    };
    store.set_uploaded(m.id, url, &done).unwrap();
    let head = store.pending_head(ACC, "bob@localhost").unwrap().unwrap();
    assert_eq!(head.id, m.id);
    assert_eq!(head.body, url);
    assert_eq!(head.attachment, Some(done));
    assert!(store.interrupted_transfers(ACC).unwrap().is_empty());
    // Search finds it by its URL (the body) like any message.
    assert_eq!(store.search(ACC, "plan", 10).unwrap().len(), 2);
}
