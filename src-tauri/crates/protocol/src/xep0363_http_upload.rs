//! XEP-0363: HTTP File Upload — finding the upload service (§3: disco#items of our server, then
//! disco#info with the `urn:xmpp:http:upload:0` feature and its `max-file-size` form field),
//! asking for a slot (§4), and reading the PUT/GET URLs and the headers the PUT must carry.

use xmpp_parsers::disco::{DiscoInfoQuery, DiscoInfoResult, DiscoItemsQuery, DiscoItemsResult};
use xmpp_parsers::http_upload::{SlotRequest, SlotResult};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::Jid;
use xmpp_parsers::minidom::Element;

use crate::xep0066_oob::is_https_url;
use crate::ProtocolError;

/// Namespace (feature and form type).
pub const NS: &str = "urn:xmpp:http:upload:0";

/// An upload service and the largest file it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadService {
    /// The service's JID (e.g. `upload.example.org`).
    pub jid: Jid,
    /// `max-file-size` in bytes; `None` when the service states no limit.
    pub max_size: Option<u64>,
}

/// A granted slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Where to PUT the bytes.
    pub put_url: String,
    /// Where everyone GETs them (what we send).
    pub get_url: String,
    /// Headers the PUT must carry (§4.1: only Authorization, Cookie and Expires are allowed).
    pub headers: Vec<(String, String)>,
}

/// `disco#items` of our server (candidates for the upload service).
pub fn items_request(id: &str, server: &Jid) -> Iq {
    Iq::from_get(
        id.to_string(),
        DiscoItemsQuery {
            node: None,
            rsm: None,
        },
    )
    .with_to(server.clone())
}

/// `disco#info` of one candidate.
pub fn info_request(id: &str, to: &Jid) -> Iq {
    Iq::from_get(id.to_string(), DiscoInfoQuery { node: None }).with_to(to.clone())
}

/// The JIDs a `disco#items` result lists.
pub fn parse_items(payload: Option<&Element>) -> Result<Vec<Jid>, ProtocolError> {
    let p = payload.ok_or_else(|| ProtocolError::malformed("disco items", "empty result"))?;
    let items = DiscoItemsResult::try_from(p.clone())
        .map_err(|e| ProtocolError::malformed("disco items", e))?;
    Ok(items.items.into_iter().map(|i| i.jid).collect())
}

/// The upload service described by a `disco#info` result of `jid`, when it is one.
pub fn parse_service(jid: &Jid, payload: Option<&Element>) -> Option<UploadService> {
    let info = DiscoInfoResult::try_from(payload?.clone()).ok()?;
    if !info.features.contains(NS) {
        return None;
    }
    let max_size = info
        .extensions
        .iter()
        .filter(|f| f.form_type() == Some(NS))
        .flat_map(|f| f.fields.iter())
        .filter(|f| f.var.as_deref() == Some("max-file-size"))
        .flat_map(|f| f.values.first())
        .find_map(|v| v.trim().parse::<u64>().ok());
    Some(UploadService {
        jid: jid.clone(),
        max_size,
    })
}

/// §4: ask `service` for a slot for a file of `size` bytes.
pub fn slot_request(id: &str, service: &Jid, filename: &str, size: u64, mime: Option<&str>) -> Iq {
    Iq::from_get(
        id.to_string(),
        SlotRequest {
            filename: filename.to_string(),
            size,
            content_type: mime.map(str::to_string),
        },
    )
    .with_to(service.clone())
}

/// Reads a slot; refuses URLs that are not HTTPS and header values that could split headers.
pub fn parse_slot(payload: Option<&Element>) -> Result<Slot, ProtocolError> {
    let p = payload.ok_or_else(|| ProtocolError::malformed("upload slot", "empty result"))?;
    let slot =
        SlotResult::try_from(p.clone()).map_err(|e| ProtocolError::malformed("upload slot", e))?;
    for u in [&slot.put.url, &slot.get.url] {
        if !is_https_url(u) {
            return Err(ProtocolError::malformed("upload slot", "URL is not HTTPS"));
        }
    }
    let mut headers = Vec::new();
    for h in slot.put.headers {
        if h.value.chars().any(|c| c.is_control()) {
            return Err(ProtocolError::malformed(
                "upload slot",
                "header value with control characters",
            ));
        }
        headers.push((h.name.as_str().to_string(), h.value));
    }
    Ok(Slot {
        put_url: slot.put.url,
        get_url: slot.get.url,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> Element {
        s.parse().unwrap()
    }

    #[test]
    fn parses_service_with_limit() {
        let info = el("<query xmlns='http://jabber.org/protocol/disco#info'>
            <identity category='store' type='file' name='HTTP File Upload'/>
            <feature var='urn:xmpp:http:upload:0'/>
            <x type='result' xmlns='jabber:x:data'>
              <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field>
              <field var='max-file-size'><value>10485760</value></field>
            </x></query>");
        let jid = Jid::new("upload.localhost").unwrap();
        let s = parse_service(&jid, Some(&info)).unwrap();
        assert_eq!(s.max_size, Some(10_485_760));
        assert_eq!(s.jid, jid);
    }

    #[test]
    fn rejects_non_upload_services_and_junk_limits() {
        let jid = Jid::new("conference.localhost").unwrap();
        let muc = el("<query xmlns='http://jabber.org/protocol/disco#info'>
            <identity category='conference' type='text'/>
            <feature var='http://jabber.org/protocol/muc'/></query>");
        assert_eq!(parse_service(&jid, Some(&muc)), None);
        assert_eq!(parse_service(&jid, None), None);
        let junk = el("<query xmlns='http://jabber.org/protocol/disco#info'>
            <identity category='store' type='file'/>
            <feature var='urn:xmpp:http:upload:0'/>
            <x type='result' xmlns='jabber:x:data'>
              <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field>
              <field var='max-file-size'><value>lots</value></field>
            </x></query>");
        assert_eq!(parse_service(&jid, Some(&junk)).unwrap().max_size, None);
    }

    #[test]
    fn parses_slot() {
        let slot = el("<slot xmlns='urn:xmpp:http:upload:0'>
            <put url='https://up.example/f/abc/r%C3%A9sum%C3%A9.pdf'>
              <header name='Authorization'>Bearer xyz</header></put>
            <get url='https://up.example/f/abc/r%C3%A9sum%C3%A9.pdf'/></slot>");
        let s = parse_slot(Some(&slot)).unwrap();
        assert_eq!(
            s.headers,
            vec![("Authorization".into(), "Bearer xyz".into())]
        );
        assert!(s.get_url.ends_with(".pdf"));
    }

    #[test]
    fn rejects_plain_http_and_header_injection() {
        let http = el(
            "<slot xmlns='urn:xmpp:http:upload:0'><put url='http://up.example/a'/>
            <get url='https://up.example/a'/></slot>",
        );
        assert!(parse_slot(Some(&http)).is_err());
        let inject = el(
            "<slot xmlns='urn:xmpp:http:upload:0'><put url='https://up.example/a'>
            <header name='Cookie'>a=b&#13;&#10;X-Evil: 1</header></put>
            <get url='https://up.example/a'/></slot>",
        );
        assert!(parse_slot(Some(&inject)).is_err());
        let other = el(
            "<slot xmlns='urn:xmpp:http:upload:0'><put url='https://up.example/a'>
            <header name='X-Evil'>1</header></put><get url='https://up.example/a'/></slot>",
        );
        assert!(parse_slot(Some(&other)).is_err());
        assert!(parse_slot(None).is_err());
    }

    #[test]
    fn serialises_slot_request() {
        let iq: Element = slot_request(
            "u1",
            &Jid::new("upload.localhost").unwrap(),
            "a b.png",
            42,
            Some("image/png"),
        )
        .into();
        let r = iq.get_child("request", NS).unwrap();
        assert_eq!(r.attr("filename"), Some("a b.png"));
        assert_eq!(r.attr("size"), Some("42"));
        assert_eq!(r.attr("content-type"), Some("image/png"));
        assert_eq!(iq.attr("to"), Some("upload.localhost"));
    }
}
