//! `cas whoami`: what `GET /v1/authorizationStatus` says about the credentials.

use crate::connect::ConnectArgs;
use crate::{CliError, Format, Outcome};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    connect: ConnectArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

pub async fn run(args: Args) -> Result<Outcome, CliError> {
    let client = args.connect.client()?;
    let status = client
        .authorization_status()
        .await
        .map_err(|e| CliError::Other(format!("authorizationStatus: {e}")))?;
    match args.format {
        Format::Json => {
            let mut v = serde_json::Map::new();
            v.insert("sourceSysRef".into(), status.source_sys_ref.clone().into());
            v.insert("tenantIds".into(), status.tenant_ids.clone().into());
            v.insert("scopes".into(), status.scopes.clone().into());
            v.extend(status.extra.clone());
            println!("{}", serde_json::Value::Object(v));
        }
        Format::Human => {
            println!(
                "source system: {}",
                status.source_sys_ref.as_deref().unwrap_or("(none)")
            );
            println!("tenants:       {}", status.tenant_ids.join(", "));
            println!("scopes:        {}", status.scope_list().join(" "));
        }
    }
    Ok(Outcome::Ok)
}
