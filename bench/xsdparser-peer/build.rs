//! Generates the peer code with xsd-parser's full pipeline (parser, interpreter,
//! optimizer, generator, quick-xml renderers) into OUT_DIR.

use std::path::PathBuf;

use xsd_parser::config::{
    Config, GeneratorFlags, InterpreterFlags, OptimizerFlags, Resolver, Schema,
};

fn main() {
    let manifest = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let schemas = manifest.join("../../schemas");
    println!("cargo::rerun-if-changed={}", schemas.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let code = xsdparser_config(&schemas);
    let code = xsd_parser::generate(code).unwrap_or_else(|e| panic!("xsd-parser: {e}"));
    std::fs::write(out.join("peer.rs"), code.to_string()).expect("write peer.rs");
}

/// The eight message schemas (the same set `cargo xtask regen` reads through schemas/manifest.toml).
const MESSAGES: [&str; 8] = [
    "ArticleDataItem",
    "BusinessPartners",
    "CertificateOfOrigin",
    "CustomsShipment",
    "Formula",
    "MaterialList",
    "MaterialListInvalidationRequest",
    "MovementOrder",
];

fn xsdparser_config(schemas: &std::path::Path) -> Config {
    let mut config = Config::default();
    config.parser.resolver = vec![Resolver::File];
    config.parser.schemas = MESSAGES
        .iter()
        .map(|m| {
            Schema::File(
                schemas
                    .join(format!("{m}.xsd"))
                    .canonicalize()
                    .expect("schema exists"),
            )
        })
        .collect();
    config.interpreter.flags = InterpreterFlags::all();
    config.optimizer.flags = OptimizerFlags::all() - OptimizerFlags::REMOVE_DUPLICATES;
    config.generator.flags = GeneratorFlags::all() - GeneratorFlags::ADVANCED_ENUMS;
    config.with_quick_xml()
}
