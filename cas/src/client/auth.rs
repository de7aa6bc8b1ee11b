//! How requests are authenticated: OAuth 2.0 client credentials (what CAS
//! documents), or a callback giving an API key or a bearer token for every
//! attempt (for proxies and the sandbox). Secrets are never printed.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};

use super::oauth::{ClientCredentials, TokenCache};

type SecretFn = Arc<dyn Fn() -> String + Send + Sync>;
type AsyncSecretFn = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = String> + Send>> + Send + Sync>;

/// How requests are authenticated.
#[derive(Clone)]
pub struct Auth {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    ApiKey { header: String, secret: SecretFn },
    Bearer { token: SecretFn },
    BearerAsync { token: AsyncSecretFn },
    ClientCredentials(Arc<TokenCache>),
}

/// Authentication failed or could not be attempted.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid authentication header name {0:?}")]
    HeaderName(String),
    #[error("the authentication callback returned a value that is not a valid header value")]
    HeaderValue,
    /// The token endpoint refused (e.g. `invalid_client`: a wrong or revoked client).
    #[error("the token endpoint {url} refused the client credentials: {status} {}{}", .error.as_deref().unwrap_or(""), .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    TokenRefused {
        url: String,
        status: u16,
        error: Option<String>,
        description: Option<String>,
    },
    /// The token endpoint could not be reached or gave no full answer.
    #[error("the token endpoint {url} could not be reached: {source}")]
    TokenTransport { url: String, source: reqwest::Error },
    /// The token endpoint's answer holds no usable token.
    #[error("the token endpoint {url} answered without a usable token: {reason}")]
    TokenBody { url: String, reason: String },
    /// The API answered `401` to a fresh credential too.
    #[error(
        "the API refused the credentials (401 Unauthorized, again after a fresh token): {detail}"
    )]
    Unauthorized { detail: String },
}

impl AuthError {
    /// Whether trying again later may help (the token endpoint was busy or unreachable).
    pub fn is_retryable(&self) -> bool {
        match self {
            AuthError::TokenTransport { .. } => true,
            AuthError::TokenRefused { status, .. } => matches!(status, 429 | 500..=599),
            _ => false,
        }
    }
}

impl Auth {
    /// OAuth 2.0 client credentials: tokens fetched from the token
    /// endpoint, cached and shared by all clones of the client, renewed
    /// shortly before they expire and after a `401`.
    pub fn client_credentials(creds: ClientCredentials) -> Self {
        Auth {
            kind: Kind::ClientCredentials(Arc::new(TokenCache::new(creds))),
        }
    }

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

    /// Like [`bearer`](Self::bearer), with an async callback (e.g. one that
    /// asks a token service).
    pub fn bearer_async<F, Fut>(token: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = String> + Send + 'static,
    {
        Auth {
            kind: Kind::BearerAsync {
                token: Arc::new(move || Box::pin(token())),
            },
        }
    }

    /// Tokens fetched from the token endpoint so far (0 for other kinds).
    pub fn tokens_fetched(&self) -> u32 {
        match &self.kind {
            Kind::ClientCredentials(c) => c.fetched(),
            _ => 0,
        }
    }

    /// The header for one attempt, marked sensitive so it is not logged.
    pub(crate) async fn header(
        &self,
        http: &reqwest::Client,
    ) -> Result<(HeaderName, HeaderValue), AuthError> {
        let (name, value) = match &self.kind {
            Kind::ClientCredentials(cache) => {
                return Ok((AUTHORIZATION, cache.header(http).await?));
            }
            Kind::ApiKey { header, secret } => (
                HeaderName::from_bytes(header.as_bytes())
                    .map_err(|_| AuthError::HeaderName(header.clone()))?,
                secret(),
            ),
            Kind::Bearer { token } => (AUTHORIZATION, format!("Bearer {}", token())),
            Kind::BearerAsync { token } => (AUTHORIZATION, format!("Bearer {}", token().await)),
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| AuthError::HeaderValue)?;
        value.set_sensitive(true);
        Ok((name, value))
    }

    /// After a `401` to `used`: the cached token is dropped (callbacks are
    /// simply called again).
    pub(crate) fn invalidate(&self, used: &HeaderValue) {
        if let Kind::ClientCredentials(cache) = &self.kind {
            cache.invalidate(used);
        }
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
            Kind::Bearer { .. } | Kind::BearerAsync { .. } => f
                .debug_struct("Auth::Bearer")
                .field("token", &"<redacted>")
                .finish(),
            Kind::ClientCredentials(cache) => {
                write!(f, "Auth::")?;
                cache.fmt(f)
            }
        }
    }
}
