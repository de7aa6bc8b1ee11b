//! Restricted types of the generated crate: their facets as data (`FACETS`)
//! and the checks that read that table, on the real CAS schemas' types.

use cas_messages::common_types::AmountValueType;
use cas_messages::customs_shipment::ContainerNumberType;
use xsd_runtime::Facet;

fn broken(errors: &xsd_runtime::FacetErrors) -> Vec<String> {
    errors.0.iter().map(|v| v.facet.name().to_owned()).collect()
}

#[test]
fn the_facet_table_is_the_schema_s_declaration() {
    assert_eq!(ContainerNumberType::FACETS.builtin, "string");
    assert_eq!(
        ContainerNumberType::FACETS.patterns,
        &[&["[A-Z]{3}[UJZ][0-9]{7}"][..]]
    );
    assert_eq!(AmountValueType::FACETS.builtin, "decimal");
    let facets: Vec<String> = AmountValueType::FACETS
        .facets
        .iter()
        .map(Facet::to_string)
        .collect();
    assert_eq!(facets.len(), 3, "{facets:?}");
    assert!(facets[0].contains("minInclusive"), "{facets:?}");
}

#[test]
fn values_built_in_code_are_checked_against_the_table() {
    assert!(ContainerNumberType::new("MSCU1234565").is_ok());
    let e = ContainerNumberType::new("MSC1234565").unwrap_err();
    assert_eq!(broken(&e), ["pattern"]);

    let ok: AmountValueType = "1234.50".parse().expect("a valid amount");
    assert_eq!(ok.to_string(), "1234.50");
    let e =
        AmountValueType::new("-0.125".parse::<xsd_runtime::types::Decimal>().unwrap()).unwrap_err();
    assert_eq!(broken(&e), ["minInclusive", "fractionDigits"]);
    assert!("12345678901234567".parse::<AmountValueType>().is_err());
}
