//! XEP-0313: Message Archive Management — queries to our own server archive (1:1 history of
//! every device), the forwarded results, and the `<fin/>` that ends each page. Paging is
//! XEP-0059 RSM: `<before/>` (empty) asks for the newest page, so catch-up runs newest first.
//! Searching the archive's text is XEP-0431 (Full Text Search in MAM): an extra form field the
//! server lists in its query form when it can search. ejabberd before XEP-0431 support (23.x,
//! Debian 12's) lists its own `withtext` field instead.

use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::{BareJid, Jid};
use xmpp_parsers::message::Message;
use xmpp_parsers::minidom::rxml::xml_ncname;
use xmpp_parsers::minidom::Element;

use crate::ProtocolError;

/// Namespace of MAM v2.
pub const NS: &str = "urn:xmpp:mam:2";
const NS_RSM: &str = "http://jabber.org/protocol/rsm";
const NS_FORMS: &str = "jabber:x:data";
const NS_FORWARD: &str = "urn:xmpp:forward:0";
/// XEP-0431: the form field (Clark notation) that carries the words to search for.
pub const FULLTEXT_FIELD: &str = "{urn:xmpp:fulltext:0}fulltext";
/// Text-search fields in the order we prefer them: XEP-0431, then ejabberd 23's own.
const TEXT_FIELDS: &[&str] = &[FULLTEXT_FIELD, "withtext"];

/// What to ask the archive for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveQuery {
    /// The archive asked: ours when `None`; a room's own archive by its JID (§6.1.2, XEP-0045
    /// rooms with `urn:xmpp:mam:2` in their disco#info).
    pub archive: Option<BareJid>,
    /// Only the conversation with this contact.
    pub with: Option<BareJid>,
    /// Only messages archived at or after this time (ms since epoch).
    pub start_ms: Option<i64>,
    /// Only messages archived at or before this time (ms since epoch).
    pub end_ms: Option<i64>,
    /// RSM `after`: only messages newer than this archive id.
    pub after: Option<String>,
    /// RSM `before`: `Some("")` = the newest page; `Some(id)` = the page before that archive id.
    pub before: Option<String>,
    /// Page size (servers may lower it; Prosody caps at 50 by default).
    pub max: usize,
    /// Only messages whose text matches: (the form field the server named, the words). The
    /// server decides how words match.
    pub fulltext: Option<(String, String)>,
}

fn field(var: &str, value: &str) -> Element {
    Element::builder("field", NS_FORMS)
        .attr(xml_ncname!("var").into(), var)
        .append(Element::builder("value", NS_FORMS).append(value).build())
        .build()
}

fn stamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The `<iq type='set'>` query to our own archive (or a room's, `q.archive`). Results come back as messages tagged with
/// `query_id`; the iq result carries the `<fin/>`.
pub fn query(iq_id: &str, query_id: &str, q: &ArchiveQuery) -> Iq {
    let mut form = Element::builder("x", NS_FORMS)
        .attr(xml_ncname!("type").into(), "submit")
        .append(
            Element::builder("field", NS_FORMS)
                .attr(xml_ncname!("var").into(), "FORM_TYPE")
                .attr(xml_ncname!("type").into(), "hidden")
                .append(Element::builder("value", NS_FORMS).append(NS).build())
                .build(),
        );
    if let Some(with) = &q.with {
        form = form.append(field("with", &with.to_string()));
    }
    if let Some(s) = q.start_ms {
        form = form.append(field("start", &stamp(s)));
    }
    if let Some(e) = q.end_ms {
        form = form.append(field("end", &stamp(e)));
    }
    if let Some((var, text)) = &q.fulltext {
        form = form.append(field(var, text));
    }
    let mut set = Element::builder("set", NS_RSM).append(
        Element::builder("max", NS_RSM)
            .append(q.max.to_string())
            .build(),
    );
    if let Some(a) = &q.after {
        set = set.append(Element::builder("after", NS_RSM).append(a.as_str()).build());
    }
    if let Some(b) = &q.before {
        let mut el = Element::builder("before", NS_RSM);
        if !b.is_empty() {
            el = el.append(b.as_str());
        }
        set = set.append(el.build());
    }
    let payload = Element::builder("query", NS)
        .attr(xml_ncname!("queryid").into(), query_id)
        .append(form.build())
        .append(set.build())
        .build();
    Iq::Set {
        from: None,
        to: q.archive.clone().map(Jid::from),
        id: iq_id.to_string(),
        payload,
    }
}

/// The `<iq type='get'>` that asks the archive for its query form (XEP-0313 §5.1.2): the
/// fields it lists are the filters it supports.
pub fn form_request(iq_id: &str) -> Iq {
    Iq::Get {
        from: None,
        to: None,
        id: iq_id.to_string(),
        payload: Element::builder("query", NS).build(),
    }
}

/// The field that searches text in the archive's query form (the payload of the answer to
/// [`form_request`]), if it has one: XEP-0431's, else an older server-specific one.
pub fn form_text_field(payload: Option<&Element>) -> Option<&'static str> {
    let form = payload
        .filter(|p| p.is("query", NS))
        .and_then(|p| p.get_child("x", NS_FORMS))?;
    TEXT_FIELDS.iter().copied().find(|var| {
        form.children()
            .any(|f| f.is("field", NS_FORMS) && f.attr("var") == Some(var))
    })
}

/// One archived message, as forwarded to us.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchivedMessage {
    /// The query it answers.
    pub query_id: String,
    /// Archive id (= the XEP-0359 stanza-id our server gave it).
    pub archive_id: String,
    /// When the server archived it (ms), from the forwarded `<delay/>`.
    pub stamp_ms: Option<i64>,
    /// The original message.
    pub message: Message,
}

/// The archived message inside `msg`, if it is a MAM result. Results must come from the archive
/// asked, `own`: our own bare JID (or no `from`), or the room whose archive we asked; anyone
/// else could forge history (§4.1.2).
pub fn parse_result(
    msg: &Message,
    own: &BareJid,
) -> Result<Option<ArchivedMessage>, ProtocolError> {
    let Some(result) = msg.payloads.iter().find(|p| p.is("result", NS)) else {
        return Ok(None);
    };
    if let Some(from) = &msg.from {
        if from.to_bare() != *own || from.resource().is_some() {
            return Err(ProtocolError::Spoofed {
                what: "archive result",
                from: from.to_string(),
            });
        }
    }
    let query_id = result.attr("queryid").unwrap_or_default().to_string();
    let archive_id = result
        .attr("id")
        .filter(|id| !id.is_empty() && id.len() <= 256)
        .ok_or_else(|| ProtocolError::malformed("archive result", "no id"))?
        .to_string();
    let forwarded = result
        .get_child("forwarded", NS_FORWARD)
        .ok_or_else(|| ProtocolError::malformed("archive result", "no forwarded message"))?;
    let fwd = xmpp_parsers::forwarding::Forwarded::try_from(forwarded.clone())
        .map_err(|e| ProtocolError::malformed("archive result", e))?;
    Ok(Some(ArchivedMessage {
        query_id,
        archive_id,
        stamp_ms: fwd.delay.as_ref().map(crate::xep0203_delay::delay_ms),
        message: fwd.message,
    }))
}

/// The end of one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fin {
    /// No more results in the requested direction.
    pub complete: bool,
    /// Archive id of the page's oldest message.
    pub first: Option<String>,
    /// Archive id of the page's newest message.
    pub last: Option<String>,
}

/// Reads the `<fin/>` of an iq result.
pub fn parse_fin(payload: Option<&Element>) -> Result<Fin, ProtocolError> {
    let fin = payload
        .filter(|p| p.is("fin", NS))
        .ok_or_else(|| ProtocolError::malformed("archive fin", "missing <fin/>"))?;
    let complete = matches!(fin.attr("complete"), Some("true") | Some("1"));
    let set = fin.get_child("set", NS_RSM);
    let text = |name: &str| {
        set.and_then(|s| s.get_child(name, NS_RSM))
            .map(|e| e.text())
            .filter(|t| !t.is_empty())
    };
    Ok(Fin {
        complete,
        first: text("first"),
        last: text("last"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> BareJid {
        BareJid::new("alice@x.org").unwrap()
    }

    fn msg(s: &str) -> Message {
        Message::try_from(s.parse::<Element>().unwrap()).unwrap()
    }

    #[test]
    fn parses_result_and_fin() {
        let m = msg("<message xmlns='jabber:client' from='alice@x.org' to='alice@x.org/h'>\
            <result xmlns='urn:xmpp:mam:2' queryid='q1' id='A1'><forwarded xmlns='urn:xmpp:forward:0'>\
            <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
            <message xmlns='jabber:client' from='bob@x.org/l' to='alice@x.org' type='chat'><body>hi</body></message>\
            </forwarded></result></message>");
        let r = parse_result(&m, &own()).unwrap().unwrap();
        assert_eq!((r.query_id.as_str(), r.archive_id.as_str()), ("q1", "A1"));
        assert_eq!(r.stamp_ms, Some(1_278_803_305_000));
        assert_eq!(r.message.bodies.get("").map(|b| b.as_str()), Some("hi"));
        let fin: Element = "<fin xmlns='urn:xmpp:mam:2' complete='true'><set xmlns='http://jabber.org/protocol/rsm'>\
            <first index='0'>A1</first><last>A9</last></set></fin>"
            .parse()
            .unwrap();
        assert_eq!(
            parse_fin(Some(&fin)).unwrap(),
            Fin {
                complete: true,
                first: Some("A1".into()),
                last: Some("A9".into())
            }
        );
        let empty: Element =
            "<fin xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'/></fin>"
                .parse()
                .unwrap();
        assert_eq!(parse_fin(Some(&empty)).unwrap(), Fin::default());
    }

    #[test]
    fn rejects_forged_results_and_bad_fin() {
        let forged = msg("<message xmlns='jabber:client' from='mallory@x.org' to='alice@x.org/h'>\
            <result xmlns='urn:xmpp:mam:2' queryid='q1' id='A1'><forwarded xmlns='urn:xmpp:forward:0'>\
            <message xmlns='jabber:client' from='bob@x.org/l' type='chat'><body>fake</body></message>\
            </forwarded></result></message>");
        assert!(matches!(
            parse_result(&forged, &own()),
            Err(ProtocolError::Spoofed { .. })
        ));
        let no_id = msg("<message xmlns='jabber:client'><result xmlns='urn:xmpp:mam:2' queryid='q1'>\
            <forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded></result></message>");
        assert!(parse_result(&no_id, &own()).is_err());
        assert_eq!(
            parse_result(
                &msg("<message xmlns='jabber:client'><body>x</body></message>"),
                &own()
            )
            .unwrap(),
            None
        );
        assert!(parse_fin(None).is_err());
        let wrong: Element = "<query xmlns='urn:xmpp:mam:2'/>".parse().unwrap();
        assert!(parse_fin(Some(&wrong)).is_err());
    }

    #[test]
    fn serialises_newest_page_query_with_filters() {
        let q = ArchiveQuery {
            with: Some(BareJid::new("bob@x.org").unwrap()),
            end_ms: Some(1_278_803_305_000),
            after: Some("A0".into()),
            before: Some(String::new()),
            max: 50,
            ..Default::default()
        };
        let Iq::Set { payload, id, .. } = query("iq1", "q1", &q) else {
            panic!("set expected")
        };
        assert_eq!(id, "iq1");
        assert_eq!(payload.attr("queryid"), Some("q1"));
        let form = payload.get_child("x", NS_FORMS).unwrap();
        let value = |var: &str| {
            form.children()
                .find(|f| f.attr("var") == Some(var))
                .map(|f| f.children().next().unwrap().text())
        };
        assert_eq!(value("FORM_TYPE").as_deref(), Some(NS));
        assert_eq!(value("with").as_deref(), Some("bob@x.org"));
        assert_eq!(value("end").as_deref(), Some("2010-07-10T23:08:25.000Z"));
        assert_eq!(value("start"), None);
        let set = payload.get_child("set", NS_RSM).unwrap();
        assert_eq!(set.get_child("max", NS_RSM).unwrap().text(), "50");
        assert_eq!(set.get_child("after", NS_RSM).unwrap().text(), "A0");
        assert_eq!(set.get_child("before", NS_RSM).unwrap().text(), "");
    }

    #[test]
    fn a_room_archive_is_asked_at_the_room_and_answers_from_it() {
        let room = BareJid::new("sales@rooms.x.org").unwrap();
        let q = ArchiveQuery {
            archive: Some(room.clone()),
            before: Some(String::new()),
            max: 50,
            ..Default::default()
        };
        let Iq::Set { to, payload, .. } = query("iq2", "q2", &q) else {
            panic!("set expected")
        };
        assert_eq!(to, Some(Jid::from(room.clone())));
        assert!(payload
            .get_child("x", NS_FORMS)
            .unwrap()
            .children()
            .all(|f| f.attr("var") != Some("with")));
        let m: Message = Message::try_from(
            "<message xmlns='jabber:client' from='sales@rooms.x.org'><result xmlns='urn:xmpp:mam:2' \
             queryid='q2' id='R-1'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' \
             type='groupchat' from='sales@rooms.x.org/Bob'><body>hi</body></message></forwarded>\
             </result></message>"
                .parse::<Element>()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(parse_result(&m, &room).unwrap().unwrap().archive_id, "R-1");
        // An occupant cannot answer for the room.
        let mut forged = m.clone();
        forged.from = Some(Jid::new("sales@rooms.x.org/Bob").unwrap());
        assert!(parse_result(&forged, &room).is_err());
    }

    #[test]
    fn serialises_fulltext_search_and_reads_the_form() {
        let q = ArchiveQuery {
            before: Some(String::new()),
            max: 20,
            fulltext: Some((FULLTEXT_FIELD.into(), "budget <review>".into())),
            ..Default::default()
        };
        let Iq::Set { payload, .. } = query("iq2", "q2", &q) else {
            panic!("set expected")
        };
        let form = payload.get_child("x", NS_FORMS).unwrap();
        let text = form
            .children()
            .find(|f| f.attr("var") == Some(FULLTEXT_FIELD))
            .map(|f| f.children().next().unwrap().text());
        assert_eq!(text.as_deref(), Some("budget <review>"));
        // The words are text, escaped when serialised, never markup.
        assert!(String::from(&payload).contains("budget &lt;review&gt;"));

        let Iq::Get { payload, .. } = form_request("f1") else {
            panic!("get expected")
        };
        assert!(payload.is("query", NS));
        // ejabberd 24+ with MySQL lists the XEP-0431 field (and, here, the older one too: the
        // standard one wins); ejabberd 23.01 with SQL only `withtext`; Prosody's form neither.
        let ejabberd: Element = "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='form'>\
            <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>\
            <field var='withtext' type='text-single'/>\
            <field var='with' type='jid-single'/><field var='{urn:xmpp:fulltext:0}fulltext' type='text-single' label='Search the text'/>\
            </x></query>"
            .parse()
            .unwrap();
        assert_eq!(form_text_field(Some(&ejabberd)), Some(FULLTEXT_FIELD));
        let ejabberd_23: Element = "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='form'>\
            <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>\
            <field var='with' type='jid-single'/><field var='withtext' type='text-single'/></x></query>"
            .parse()
            .unwrap();
        assert_eq!(form_text_field(Some(&ejabberd_23)), Some("withtext"));
        let prosody: Element = "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='form'>\
            <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>\
            <field var='with' type='jid-single'/><field var='start' type='text-single'/></x></query>"
            .parse()
            .unwrap();
        assert_eq!(form_text_field(Some(&prosody)), None);
        // A field of that name outside the form, or no answer, is no support.
        let stray: Element = "<query xmlns='urn:xmpp:mam:2'><field xmlns='jabber:x:data' var='{urn:xmpp:fulltext:0}fulltext'/></query>"
            .parse()
            .unwrap();
        assert_eq!(form_text_field(Some(&stray)), None);
        assert_eq!(form_text_field(None), None);
    }
}
