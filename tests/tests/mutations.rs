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
        .map(|d| {
            format!(
                "{} (xmllint: {}; ours: {})",
                d.key,
                if d.xmllint_valid { "valid" } else { "invalid" },
                d.our_errors
            )
        })
        .collect();
    assert!(
        new.is_empty(),
        "{} of {total} variants disagree with xmllint:\n{}",
        new.len(),
        new.join("\n")
    );
}

/// Every variant (`cargo xtask mutate` runs this): prints the table and
/// every disagreement, fails on one not listed.
#[test]
#[ignore = "full run: cargo xtask mutate"]
fn all_mutations_agree_with_xmllint() {
    let report = cas_tests::mutation_run(1);
    let known = cas_tests::known_mutation_differences();
    let mut total = (0, 0);
    println!("{:<34} {:>9} {:>9}", "message", "variants", "agree");
    for (name, (n, agree)) in &report.per_message {
        println!("{name:<34} {n:>9} {agree:>9}");
        total.0 += n;
        total.1 += agree;
    }
    println!(
        "mutate: {} of {} variants agree with xmllint",
        total.1, total.0
    );
    let mut new = 0;
    for d in &report.disagreements {
        let known_one = known.contains(&d.key);
        new += usize::from(!known_one);
        let verdict = if d.xmllint_valid { "valid" } else { "invalid" };
        println!(
            "{}\t{}\txmllint says {verdict}; we say: {}",
            if known_one { "known" } else { "NEW" },
            d.key,
            d.our_errors
        );
    }
    let disagreeing: std::collections::BTreeSet<&str> = report
        .disagreements
        .iter()
        .map(|d| d.key.as_str())
        .collect();
    let agree_now: Vec<&String> = known
        .iter()
        .filter(|k| !disagreeing.contains(k.as_str()))
        .collect();
    for k in &agree_now {
        println!("agrees now (or no such variant any more): {k}");
    }
    println!(
        "mutate: {} known differences agree now; remove them from conformance/mutation-known-differences.txt",
        agree_now.len()
    );
    assert_eq!(
        new, 0,
        "disagreements not in conformance/mutation-known-differences.txt"
    );
}
