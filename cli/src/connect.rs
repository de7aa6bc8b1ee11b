//! Where the API is and how to authenticate: shared by `send`, `whoami`
//! and `declarations`.
//!
//! `--env acceptance|production|URL`; OAuth 2.0 client credentials from
//! `--client-id` / `CAS_CLIENT_ID` and `CAS_CLIENT_SECRET` or
//! `--client-secret-file` (what CAS documents); or an API key (for a proxy
//! or the sandbox without authentication) from `CAS_API_KEY` or
//! `--api-key-file`. Secrets never come from a flag.

use std::path::PathBuf;
use std::time::Duration;

use cas_api::client::{Auth, Client, ClientBuilder, ClientCredentials, ClientSecret, Environment};

use crate::{CliError, secrets};

#[derive(clap::Args, Clone)]
pub struct ConnectArgs {
    /// The API: `acceptance`, `production`, or a base URL (e.g. the
    /// sandbox's http://127.0.0.1:8787, whose token endpoint is
    /// <URL>/oauth2/v2.0/token).
    #[arg(
        long = "env",
        visible_alias = "base-url",
        env = "CAS_ENV",
        value_name = "acceptance|production|URL"
    )]
    env: String,
    /// OAuth client id (client credentials); the secret comes from
    /// CAS_CLIENT_SECRET or --client-secret-file.
    #[arg(long, env = "CAS_CLIENT_ID")]
    client_id: Option<String>,
    /// File holding the OAuth client secret (first line).
    #[arg(long, value_name = "PATH")]
    client_secret_file: Option<PathBuf>,
    /// Token endpoint, if not the environment's.
    #[arg(long, value_name = "URL")]
    token_url: Option<String>,
    /// OAuth scope, if not https://c4t{acc|prd}b2c.onmicrosoft.com/{client id}/.default.
    #[arg(long)]
    scope: Option<String>,
    /// File holding an API key (else CAS_API_KEY); only without --client-id.
    #[arg(long, value_name = "PATH")]
    api_key_file: Option<PathBuf>,
    /// Header that carries the API key.
    #[arg(long, default_value = "X-API-Key")]
    api_key_header: String,
    /// Time limit of one attempt, in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

impl ConnectArgs {
    pub fn environment(&self) -> Result<Environment, CliError> {
        Environment::parse(&self.env).ok_or_else(|| {
            CliError::Usage(format!(
                "--env {:?}: expected acceptance, production or an http(s) URL",
                self.env
            ))
        })
    }

    fn auth(&self, env: &Environment) -> Result<Option<Auth>, CliError> {
        let api_key = secrets::read("CAS_API_KEY", self.api_key_file.as_deref())?;
        let Some(id) = self.client_id.as_deref().filter(|id| !id.trim().is_empty()) else {
            return Ok(
                api_key.map(|key| Auth::api_key(self.api_key_header.clone(), move || key.clone()))
            );
        };
        if self.api_key_file.is_some() {
            return Err(CliError::Usage(
                "--api-key-file and client credentials exclude each other".into(),
            ));
        }
        let Some(secret) = secrets::read("CAS_CLIENT_SECRET", self.client_secret_file.as_deref())?
        else {
            return Err(CliError::Usage(format!(
                "client id {id} given without a secret: set CAS_CLIENT_SECRET or --client-secret-file"
            )));
        };
        let mut creds = ClientCredentials::new(env, id.trim(), ClientSecret::new(secret));
        if let Some(url) = &self.token_url {
            creds = creds.token_url(url.clone());
        }
        if let Some(scope) = &self.scope {
            creds = creds.scope(scope.clone());
        }
        Ok(Some(Auth::client_credentials(creds)))
    }

    /// A client builder for the environment, with its authentication.
    pub fn builder(&self) -> Result<ClientBuilder, CliError> {
        let env = self.environment()?;
        let mut b = Client::for_environment(&env)
            .timeout(Duration::from_secs(self.timeout.max(1)))
            .user_agent(concat!("cas-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(auth) = self.auth(&env)? {
            b = b.auth(auth);
        }
        Ok(b)
    }

    pub fn client(&self) -> Result<Client, CliError> {
        self.builder()?
            .build()
            .map_err(|e| CliError::Usage(e.to_string()))
    }
}
