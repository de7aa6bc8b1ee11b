//! `cas declarations get ID` and `cas declarations search ...`: the
//! Declarations API, as a table for people or JSON for machines.

use cas_api::declarations::{Declaration, DeclarationSearch};
use futures_util::StreamExt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::connect::ConnectArgs;
use crate::{CliError, Format, Outcome};

#[derive(clap::Subcommand)]
pub enum Command {
    /// One declaration by its id (from an event), with its errors.
    Get {
        id: String,
        #[command(flatten)]
        connect: ConnectArgs,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Declarations matching every given filter (all pages).
    Search(Box<SearchArgs>),
}

#[derive(clap::Args)]
pub struct SearchArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Your reference of the shipment.
    #[arg(long)]
    external_reference: Option<String>,
    /// IN or OUT.
    #[arg(long)]
    direction: Option<String>,
    #[arg(long)]
    ship_from: Option<String>,
    #[arg(long)]
    ship_to: Option<String>,
    #[arg(long)]
    lrn: Option<String>,
    #[arg(long)]
    mrn: Option<String>,
    #[arg(long)]
    arc: Option<String>,
    #[arg(long)]
    customs_flow: Option<String>,
    #[arg(long)]
    ucr: Option<String>,
    /// Repeatable: any of them.
    #[arg(long)]
    customs_flow_step: Vec<String>,
    /// Repeatable: any of them (e.g. --status Invalid --status CustomsError).
    #[arg(long = "status")]
    current_status: Vec<String>,
    /// Repeatable: any of them (ISO country codes).
    #[arg(long)]
    jurisdiction: Vec<String>,
    /// Repeatable: any of them.
    #[arg(long)]
    storage_location: Vec<String>,
    /// RFC 3339 date-times, inclusive.
    #[arg(long, value_parser = date)]
    declaration_date_from: Option<OffsetDateTime>,
    #[arg(long, value_parser = date)]
    declaration_date_to: Option<OffsetDateTime>,
    #[arg(long, value_parser = date)]
    creation_date_from: Option<OffsetDateTime>,
    #[arg(long, value_parser = date)]
    creation_date_to: Option<OffsetDateTime>,
    #[arg(long, value_parser = date)]
    last_updated_from: Option<OffsetDateTime>,
    #[arg(long, value_parser = date)]
    last_updated_to: Option<OffsetDateTime>,
    /// Declarations per request (1 to 100).
    #[arg(long, default_value_t = 100)]
    page_size: usize,
}

fn date(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| format!("{s:?} is not an RFC 3339 date-time: {e}"))
}

impl SearchArgs {
    fn search(&self) -> DeclarationSearch {
        DeclarationSearch {
            external_reference: self.external_reference.clone(),
            direction: self.direction.clone(),
            ship_from: self.ship_from.clone(),
            ship_to: self.ship_to.clone(),
            lrn: self.lrn.clone(),
            mrn: self.mrn.clone(),
            arc: self.arc.clone(),
            customs_flow: self.customs_flow.clone(),
            ucr: self.ucr.clone(),
            customs_flow_step: self.customs_flow_step.clone(),
            current_status: self.current_status.clone(),
            jurisdiction: self.jurisdiction.clone(),
            storage_location: self.storage_location.clone(),
            declaration_date_from: self.declaration_date_from,
            declaration_date_to: self.declaration_date_to,
            creation_date_from: self.creation_date_from,
            creation_date_to: self.creation_date_to,
            last_updated_from: self.last_updated_from,
            last_updated_to: self.last_updated_to,
        }
    }
}

pub async fn run(command: Command) -> Result<Outcome, CliError> {
    match command {
        Command::Get {
            id,
            connect,
            format,
        } => {
            let d = connect
                .client()?
                .declaration(&id)
                .await
                .map_err(|e| CliError::Other(format!("declaration {id}: {e}")))?;
            match format {
                Format::Json => println!("{}", to_json(&d)),
                Format::Human => print_one(&d),
            }
            Ok(Outcome::Ok)
        }
        Command::Search(args) => {
            let client = args.connect.client()?;
            let found: Vec<Declaration> = client
                .search_declarations(args.search(), args.page_size)
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .collect::<Result<_, _>>()
                .map_err(|e| CliError::Other(format!("declarations search: {e}")))?;
            match args.format {
                Format::Json => println!(
                    "{}",
                    serde_json::Value::Array(found.iter().map(value).collect())
                ),
                Format::Human => print_table(&found),
            }
            Ok(Outcome::Ok)
        }
    }
}

fn value(d: &Declaration) -> serde_json::Value {
    serde_json::to_value(d).unwrap_or(serde_json::Value::Null)
}

fn to_json(d: &Declaration) -> String {
    value(d).to_string()
}

fn cell(v: Option<&str>) -> &str {
    v.filter(|s| !s.is_empty()).unwrap_or("-")
}

fn print_one(d: &Declaration) {
    let status = d.current_status.as_ref().map(|s| s.as_str());
    let rows = [
        ("id", Some(d.id.as_str())),
        ("external reference", d.reference()),
        ("direction", d.direction.as_deref()),
        ("status", status),
        ("customs flow", d.customs_flow.as_deref()),
        ("flow step", d.customs_flow_step.as_deref()),
        ("jurisdiction", d.jurisdiction.as_deref()),
        ("LRN", d.lrn.as_deref()),
        ("MRN", d.mrn.as_deref()),
        ("last updated", d.last_updated.as_deref()),
    ];
    for (name, v) in rows {
        println!("{name:<20}{}", cell(v));
    }
    for e in &d.errors {
        let field = e
            .field_reference
            .as_ref()
            .and_then(|f| f.path.as_deref().or(f.field_name.as_deref()));
        println!(
            "error {}: {} [{}]",
            cell(e.error_code.as_deref()),
            cell(e.message.as_deref()),
            cell(field)
        );
    }
}

fn print_table(found: &[Declaration]) {
    println!(
        "{:<38} {:<20} {:<4} {:<16} {:<20} {:<4}",
        "ID", "EXTERNAL REFERENCE", "DIR", "STATUS", "MRN", "JUR"
    );
    for d in found {
        println!(
            "{:<38} {:<20} {:<4} {:<16} {:<20} {:<4}",
            d.id,
            cell(d.reference()),
            cell(d.direction.as_deref()),
            cell(d.current_status.as_ref().map(|s| s.as_str())),
            cell(d.mrn.as_deref()),
            cell(d.jurisdiction.as_deref()),
        );
    }
    println!("{} declaration(s)", found.len());
}
