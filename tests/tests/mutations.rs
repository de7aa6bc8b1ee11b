//! Our verdict against xmllint's on mutations of the valid examples (every
//! seventh variant here; `cargo xtask mutate` runs all of them). Every
//! disagreement must be listed, with its reason, in
//! `conformance/mutation-known-differences.txt`.

#[test]
fn mutations_agree_with_xmllint() {
    let report = cas_tests::mutation_run(7);
    let known = cas_tests::known_mutation_differences();
    let total: usize = report.per_message.values().map(|(n, _)| n).sum();
    assert!(total > 2000, "expected thousands of variants, got {total}");
    let new: Vec<String> = report
        .disagreements
        .iter()
        .filter(|d| !known.contains(&d.key))
        .map(|d| format!("{} (xmllint: {}; ours: {})", d.key, if d.xmllint_valid { "valid" } else { "invalid" }, d.our_errors))
        .collect();
    assert!(new.is_empty(), "{} of {total} variants disagree with xmllint:\n{}", new.len(), new.join("\n"));
}
