//! Standard Webhooks signatures: HMAC-SHA256 over `"{id}.{timestamp}.{body}"`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::{DEFAULT_MAX_BODY, WebhookError, WebhookEvent};

type HmacSha256 = Hmac<Sha256>;

/// Header carrying the unique message id (the same on redelivery).
pub const HEADER_ID: &str = "webhook-id";
/// Header carrying the send time, Unix seconds.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// Header carrying space-separated `v1,<base64>` signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";

/// Default allowed clock difference; bounds how long a captured request
/// can be replayed.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

const SECRET_PREFIX: &str = "whsec_";

/// A signing secret, parsed from its `whsec_<base64>` form.
///
/// Holds the keyed HMAC state, never printed: `Debug` shows `Secret(..)`.
#[derive(Clone)]
pub struct Secret {
    mac: HmacSha256,
}

impl Secret {
    /// Parses `whsec_<base64>`; the prefix is required so that a raw
    /// string passed by mistake is caught rather than silently used as key.
    ///
    /// ```
    /// use cas_api::webhook::Secret;
    /// assert!(Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_ok());
    /// assert!(Secret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
    /// ```
    pub fn parse(secret: &str) -> Result<Self, WebhookError> {
        let encoded = secret
            .strip_prefix(SECRET_PREFIX)
            .ok_or(WebhookError::BadSecret("missing `whsec_` prefix"))?;
        let key = B64
            .decode(encoded.trim())
            .map_err(|_| WebhookError::BadSecret("not valid base64 after `whsec_`"))?;
        if key.is_empty() {
            return Err(WebhookError::BadSecret("empty key"));
        }
        let mac = HmacSha256::new_from_slice(&key)
            .map_err(|_| WebhookError::BadSecret("key rejected by HMAC"))?;
        Ok(Secret { mac })
    }

    fn mac_for(&self, id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Computes the `webhook-signature` header value (`v1,<base64>`) for a
/// delivery, as a sender would; for tests and local test servers.
///
/// ```
/// use cas_api::webhook::{sign, Secret};
/// let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// let header = sign(&secret, "msg_1", 1_764_000_000, b"{}");
/// assert!(header.starts_with("v1,"));
/// # Ok::<(), cas_api::webhook::WebhookError>(())
/// ```
pub fn sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = secret
        .mac_for(id, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("v1,{}", B64.encode(tag))
}

/// Where the verifier reads the three `webhook-*` headers from, so no web
/// framework is imposed.
///
/// Implemented for [`WebhookHeaders`] (values extracted by the caller, the
/// simplest route from e.g. `http::HeaderMap`), for `[(K, V)]`, `Vec<(K, V)>`
/// and `HashMap<K, V>`; for another map type, implement it on a newtype.
/// Names are passed lowercase; implementations should match
/// case-insensitively, as HTTP header names are.
pub trait HeaderLookup {
    fn header(&self, name: &str) -> Option<&str>;
}

/// The three header values, already extracted.
#[derive(Clone, Copy, Debug)]
pub struct WebhookHeaders<'a> {
    pub id: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

impl HeaderLookup for WebhookHeaders<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        if name.eq_ignore_ascii_case(HEADER_ID) {
            Some(self.id)
        } else if name.eq_ignore_ascii_case(HEADER_TIMESTAMP) {
            Some(self.timestamp)
        } else if name.eq_ignore_ascii_case(HEADER_SIGNATURE) {
            Some(self.signature)
        } else {
            None
        }
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>, S> HeaderLookup for HashMap<K, V, S> {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

/// Checks Standard Webhooks signatures and timestamps, then parses the body.
///
/// Several secrets may be active at once (key rotation): a delivery is
/// accepted when any `v1` signature matches any secret.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use cas_api::webhook::{sign, Secret, Verifier, WebhookHeaders};
///
/// let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// let body = br#"{"id":"evt_1","eventType":"Ping","eventTime":"2026-11-24T10:00:00Z","data":{}}"#;
/// let signature = sign(&Secret::parse(secret)?, "msg_1", 1_764_000_000, body);
///
/// let verifier = Verifier::new(secret)?;
/// let headers = WebhookHeaders { id: "msg_1", timestamp: "1764000000", signature: &signature };
/// let now = UNIX_EPOCH + Duration::from_secs(1_764_000_030);
/// let event = verifier.verify_at(&headers, body, now)?;
/// assert_eq!(event.event_type, "Ping");
/// # Ok::<(), cas_api::webhook::WebhookError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    secrets: Vec<Secret>,
    tolerance: Duration,
    max_body: usize,
}

impl Verifier {
    /// A verifier for one `whsec_…` secret, 5-minute tolerance.
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        Self::with_secrets([secret])
    }

    /// A verifier accepting any of several secrets (during rotation).
    pub fn with_secrets<I, S>(secrets: I) -> Result<Self, WebhookError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let secrets = secrets
            .into_iter()
            .map(|s| Secret::parse(s.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if secrets.is_empty() {
            return Err(WebhookError::BadSecret("no secret given"));
        }
        Ok(Verifier {
            secrets,
            tolerance: DEFAULT_TOLERANCE,
            max_body: DEFAULT_MAX_BODY,
        })
    }

    /// Sets the allowed difference between `webhook-timestamp` and now.
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Sets the largest body accepted, in bytes (default [`DEFAULT_MAX_BODY`]).
    pub fn with_max_body(mut self, max_body: usize) -> Self {
        self.max_body = max_body;
        self
    }

    /// Verifies against the system clock and parses the event.
    pub fn verify<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<WebhookEvent, WebhookError> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// Verifies as if the time were `now` (for tests and replays of logs),
    /// then parses the event.
    pub fn verify_at<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: SystemTime,
    ) -> Result<WebhookEvent, WebhookError> {
        self.verify_signature_at(headers, body, now)?;
        WebhookEvent::from_json_with_limit(body, self.max_body)
    }

    /// Only the authenticity checks, without parsing the body; for callers
    /// that parse it themselves.
    pub fn verify_signature_at<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let id = required(headers, HEADER_ID)?;
        let timestamp = required(headers, HEADER_TIMESTAMP)?;
        let signature = required(headers, HEADER_SIGNATURE)?;

        let ts: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| WebhookError::BadTimestamp(timestamp.to_owned()))?;
        let now_secs = unix_seconds(now);
        let skew = (i128::from(ts) - i128::from(now_secs)).unsigned_abs();
        if skew > u128::from(self.tolerance.as_secs()) {
            return Err(WebhookError::TimestampOutsideTolerance {
                timestamp: ts,
                now: now_secs,
                tolerance: self.tolerance,
            });
        }
        if body.len() > self.max_body {
            return Err(WebhookError::BodyTooLarge {
                len: body.len(),
                limit: self.max_body,
            });
        }

        // Sign the header text exactly as received, so a sender's
        // formatting (e.g. no leading zeros) is what gets authenticated.
        let candidates: Vec<Vec<u8>> = signature
            .split_ascii_whitespace()
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(|sig| B64.decode(sig).ok())
            .collect();
        for secret in &self.secrets {
            let mac = secret.mac_for(id, timestamp, body);
            // verify_slice compares in constant time.
            if candidates
                .iter()
                .any(|sig| mac.clone().verify_slice(sig).is_ok())
            {
                return Ok(());
            }
        }
        Err(WebhookError::NoMatchingSignature)
    }
}

fn required<'h, H: HeaderLookup + ?Sized>(
    headers: &'h H,
    name: &'static str,
) -> Result<&'h str, WebhookError> {
    match headers.header(name) {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(WebhookError::MissingHeader(name)),
    }
}

/// Seconds since the Unix epoch; negative before it (no panic on odd clocks).
fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}
