//! OAuth 2.0 client credentials, as CAS documents them: a token per
//! environment's token endpoint, cached and shared by every request until
//! shortly before it expires, fetched by one request at a time, dropped on
//! a `401`. The secret and the tokens are never in `Debug`, logs or errors.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::HeaderValue;
use serde::Deserialize;
use tokio::time::Instant;

use super::auth::AuthError;

/// The token endpoint's path on the sandbox (and on CAS's login hosts).
pub const SANDBOX_TOKEN_PATH: &str = "/oauth2/v2.0/token";

/// Where the API and its token endpoint are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    /// `https://api.customs4trade.com`, tokens from `login.customs4trade.com`.
    Production,
    /// `https://api-acc.customs4trade.com`, tokens from
    /// `login-acc.customs4trade.com` (fully functional, declarations not real).
    Acceptance,
    /// Anything else: the sandbox, a proxy.
    Custom { api_base: String, token_url: String },
}

impl Environment {
    /// A custom API whose token endpoint is at `/oauth2/v2.0/token` of the
    /// same host, as on the sandbox.
    pub fn custom(api_base: impl Into<String>) -> Self {
        let api_base = api_base.into().trim_end_matches('/').to_owned();
        Environment::Custom {
            token_url: format!("{api_base}{SANDBOX_TOKEN_PATH}"),
            api_base,
        }
    }

    /// `production`/`prd`, `acceptance`/`acc`, or an `http(s)://` URL (see [`custom`](Self::custom)).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "production" | "prd" | "prod" => Some(Environment::Production),
            "acceptance" | "acc" => Some(Environment::Acceptance),
            url if url.starts_with("http://") || url.starts_with("https://") => {
                Some(Environment::custom(url))
            }
            _ => None,
        }
    }

    pub fn api_base(&self) -> &str {
        match self {
            Environment::Production => "https://api.customs4trade.com",
            Environment::Acceptance => "https://api-acc.customs4trade.com",
            Environment::Custom { api_base, .. } => api_base,
        }
    }

    pub fn token_url(&self) -> &str {
        match self {
            Environment::Production => "https://login.customs4trade.com/oauth2/v2.0/token",
            Environment::Acceptance => "https://login-acc.customs4trade.com/oauth2/v2.0/token",
            Environment::Custom { token_url, .. } => token_url,
        }
    }

    /// The documented scope template,
    /// `https://c4t{env}b2c.onmicrosoft.com/{client_id}/.default`, with
    /// `prd` or `acc` (a custom environment takes `acc`; set
    /// [`ClientCredentials::scope`] for anything else).
    pub fn default_scope(&self, client_id: &str) -> String {
        let env = match self {
            Environment::Production => "prd",
            _ => "acc",
        };
        format!("https://c4t{env}b2c.onmicrosoft.com/{client_id}/.default")
    }
}

/// A client secret: shown as `<redacted>` by `Debug`.
#[derive(Clone)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        ClientSecret(secret.into())
    }
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// What the token endpoint needs.
#[derive(Clone, Debug)]
pub struct ClientCredentials {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: ClientSecret,
    pub scope: String,
}

impl ClientCredentials {
    /// The environment's token endpoint and documented scope.
    pub fn new(env: &Environment, client_id: impl Into<String>, secret: ClientSecret) -> Self {
        let client_id = client_id.into();
        ClientCredentials {
            token_url: env.token_url().to_owned(),
            scope: env.default_scope(&client_id),
            client_id,
            client_secret: secret,
        }
    }

    /// Another scope than the documented template.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Another token endpoint than the environment's.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }
}

/// The token cache shared by all clones of a client.
pub(crate) struct TokenCache {
    creds: ClientCredentials,
    cached: Mutex<Option<Cached>>,
    /// Held while fetching: one token request in flight at a time.
    refresh: tokio::sync::Mutex<()>,
    fetched: AtomicU32,
}

struct Cached {
    value: HeaderValue,
    renew_at: Instant,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct TokenErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

/// Renewal this long before expiry: a quarter of the lifetime, at most a minute.
fn margin(lifetime: Duration) -> Duration {
    (lifetime / 4).min(Duration::from_secs(60))
}

impl TokenCache {
    pub(crate) fn new(creds: ClientCredentials) -> Self {
        TokenCache {
            creds,
            cached: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            fetched: AtomicU32::new(0),
        }
    }

    /// Tokens fetched so far.
    pub(crate) fn fetched(&self) -> u32 {
        self.fetched.load(Ordering::SeqCst)
    }

    fn fresh(&self) -> Option<HeaderValue> {
        let g = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        g.as_ref()
            .filter(|c| Instant::now() < c.renew_at)
            .map(|c| c.value.clone())
    }

    /// The `Authorization` value: the cached token, or a new one.
    pub(crate) async fn header(&self, http: &reqwest::Client) -> Result<HeaderValue, AuthError> {
        if let Some(v) = self.fresh() {
            return Ok(v);
        }
        let _one_at_a_time = self.refresh.lock().await;
        if let Some(v) = self.fresh() {
            return Ok(v);
        }
        let (value, lifetime) = self.fetch(http).await?;
        let renew_at = Instant::now() + lifetime.saturating_sub(margin(lifetime));
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = Some(Cached {
            value: value.clone(),
            renew_at,
        });
        Ok(value)
    }

    /// Drops the cached token if it is the one a `401` answered.
    pub(crate) fn invalidate(&self, used: &HeaderValue) {
        let mut g = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if g.as_ref().is_some_and(|c| c.value == *used) {
            *g = None;
        }
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<(HeaderValue, Duration), AuthError> {
        let c = &self.creds;
        let url = c.token_url.clone();
        tracing::debug!(token_url = %url, client_id = %c.client_id, "fetching an access token");
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.expose()),
            ("scope", c.scope.as_str()),
        ];
        let resp = http
            .post(&url)
            .form(&form)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| AuthError::TokenTransport {
                url: url.clone(),
                source: e.without_url(),
            })?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(|e| AuthError::TokenTransport {
            url: url.clone(),
            source: e.without_url(),
        })?;
        if status != 200 {
            let body = serde_json::from_str::<TokenErrorBody>(&text).ok();
            return Err(AuthError::TokenRefused {
                url,
                status,
                error: body.as_ref().and_then(|b| b.error.clone()),
                description: body.and_then(|b| b.error_description),
            });
        }
        let body: TokenBody = serde_json::from_str(&text).map_err(|e| AuthError::TokenBody {
            url: url.clone(),
            reason: format!("not a token answer: {e}"),
        })?;
        if body
            .token_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
        {
            return Err(AuthError::TokenBody {
                url,
                reason: "token_type is not Bearer".into(),
            });
        }
        let lifetime = expires_in(body.expires_in.as_ref());
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", body.access_token)).map_err(|_| {
                AuthError::TokenBody {
                    url: url.clone(),
                    reason: "the access token is not a valid header value".into(),
                }
            })?;
        value.set_sensitive(true);
        self.fetched.fetch_add(1, Ordering::SeqCst);
        tracing::info!(token_url = %url, expires_in_secs = lifetime.as_secs(), "access token fetched");
        Ok((value, lifetime))
    }
}

/// `expires_in` as a number or a numeric string; one hour (CAS's
/// documented lifetime) when missing or unreadable.
fn expires_in(v: Option<&serde_json::Value>) -> Duration {
    let secs = match v {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    Duration::from_secs(secs.unwrap_or(3600))
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.creds.token_url)
            .field("client_id", &self.creds.client_id)
            .field("client_secret", &self.creds.client_secret)
            .field("scope", &self.creds.scope)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_and_scopes_are_the_documented_ones() {
        let acc = Environment::parse("acceptance").expect("known");
        assert_eq!(acc.api_base(), "https://api-acc.customs4trade.com");
        assert_eq!(
            acc.token_url(),
            "https://login-acc.customs4trade.com/oauth2/v2.0/token"
        );
        assert_eq!(
            Environment::Production.default_scope("abc"),
            "https://c4tprdb2c.onmicrosoft.com/abc/.default"
        );
        let local = Environment::parse("http://127.0.0.1:8787/").expect("url");
        assert_eq!(local.api_base(), "http://127.0.0.1:8787");
        assert_eq!(local.token_url(), "http://127.0.0.1:8787/oauth2/v2.0/token");
        assert!(Environment::parse("staging").is_none());
    }

    #[test]
    fn the_secret_is_not_in_debug() {
        let c =
            ClientCredentials::new(&Environment::Acceptance, "id", ClientSecret::new("hunter2"));
        let shown = format!("{c:?} {:?}", TokenCache::new(c.clone()));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn expires_in_forms_and_renewal_margin() {
        assert_eq!(
            expires_in(Some(&serde_json::json!(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            expires_in(Some(&serde_json::json!("60"))),
            Duration::from_secs(60)
        );
        assert_eq!(expires_in(None), Duration::from_secs(3600));
        assert_eq!(margin(Duration::from_secs(2)), Duration::from_millis(500));
        assert_eq!(margin(Duration::from_secs(3600)), Duration::from_secs(60));
    }
}
