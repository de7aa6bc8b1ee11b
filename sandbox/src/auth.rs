//! OAuth 2.0 client credentials, as CAS documents them: a token endpoint
//! that issues bearer tokens to known clients, and the check of every API
//! request's token and scope (`401` for a missing, unknown or expired
//! token, `403` for a token without the scope the route needs).
//!
//! Clients, secrets, scopes and the token lifetime come from an
//! [`AuthConfig`] (a TOML file for `cas sandbox`). Tokens are opaque random
//! strings (CAS issues JWTs; a client must not look inside either).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;
use uuid::Uuid;

use crate::lock;

/// The token endpoint's path on the sandbox (the path of CAS's login hosts).
pub const TOKEN_PATH: &str = "/oauth2/v2.0/token";

/// Every scope CAS documents.
pub const ALL_SCOPES: &[&str] = &[
    "create:messages",
    "read:declarations",
    "create:subscriptions",
    "read:subscriptions",
    "delete:subscriptions",
    "read:documents",
    "create:wms",
    "read:wms",
];

/// One OAuth client (one source system, as CAS issues them).
#[derive(Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
    /// Granted scopes (`create:messages`, `read:declarations`, ...).
    #[serde(default = "all_scopes")]
    pub scopes: Vec<String>,
    /// The tenants the client may act for (echoed by `authorizationStatus`).
    #[serde(default)]
    pub tenant_ids: Vec<String>,
    /// The source system's reference (echoed as `sourceSysRef`).
    #[serde(default)]
    pub source_sys_ref: String,
}

fn all_scopes() -> Vec<String> {
    ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect()
}

impl OAuthClient {
    /// A client with every documented scope and one tenant.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        let client_id = client_id.into();
        OAuthClient {
            source_sys_ref: format!("sandbox-{client_id}"),
            client_id,
            client_secret: client_secret.into(),
            scopes: all_scopes(),
            tenant_ids: vec!["sandbox-tenant".to_owned()],
        }
    }

    /// The same client with only these scopes.
    pub fn with_scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        self
    }
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .field("tenant_ids", &self.tenant_ids)
            .finish()
    }
}

/// Who may get tokens, and for how long they hold.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    #[serde(rename = "client", default)]
    pub clients: Vec<OAuthClient>,
    /// Lifetime of an issued token (CAS: one hour).
    #[serde(
        rename = "token_lifetime_secs",
        default = "hour",
        deserialize_with = "secs"
    )]
    pub token_lifetime: Duration,
}

fn hour() -> Duration {
    Duration::from_secs(3600)
}

fn secs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_secs)
}

/// The clients file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Parse {
        path: String,
        source: Box<toml::de::Error>,
    },
    #[error("{path}: no [[client]] entries")]
    Empty { path: String },
}

impl AuthConfig {
    /// These clients, tokens valid one hour.
    pub fn new(clients: Vec<OAuthClient>) -> Self {
        AuthConfig {
            clients,
            token_lifetime: hour(),
        }
    }

    pub fn token_lifetime(mut self, d: Duration) -> Self {
        self.token_lifetime = d;
        self
    }

    /// Reads a TOML file: `token_lifetime_secs = 3600` and one
    /// `[[client]]` table per client (`client_id`, `client_secret`,
    /// optional `scopes`, `tenant_ids`, `source_sys_ref`).
    pub fn from_file(path: &Path) -> Result<Self, AuthConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AuthConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let config: AuthConfig = toml::from_str(&text).map_err(|e| AuthConfigError::Parse {
            path: shown.clone(),
            source: Box::new(e),
        })?;
        if config.clients.is_empty() {
            return Err(AuthConfigError::Empty { path: shown });
        }
        Ok(config)
    }
}

/// Who a valid token belongs to.
#[derive(Clone, Debug)]
pub(crate) struct Principal {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub tenant_ids: Vec<String>,
    pub source_sys_ref: String,
}

impl Principal {
    /// The sandbox without authentication: everything allowed.
    pub(crate) fn open() -> Self {
        Principal {
            client_id: String::new(),
            scopes: all_scopes(),
            tenant_ids: vec!["sandbox-tenant".to_owned()],
            source_sys_ref: "sandbox".to_owned(),
        }
    }
}

/// Why a request is not authenticated or not allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Denied {
    /// 401: no bearer token, an unknown one, or an expired one.
    Unauthenticated(&'static str),
    /// 403: a valid token without this scope.
    MissingScope(&'static str),
}

/// Why the token endpoint refused (RFC 6749 §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokenRefused {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
}

impl TokenRefused {
    fn new(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        TokenRefused {
            status,
            error,
            description: description.into(),
        }
    }
}

/// An issued token.
pub(crate) struct Issued {
    pub access_token: String,
    pub expires_in: u64,
}

struct TokenEntry {
    client_id: String,
    expires_at: Instant,
}

/// Clients, revocations and the tokens issued.
pub(crate) struct Authority {
    clients: Mutex<HashMap<String, OAuthClient>>,
    lifetime: Duration,
    tokens: Mutex<HashMap<String, TokenEntry>>,
    issued: Mutex<u32>,
}

impl Authority {
    pub(crate) fn new(config: &AuthConfig) -> Self {
        Authority {
            clients: Mutex::new(
                config
                    .clients
                    .iter()
                    .map(|c| (c.client_id.clone(), c.clone()))
                    .collect(),
            ),
            lifetime: config.token_lifetime,
            tokens: Mutex::new(HashMap::new()),
            issued: Mutex::new(0),
        }
    }

    /// Handles a token request's form fields.
    pub(crate) fn issue(&self, form: &HashMap<String, String>) -> Result<Issued, TokenRefused> {
        let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
        if field("grant_type") != "client_credentials" {
            return Err(TokenRefused::new(
                400,
                "unsupported_grant_type",
                "grant_type must be client_credentials",
            ));
        }
        let id = field("client_id");
        let known = lock(&self.clients).get(id).cloned();
        let Some(client) = known.filter(|c| c.client_secret == field("client_secret")) else {
            return Err(TokenRefused::new(
                401,
                "invalid_client",
                "unknown client or wrong secret",
            ));
        };
        // CAS's template: https://c4t{env}b2c.onmicrosoft.com/{client_id}/.default
        if !field("scope").ends_with(&format!("/{}/.default", client.client_id)) {
            return Err(TokenRefused::new(
                400,
                "invalid_scope",
                "scope must end with /{client_id}/.default",
            ));
        }
        let token = format!("sbx_{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        lock(&self.tokens).insert(
            token.clone(),
            TokenEntry {
                client_id: client.client_id,
                expires_at: Instant::now() + self.lifetime,
            },
        );
        *lock(&self.issued) += 1;
        Ok(Issued {
            access_token: token,
            expires_in: self.lifetime.as_secs_f64().ceil() as u64,
        })
    }

    /// The principal of an `Authorization` header value, if valid.
    pub(crate) fn check(&self, authorization: Option<&str>) -> Result<Principal, Denied> {
        let Some(token) = authorization.and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        }) else {
            return Err(Denied::Unauthenticated("no bearer token"));
        };
        let client_id = {
            let tokens = lock(&self.tokens);
            let Some(entry) = tokens.get(token) else {
                return Err(Denied::Unauthenticated("unknown token"));
            };
            if Instant::now() >= entry.expires_at {
                return Err(Denied::Unauthenticated("the token has expired"));
            }
            entry.client_id.clone()
        };
        let Some(c) = lock(&self.clients).get(&client_id).cloned() else {
            return Err(Denied::Unauthenticated("the client was revoked"));
        };
        Ok(Principal {
            client_id: c.client_id,
            scopes: c.scopes,
            tenant_ids: c.tenant_ids,
            source_sys_ref: c.source_sys_ref,
        })
    }

    /// Removes a client: its tokens stop working, it gets no new ones.
    pub(crate) fn revoke(&self, client_id: &str) -> bool {
        lock(&self.tokens).retain(|_, t| t.client_id != client_id);
        lock(&self.clients).remove(client_id).is_some()
    }

    /// Ends every token's life now (clients keep their credentials).
    pub(crate) fn expire_all(&self) {
        lock(&self.tokens).clear();
    }

    pub(crate) fn issued(&self) -> u32 {
        *lock(&self.issued)
    }
}

impl Principal {
    pub(crate) fn require(&self, scope: &'static str) -> Result<(), Denied> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(Denied::MissingScope(scope))
        }
    }
}
