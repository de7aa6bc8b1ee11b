//! `cargo xtask bench [--quick]`: writes the benchmark documents, measures
//! the clean build of the generated crates, and runs the bench binary
//! (bench/, a workspace of its own), which prints the table.
//!
//! `--quick` (CI): the 1 MB documents only, short budgets, no build timing.

use std::path::Path;
use std::process::Command;

use crate::bigdoc;

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The bench workspace's own target dir, whatever `CARGO_TARGET_DIR` says:
/// the binary is run from there.
fn target_dir(root: &Path) -> std::path::PathBuf {
    root.join("bench/target")
}

fn bench_cargo(root: &Path, args: &[&str]) -> Result<(), String> {
    let status = cargo()
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir(root))
        .arg("--manifest-path")
        .arg(root.join("bench/Cargo.toml"))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed", args.join(" ")))
    }
}

/// CPU seconds (user + system, rustc included) of a clean release build of
/// `package` alone, its dependencies built before. CPU time, since other
/// builds may share the machine.
fn build_time(root: &Path, package: &str) -> Result<f64, String> {
    bench_cargo(root, &["build", "--release", "--quiet", "-p", package])?;
    bench_cargo(root, &["clean", "--release", "--quiet", "-p", package])?;
    let out = Command::new("/usr/bin/time")
        .args(["-f", "cpu %U %S"])
        .arg(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            package,
            "--manifest-path",
        ])
        .arg(root.join("bench/Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir(root))
        .output()
        .map_err(|e| format!("/usr/bin/time: {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("building {package} failed:\n{err}"));
    }
    err.lines()
        .rev()
        .find_map(|l| {
            let mut it = l
                .strip_prefix("cpu ")?
                .split(' ')
                .map(|x| x.parse::<f64>().ok());
            Some(it.next()?? + it.next()??)
        })
        .ok_or_else(|| format!("no CPU time for building {package}"))
}

/// Writes a `message` document of about `bytes` bytes (see `bigdoc`).
fn write_doc(root: &Path, message: &str, bytes: usize, file: &Path) -> Result<(), String> {
    let m = bigdoc::find(message)?;
    let items = m.items_for_size(root, bytes)?;
    let doc = m.document(root, items)?;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(file, doc).map_err(|e| format!("{}: {e}", file.display()))
}

pub fn run(args: &[String], root: &Path) -> Result<(), String> {
    let quick = match args {
        [] => false,
        [q] if q == "--quick" => true,
        _ => return Err("usage: cargo xtask bench [--quick]".into()),
    };
    let dir = root.join(if quick {
        "target/bench-docs/quick"
    } else {
        "target/bench-docs/full"
    });
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut plan: Vec<(&str, usize)> = bigdoc::MESSAGES
        .iter()
        .map(|m| (m.message, 1_000_000))
        .collect();
    if !quick {
        plan.extend([
            ("BusinessPartners", 20_000_000),
            ("MaterialList", 20_000_000),
            ("BusinessPartners", 100_000_000),
        ]);
    }
    for (message, bytes) in plan {
        let file = dir.join(format!("{message}-{}MB.xml", bytes / 1_000_000));
        write_doc(root, message, bytes, &file)?;
    }

    let mut run_args = vec![
        "run".to_owned(),
        "--docs".to_owned(),
        dir.display().to_string(),
    ];
    if quick {
        run_args.push("--quick".into());
    } else {
        // Validate-only must stay bounded in memory on a 1 GB document.
        let huge = root.join("target/bench-docs/huge/MaterialList-1000MB.xml");
        write_doc(root, "MaterialList", 1_000_000_000, &huge)?;
        run_args.push("--huge".into());
        run_args.push(huge.display().to_string());
        let ours = build_time(root, "cas-messages")?;
        let peer = build_time(root, "xsdparser-peer")?;
        run_args.push("--build".into());
        run_args.push(format!("ours={ours:.1},peer={peer:.1}"));
    }
    bench_cargo(root, &["build", "--release", "--quiet"])?;
    let status = Command::new(target_dir(root).join("release/cas-bench"))
        .args(&run_args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run the bench binary: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("bench run failed (see above)".into())
    }
}
