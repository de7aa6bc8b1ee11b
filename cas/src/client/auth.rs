//! Authentication by callback, called for every attempt so that short-lived
//! tokens can be refreshed between retries. Secrets are never printed.

use std::fmt;
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

type SecretFn = Arc<dyn Fn() -> String + Send + Sync>;

/// How requests are authenticated.
#[derive(Clone)]
pub struct Auth {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    ApiKey { header: String, secret: SecretFn },
    Bearer { token: SecretFn },
}

/// The auth callback gave a value that cannot be sent as a header.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid authentication header name {0:?}")]
    HeaderName(String),
    #[error("the authentication callback returned a value that is not a valid header value")]
    HeaderValue,
}

impl Auth {
    /// An API key sent in `header`; `key` is called for every attempt.
    pub fn api_key(
        header: impl Into<String>,
        key: impl Fn() -> String + Send + Sync + 'static,
    ) -> Self {
        Auth {
            kind: Kind::ApiKey {
                header: header.into(),
                secret: Arc::new(key),
            },
        }
    }

    /// A bearer token in `Authorization`; `token` is called for every attempt.
    pub fn bearer(token: impl Fn() -> String + Send + Sync + 'static) -> Self {
        Auth {
            kind: Kind::Bearer {
                token: Arc::new(token),
            },
        }
    }

    /// The header for one attempt, marked sensitive so it is not logged.
    pub(crate) fn header(&self) -> Result<(HeaderName, HeaderValue), AuthError> {
        let (name, value) = match &self.kind {
            Kind::ApiKey { header, secret } => (
                HeaderName::from_bytes(header.as_bytes())
                    .map_err(|_| AuthError::HeaderName(header.clone()))?,
                secret(),
            ),
            Kind::Bearer { token } => (AUTHORIZATION, format!("Bearer {}", token())),
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| AuthError::HeaderValue)?;
        value.set_sensitive(true);
        Ok((name, value))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::ApiKey { header, .. } => f
                .debug_struct("Auth::ApiKey")
                .field("header", header)
                .field("key", &"<redacted>")
                .finish(),
            Kind::Bearer { .. } => f
                .debug_struct("Auth::Bearer")
                .field("token", &"<redacted>")
                .finish(),
        }
    }
}
