//! Avatar bytes across IPC: base64 in from the UI (our own picture), `data:` URLs out (the CSP
//! allows `data:` images only; nothing is fetched from the network by the web view).

use crate::error::{IpcError, IpcErrorCode};

/// Largest picture the UI may hand over (it scales pictures down before).
const MAX_BASE64: usize = 2 * 1024 * 1024;

/// Decodes the UI's base64 (a `data:…;base64,` prefix is allowed).
pub fn decode(input: &str) -> Result<Vec<u8>, IpcError> {
    let invalid = |message: &str| IpcError {
        code: IpcErrorCode::InvalidInput,
        message: message.to_string(),
        fingerprint: None,
    };
    if input.len() > MAX_BASE64 {
        return Err(invalid("This picture is too large."));
    }
    let b64 = input.split_once(";base64,").map_or(input, |(_, b)| b);
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| invalid("This picture could not be read."))
}

/// A `data:` URL for an image of a sniffed type.
pub fn data_url(bytes: &[u8], mime: &str) -> String {
    use base64::Engine;
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let url = data_url(&[1, 2, 3], "image/png");
        assert_eq!(url, "data:image/png;base64,AQID");
        assert_eq!(decode(&url).unwrap(), vec![1, 2, 3]);
        assert_eq!(decode("AQID").unwrap(), vec![1, 2, 3]);
        assert_eq!(decode("!!").unwrap_err().code, IpcErrorCode::InvalidInput);
        assert!(decode(&"A".repeat(MAX_BASE64 + 1)).is_err());
    }
}
