//! The `x-gw-signature` token: an RS256 JWT over a fixed claim set (registry-api.md). Signing
//! (client) and verification (emulator) share the claim set below so they cannot drift.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::keys::{PrivateKey, PublicKey};

/// The token header, byte for byte.
const HEADER: &str = r#"{"typ":"JWT","alg":"RS256"}"#;
/// How long a token is valid.
pub const LIFETIME_SECS: u64 = 300;
/// Clock skew the verifier tolerates on `exp`.
pub const SKEW_SECS: u64 = 30;

/// The claims every token carries besides `exp`, in the order Magento sends them.
const FIXED_CLAIMS: [(&str, ClaimValue); 7] = [
    ("iss", ClaimValue::Str("8E6307BF5D775FA00A495EF9@AdobeOrg")),
    (
        "sub",
        ClaimValue::Str("3181519E5E2714990A495E2E@techacct.adobe.com"),
    ),
    (
        "aud",
        ClaimValue::Str("https://ims-na1.adobelogin.com/c/9ec9d05f79eb443e8f76ce477b1e413c"),
    ),
    (
        "https://ims-na1.adobelogin.com/s/ent_reactor_sdk",
        ClaimValue::True,
    ),
    (
        "https://ims-na1.adobelogin.com/s/asset_compute_meta",
        ClaimValue::True,
    ),
    (
        "https://ims-na1.adobelogin.com/s/ent_adobeio_sdk",
        ClaimValue::True,
    ),
    (
        "https://ims-na1.adobelogin.com/s/event_receiver_api",
        ClaimValue::True,
    ),
];

#[derive(Clone, Copy)]
enum ClaimValue {
    Str(&'static str),
    True,
}

impl ClaimValue {
    fn to_json(self) -> Value {
        match self {
            ClaimValue::Str(s) => Value::String(s.to_owned()),
            ClaimValue::True => Value::Bool(true),
        }
    }
}

/// Why a token was refused. The emulator answers all of them with `JWT is invalid`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the token is not three base64url parts")]
    Malformed,
    #[error("the token header is not {HEADER}")]
    Header,
    #[error("the signature does not match the registered public key")]
    Signature,
    #[error("the claims are not exactly the fixed claim set")]
    Claims,
    #[error("the token has expired")]
    Expired,
    #[error("the token expires more than {LIFETIME_SECS} s (+{SKEW_SECS} s skew) ahead")]
    TooFarAhead,
}

/// Seconds since the epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The payload for a token signed at `now`: `exp`, then the fixed claims.
pub fn claims(now: u64) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("exp".to_owned(), Value::from(now + LIFETIME_SECS));
    for (name, value) in FIXED_CLAIMS {
        map.insert(name.to_owned(), value.to_json());
    }
    map
}

/// Signs a token valid from `now` (seconds since the epoch).
pub fn sign(key: &PrivateKey, now: u64) -> String {
    // A new token each second: the redaction layer knows them all by their fixed header
    // (registered once; a repeat is a lookup).
    crate::diagnostic::register_token_prefix(&format!("{}.", URL_SAFE_NO_PAD.encode(HEADER)));
    // A map of strings, numbers and booleans always serialises.
    let payload = serde_json::to_vec(&claims(now)).expect("the claims serialise to JSON");
    sign_parts(key, HEADER.as_bytes(), &payload)
}

/// Signs raw header and payload bytes. `sign` is the one production caller; tests use it to
/// craft tokens the verifier must refuse.
pub fn sign_parts(key: &PrivateKey, header: &[u8], payload: &[u8]) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = key.sign_rs256(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Checks a token against the account's public key at time `now`: header RS256, signature,
/// exactly the fixed claims, and `exp` in the future but within the lifetime plus skew.
pub fn verify(token: &str, key: &PublicKey, now: u64) -> Result<(), JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| JwtError::Malformed)
    };

    let header_json: Value =
        serde_json::from_slice(&decode(header)?).map_err(|_| JwtError::Header)?;
    if header_json.get("alg").and_then(Value::as_str) != Some("RS256")
        || header_json
            .get("typ")
            .is_some_and(|typ| typ.as_str() != Some("JWT"))
    {
        return Err(JwtError::Header);
    }

    let signing_input = &token[..header.len() + 1 + payload.len()];
    if !key.verify_rs256(signing_input.as_bytes(), &decode(signature)?) {
        return Err(JwtError::Signature);
    }

    let claims: Map<String, Value> =
        serde_json::from_slice(&decode(payload)?).map_err(|_| JwtError::Claims)?;
    let fixed_match = FIXED_CLAIMS
        .iter()
        .all(|(name, value)| claims.get(*name) == Some(&value.to_json()));
    if !fixed_match || claims.len() != FIXED_CLAIMS.len() + 1 {
        return Err(JwtError::Claims);
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_u64)
        .ok_or(JwtError::Claims)?;
    if exp <= now {
        return Err(JwtError::Expired);
    }
    if exp > now + LIFETIME_SECS + SKEW_SECS {
        return Err(JwtError::TooFarAhead);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::fixtures::{other_key, test_key};

    fn verifier() -> PublicKey {
        test_key().public_key()
    }

    const NOW: u64 = 1_700_000_000;

    fn payload_with(edit: impl FnOnce(&mut Map<String, Value>)) -> Vec<u8> {
        let mut map = claims(NOW);
        edit(&mut map);
        serde_json::to_vec(&map).unwrap()
    }

    fn crafted(header: &str, payload: &[u8]) -> String {
        sign_parts(&test_key(), header.as_bytes(), payload)
    }

    #[test]
    fn round_trip_and_exact_shape() {
        let token = sign(&test_key(), NOW);
        assert_eq!(verify(&token, &verifier(), NOW), Ok(()));
        assert_eq!(verify(&token, &verifier(), NOW + 299), Ok(()));

        let mut parts = token.split('.');
        let header = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
        assert_eq!(header, br#"{"typ":"JWT","alg":"RS256"}"#);
        let payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap())
                .unwrap();
        insta::assert_json_snapshot!(payload, @r#"
        {
          "exp": 1700000300,
          "iss": "8E6307BF5D775FA00A495EF9@AdobeOrg",
          "sub": "3181519E5E2714990A495E2E@techacct.adobe.com",
          "aud": "https://ims-na1.adobelogin.com/c/9ec9d05f79eb443e8f76ce477b1e413c",
          "https://ims-na1.adobelogin.com/s/ent_reactor_sdk": true,
          "https://ims-na1.adobelogin.com/s/asset_compute_meta": true,
          "https://ims-na1.adobelogin.com/s/ent_adobeio_sdk": true,
          "https://ims-na1.adobelogin.com/s/event_receiver_api": true
        }
        "#);
    }

    #[test]
    fn signed_tokens_never_reach_output() {
        let token = sign(&test_key(), NOW);
        let text = format!("x-gw-signature: {token}\n");
        let masked = crate::diagnostic::redact(&text);
        assert_eq!(
            masked,
            format!("x-gw-signature: {}\n", "*".repeat(token.len()))
        );
    }

    #[test]
    fn tampered_signature_is_refused() {
        let token = sign(&test_key(), NOW);
        let (rest, signature) = token.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        bytes[10] ^= 1;
        let tampered = format!("{rest}.{}", URL_SAFE_NO_PAD.encode(bytes));
        assert_eq!(
            verify(&tampered, &verifier(), NOW),
            Err(JwtError::Signature)
        );
    }

    #[test]
    fn tampered_payload_is_refused() {
        let token = sign(&test_key(), NOW);
        let mut parts: Vec<&str> = token.split('.').collect();
        let other = URL_SAFE_NO_PAD.encode(payload_with(|m| {
            m.insert("exp".into(), Value::from(NOW + 100));
        }));
        parts[1] = &other;
        assert_eq!(
            verify(&parts.join("."), &verifier(), NOW),
            Err(JwtError::Signature)
        );
    }

    #[test]
    fn another_key_is_refused() {
        let token = sign(&other_key(), NOW);
        assert_eq!(verify(&token, &verifier(), NOW), Err(JwtError::Signature));
    }

    #[test]
    fn wrong_alg_is_refused() {
        let token = crafted(r#"{"typ":"JWT","alg":"HS256"}"#, &payload_with(|_| {}));
        assert_eq!(verify(&token, &verifier(), NOW), Err(JwtError::Header));
        let token = crafted(r#"{"typ":"JWT","alg":"none"}"#, &payload_with(|_| {}));
        assert_eq!(verify(&token, &verifier(), NOW), Err(JwtError::Header));
    }

    #[test]
    fn expired_and_far_future_are_refused() {
        let token = sign(&test_key(), NOW);
        assert_eq!(
            verify(&token, &verifier(), NOW + 300),
            Err(JwtError::Expired)
        );
        let far = crafted(
            HEADER,
            &payload_with(|m| {
                m.insert("exp".into(), Value::from(NOW + 331));
            }),
        );
        assert_eq!(verify(&far, &verifier(), NOW), Err(JwtError::TooFarAhead));
        let skewed = crafted(
            HEADER,
            &payload_with(|m| {
                m.insert("exp".into(), Value::from(NOW + 330));
            }),
        );
        assert_eq!(verify(&skewed, &verifier(), NOW), Ok(()));
    }

    #[test]
    fn extra_missing_or_changed_claims_are_refused() {
        let edits: [fn(&mut Map<String, Value>); 4] = [
            |m| {
                m.insert("iat".into(), Value::from(NOW));
            },
            |m| {
                m.remove("aud");
            },
            |m| {
                m.insert("iss".into(), Value::from("someone@AdobeOrg"));
            },
            |m| {
                m.insert("exp".into(), Value::from("1700000300"));
            },
        ];
        for edit in edits {
            let token = crafted(HEADER, &payload_with(edit));
            assert_eq!(verify(&token, &verifier(), NOW), Err(JwtError::Claims));
        }
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for token in ["", "a.b", "a.b.c.d", "!!.??.**"] {
            assert!(verify(token, &verifier(), NOW).is_err(), "{token}");
        }
    }
}
