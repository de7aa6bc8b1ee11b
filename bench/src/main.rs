//! The benchmark binary behind `cargo xtask bench`.
//!
//! Every figure of one table comes from one run on the same bytes, so the
//! ratios hold even on a busy machine. Each case runs once to warm up, then
//! until a time budget is spent (at least a few samples); the median sample
//! counts. Times are CPU time (of this thread, or of the whole xmllint
//! process), since the machines we run on are shared.
//!
//! - `cas-bench run --docs DIR [--quick] [--build ours=S,peer=S]`: the table.
//! - `cas-bench mem ours|ours-stream|ours-read|peer|file MESSAGE FILE`: reads FILE once (run under
//!   `/usr/bin/time -v` for its peak memory; `run` does that itself).

#[path = "../../xtask/src/manifest.rs"]
mod manifest;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use quick_xml::events::Event;
use xsd_runtime::XmlRoot;
use xsd_runtime::xml::ReadOptions;

/// Counts heap allocations, so the table can say how many a reader makes
/// per element and how large the value it builds is.
struct Counting;

static ALLOCS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static LIVE: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
/// Set only while [`allocations`] runs: the timed runs pay no locked
/// read-modify-write per allocation (the readers that allocate would pay
/// the harness's cost, raw quick-xml none).
static COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

#[inline]
fn counting() -> bool {
    COUNTING.load(std::sync::atomic::Ordering::Relaxed)
}

// SAFETY: defers to the system allocator; only counts.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if counting() {
            ALLOCS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            LIVE.fetch_add(layout.size() as i64, std::sync::atomic::Ordering::Relaxed);
        }
        // SAFETY: same layout, passed on.
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        if counting() {
            LIVE.fetch_sub(layout.size() as i64, std::sync::atomic::Ordering::Relaxed);
        }
        // SAFETY: allocated by `alloc` above with this layout.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if counting() {
            ALLOCS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            LIVE.fetch_add(
                new_size as i64 - layout.size() as i64,
                std::sync::atomic::Ordering::Relaxed,
            );
        }
        // SAFETY: as for `dealloc`, and `new_size` is the caller's.
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f`, and the bytes it left allocated (the value it returned and kept).
fn allocations<T>(f: impl FnOnce() -> T) -> (u64, i64, T) {
    COUNTING.store(true, std::sync::atomic::Ordering::Relaxed);
    let (a, l) = (
        ALLOCS.load(std::sync::atomic::Ordering::Relaxed),
        LIVE.load(std::sync::atomic::Ordering::Relaxed),
    );
    let v = f();
    COUNTING.store(false, std::sync::atomic::Ordering::Relaxed);
    (
        ALLOCS.load(std::sync::atomic::Ordering::Relaxed) - a,
        LIVE.load(std::sync::atomic::Ordering::Relaxed) - l,
        v,
    )
}

/// A repeating message: our type, xsd-parser's type, the peer's root name.
#[derive(Clone, Copy)]
enum Msg {
    BusinessPartners,
    MaterialList,
    CustomsShipment,
}

impl Msg {
    fn parse(s: &str) -> Option<Msg> {
        match s {
            "BusinessPartners" => Some(Msg::BusinessPartners),
            "MaterialList" => Some(Msg::MaterialList),
            "CustomsShipment" => Some(Msg::CustomsShipment),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Msg::BusinessPartners => "BusinessPartners",
            Msg::MaterialList => "MaterialList",
            Msg::CustomsShipment => "CustomsShipment",
        }
    }
}

/// Runs `f` with the message's types.
macro_rules! with_types {
    ($msg:expr, |$ours:ident, $peer:ident, $root:ident| $body:expr) => {
        match $msg {
            Msg::BusinessPartners => {
                type $ours = cas_messages::business_partners::BusinessPartners;
                type $peer = xsdparser_peer::bp::BusinessPartners;
                let $root = "bp:BusinessPartners";
                $body
            }
            Msg::MaterialList => {
                type $ours = cas_messages::material_list::MaterialList;
                type $peer = xsdparser_peer::ml::MaterialList;
                let $root = "ml:MaterialList";
                $body
            }
            Msg::CustomsShipment => {
                type $ours = cas_messages::customs_shipment::CustomsShipment;
                type $peer = xsdparser_peer::cs::customs_shipment::CustomsShipment;
                let $root = "cs:CustomsShipment";
                $body
            }
        }
    };
}

struct Budget {
    time: Duration,
    min_samples: usize,
}

/// CPU seconds used by this thread so far. The machine the figures come from
/// is shared: wall time would count the waits for a core, CPU time does not.
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Median CPU seconds per run of `f`.
fn measure(budget: &Budget, mut f: impl FnMut()) -> f64 {
    f();
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < budget.min_samples || start.elapsed() < budget.time {
        let t = thread_cpu();
        f();
        samples.push(thread_cpu() - t);
    }
    median(samples)
}

/// Median CPU seconds per run of `f`, and of `base` run in alternation
/// with it: a ratio of the two is taken under the same conditions (the
/// machine's load drifts between measurements made one after the other).
fn measure_vs(budget: &Budget, mut base: impl FnMut(), mut f: impl FnMut()) -> (f64, f64) {
    base();
    f();
    let (mut fs, mut bs) = (Vec::new(), Vec::new());
    let start = Instant::now();
    while fs.len() < budget.min_samples || start.elapsed() < budget.time {
        let t = thread_cpu();
        base();
        let t1 = thread_cpu();
        f();
        fs.push(thread_cpu() - t1);
        bs.push(t1 - t);
    }
    (median(fs), median(bs))
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// (a) The practical limit: every event read, nothing done with it.
fn raw_read(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut n = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return n,
            Ok(ev) => {
                black_box(&ev);
                n += 1;
            }
            Err(e) => panic!("raw quick-xml read failed: {e}"),
        }
    }
}

/// (a) with namespaces resolved, as any schema-aware reader must: how much
/// of the distance between (a) and (b) is namespace resolution alone.
fn raw_ns_read(xml: &str) -> usize {
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut n = 0usize;
    loop {
        match reader.read_resolved_event() {
            Ok((_, Event::Eof)) => return n,
            Ok(ev) => {
                black_box(&ev);
                n += 1;
            }
            Err(e) => panic!("raw quick-xml read failed: {e}"),
        }
    }
}

/// The document's events, owned, for (e).
fn events(xml: &str) -> Vec<Event<'static>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return out,
            Ok(ev) => out.push(ev.into_owned()),
            Err(e) => panic!("raw quick-xml read failed: {e}"),
        }
    }
}

/// (e) The practical limit of writing: the same events through quick-xml's writer.
fn raw_write(events: &[Event<'static>]) -> usize {
    let mut w = quick_xml::Writer::new(Vec::new());
    for ev in events {
        if let Err(e) = w.write_event(ev.borrow()) {
            panic!("raw quick-xml write failed: {e}");
        }
    }
    w.into_inner().len()
}

struct Row {
    doc: String,
    case: &'static str,
    bytes: usize,
    secs: Option<f64>,
    /// The baseline's seconds for this doc ((a) for reading, (e) for writing).
    base: Option<f64>,
    /// Heap allocations per element, and the heap bytes the value keeps (readers).
    allocs: Option<(f64, i64)>,
    note: String,
}

fn mbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

fn bench_doc(msg: Msg, path: &Path, budget: &Budget, xmllint_runs: usize, rows: &mut Vec<Row>) {
    let xml = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = format!("{} {:.0} MB", msg.name(), (xml.len() as f64 / 1e6).max(1.0));
    let bytes = xml.len();
    let no_validation = ReadOptions {
        validate: false,
        ..ReadOptions::default()
    };
    eprintln!("bench: {doc} ({bytes} bytes)");

    let a = measure(budget, || {
        black_box(raw_read(&xml));
    });
    let elements = xml.matches('<').count()
        - xml.matches("</").count()
        - xml.matches("<?").count()
        - xml.matches("<!").count();
    let row = |case, secs: Option<f64>, base, note: String| Row {
        doc: doc.clone(),
        case,
        bytes,
        secs,
        base,
        allocs: None,
        note,
    };
    let per_element = |(n, live, _): (u64, i64, bool)| Some((n as f64 / elements as f64, live));
    rows.push(row(
        "(a) quick-xml raw read",
        Some(a),
        Some(a),
        String::new(),
    ));
    let raw = || {
        black_box(raw_read(&xml));
    };
    let (a2, a_) = measure_vs(budget, raw, || {
        black_box(raw_ns_read(&xml));
    });
    rows.push(row(
        "(a2) quick-xml raw read, namespaces resolved",
        Some(a2),
        Some(a_),
        "for the profile".into(),
    ));
    with_types!(msg, |Ours, Peer, root| {
        let value = match Ours::from_xml(&xml) {
            Ok(v) => v,
            Err(e) => panic!("{doc}: our reader refuses the benchmark document:\n{e}"),
        };
        let (b, a_b) = measure_vs(budget, raw, || {
            black_box(Ours::from_xml_with(&xml, &no_validation).map(|_| ()).ok());
        });
        rows.push(Row {
            allocs: per_element(allocations(|| {
                let v = Ours::from_xml_with(&xml, &no_validation);
                let ok = v.is_ok();
                std::mem::forget(v);
                ok
            })),
            ..row("(b) ours: read", Some(b), Some(a_b), String::new())
        });
        let (c, a_c) = measure_vs(budget, raw, || {
            black_box(Ours::from_xml(&xml).map(|_| ()).ok());
        });
        rows.push(Row {
            allocs: per_element(allocations(|| {
                let v = Ours::from_xml(&xml);
                let ok = v.is_ok();
                std::mem::forget(v);
                ok
            })),
            ..row(
                "(c) ours: read + validate",
                Some(c),
                Some(a_c),
                String::new(),
            )
        });
        let (c2, a_c2) = measure_vs(budget, raw, || {
            black_box(Ours::from_reader(xml.as_bytes()).map(|_| ()).ok());
        });
        rows.push(row(
            "(c2) ours: read + validate, streamed (`from_reader`)",
            Some(c2),
            Some(a_c2),
            "parsed as it arrives".into(),
        ));
        let (v, a_v) = measure_vs(budget, raw, || {
            black_box(Ours::validate_reader(xml.as_bytes()).ok());
        });
        rows.push(row(
            "(v) ours: validate only, streamed (`validate_reader`)",
            Some(v),
            Some(a_v),
            "no value built".into(),
        ));
        let f = match xsdparser_peer::read::<Peer>(&xml) {
            Ok(_) => {
                let (s, a_f) = measure_vs(budget, raw, || {
                    black_box(xsdparser_peer::read::<Peer>(&xml).map(|_| ()).ok());
                });
                rows.push(Row {
                    allocs: per_element(allocations(|| {
                        let v = xsdparser_peer::read::<Peer>(&xml);
                        let ok = v.is_ok();
                        std::mem::forget(v);
                        ok
                    })),
                    ..row("(f) xsd-parser: read", Some(s), Some(a_f), String::new())
                });
                Some(s)
            }
            Err(e) => {
                rows.push(row(
                    "(f) xsd-parser: read",
                    None,
                    Some(a),
                    format!("fails: {e}"),
                ));
                None
            }
        };
        let _ = f;

        let evs = events(&xml);
        let e = measure(budget, || {
            black_box(raw_write(&evs));
        });
        rows.push(row(
            "(e) quick-xml raw write",
            Some(e),
            Some(e),
            String::new(),
        ));
        let raw_w = || {
            black_box(raw_write(&evs));
        };
        let (d, e_d) = measure_vs(budget, raw_w, || {
            black_box(value.to_xml().map(|s| s.len()).ok());
        });
        rows.push(row("(d) ours: write", Some(d), Some(e_d), String::new()));
        if let Ok(peer_value) = xsdparser_peer::read::<Peer>(&xml) {
            let mut out = Vec::new();
            match xsdparser_peer::write(&peer_value, root, &mut out) {
                Ok(()) => {
                    let (s, e_f) = measure_vs(budget, raw_w, || {
                        let mut out = Vec::new();
                        black_box(xsdparser_peer::write(&peer_value, root, &mut out).ok());
                    });
                    rows.push(row(
                        "(f) xsd-parser: write",
                        Some(s),
                        Some(e_f),
                        String::new(),
                    ));
                }
                Err(err) => rows.push(row(
                    "(f) xsd-parser: write",
                    None,
                    Some(e),
                    format!("fails: {err}"),
                )),
            }
        }
    });

    if xmllint_runs > 0 {
        let schema = repo_root().join(format!("schemas/{}.xsd", msg.name()));
        let g = xmllint(
            &[Path::new("--noout"), Path::new("--schema"), &schema, path],
            xmllint_runs,
        );
        rows.push(row(
            "(g) xmllint --noout --schema",
            g,
            Some(a),
            "whole process, CPU time".into(),
        ));
        let h = xmllint(&[Path::new("--noout"), path], xmllint_runs);
        rows.push(row(
            "(h) xmllint --noout",
            h,
            Some(a),
            "whole process, CPU time".into(),
        ));
    }
}

/// Median whole-process CPU seconds (user + system, from `/usr/bin/time`) of
/// `xmllint args`: on a shared machine its wall time mostly measures the queue
/// for a core. None if it fails or is missing.
fn xmllint(args: &[&Path], runs: usize) -> Option<f64> {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let out = Command::new("/usr/bin/time")
            .args(["-f", "cpu %U %S"])
            .arg("xmllint")
            .args(args)
            .output()
            .ok()?;
        let err = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            eprintln!("bench: xmllint failed: {err}");
            return None;
        }
        let cpu = err.lines().rev().find_map(|l| {
            let mut it = l
                .strip_prefix("cpu ")?
                .split(' ')
                .map(|x| x.parse::<f64>().ok());
            Some(it.next()?? + it.next()??)
        })?;
        samples.push(cpu.max(0.005));
    }
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied()
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Validate-only on a very large document (`--huge FILE`, a MaterialList):
/// its peak memory, which must not grow with the document.
fn huge_validate(file: &Path) -> Result<(), String> {
    let len = std::fs::metadata(file)
        .map_err(|e| format!("{}: {e}", file.display()))?
        .len();
    println!();
    println!(
        "Validate-only (`validate_reader` on the file) of {} ({:.0} MB):",
        file.display(),
        len as f64 / 1e6
    );
    println!("| validate-only | peak RSS | × file size |");
    println!("|---|---:|---:|");
    for (who, label) in [
        ("ours-validate", "every check"),
        (
            "ours-validate-structure",
            "structure only (no facet or identity-constraint tables)",
        ),
    ] {
        let peak = peak_memory(who, Msg::MaterialList, file)?;
        println!(
            "| {label} | {:.1} MB | {:.3} |",
            peak as f64 / 1e6,
            peak as f64 / len as f64
        );
    }
    Ok(())
}

/// Peak resident memory of `cas-bench mem WHO MESSAGE FILE`, from `/usr/bin/time -v`.
fn peak_memory(who: &str, msg: Msg, file: &Path) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(exe)
        .args(["mem", who, msg.name()])
        .arg(file)
        .output()
        .map_err(|e| format!("/usr/bin/time: {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("mem {who} failed: {err}"));
    }
    err.lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| "no peak memory in /usr/bin/time output".into())
}

fn mem(who: &str, msg: Msg, file: &Path) -> Result<(), String> {
    if who == "ours-validate" || who == "ours-validate-structure" {
        // Validate-only from the file: no value, no input held; the second
        // without facet and identity checks (what the key tables cost).
        let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let f = std::io::BufReader::with_capacity(1 << 16, f);
        let opts = ReadOptions {
            max_document_bytes: u64::MAX,
            validate: who == "ours-validate",
            ..ReadOptions::default()
        };
        with_types!(msg, |Ours, _Peer, _root| {
            Ours::validate_reader_with(f, &opts).map_err(|e| e.to_string())?;
        });
        return Ok(());
    }
    if who == "ours-stream" {
        // Parsed from the file as it is read: the input is never held whole.
        let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
        with_types!(msg, |Ours, _Peer, _root| {
            let v = Ours::from_reader(f).map_err(|e| e.to_string())?;
            black_box(&v);
        });
        return Ok(());
    }
    let xml = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    with_types!(msg, |Ours, Peer, _root| match who {
        "file" => {
            black_box(&xml);
        }
        "ours" => {
            let v = Ours::from_xml(&xml).map_err(|e| e.to_string())?;
            black_box(&v);
        }
        "ours-read" => {
            let opts = ReadOptions {
                validate: false,
                ..ReadOptions::default()
            };
            let v = Ours::from_xml_with(&xml, &opts).map_err(|e| e.to_string())?;
            black_box(&v);
        }
        "peer" => {
            let v = xsdparser_peer::read::<Peer>(&xml).map_err(|e| e.to_string())?;
            black_box(&v);
        }
        other => return Err(format!("mem: unknown reader '{other}'")),
    });
    Ok(())
}

/// Median seconds of our generator and of xsd-parser's `generate()` on the eight schemas.
fn codegen_times(budget: &Budget) -> Result<(f64, f64), String> {
    let root = repo_root();
    let manifest = manifest::Manifest::load(&root.join("schemas/manifest.toml"))?;
    let ours = measure(budget, || {
        let g = xsd_codegen::Generator::new()
            .schemas(manifest.schema_paths())
            .source_root(&root)
            .generate();
        black_box(g.map(|g| g.files.len()).ok());
    });
    let schemas = root.join("schemas");
    let peer = measure(budget, || {
        black_box(
            xsd_parser::generate(peer_config(&schemas))
                .map(|t| t.to_string().len())
                .ok(),
        );
    });
    Ok((ours, peer))
}

/// The configuration of bench/xsdparser-peer/build.rs (keep the two alike):
/// the full pipeline with quick-xml reading and writing for the eight schemas.
fn peer_config(schemas: &Path) -> xsd_parser::Config {
    use xsd_parser::config::{GeneratorFlags, InterpreterFlags, OptimizerFlags, Resolver, Schema};
    let mut config = xsd_parser::Config::default();
    config.parser.resolver = vec![Resolver::File];
    config.parser.schemas = [
        "ArticleDataItem",
        "BusinessPartners",
        "CertificateOfOrigin",
        "CustomsShipment",
        "Formula",
        "MaterialList",
        "MaterialListInvalidationRequest",
        "MovementOrder",
    ]
    .iter()
    .filter_map(|m| {
        schemas
            .join(format!("{m}.xsd"))
            .canonicalize()
            .ok()
            .map(Schema::File)
    })
    .collect();
    config.interpreter.flags = InterpreterFlags::all();
    config.optimizer.flags = OptimizerFlags::all() - OptimizerFlags::REMOVE_DUPLICATES;
    config.generator.flags = GeneratorFlags::all() - GeneratorFlags::ADVANCED_ENUMS;
    config.with_quick_xml()
}

fn run(args: &[String]) -> Result<(), String> {
    let mut docs = None;
    let mut quick = false;
    let mut build = String::new();
    let mut huge = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--docs" => docs = it.next().map(PathBuf::from),
            "--quick" => quick = true,
            "--build" => build = it.next().cloned().unwrap_or_default(),
            "--huge" => huge = it.next().map(PathBuf::from),
            other => return Err(format!("run: unknown argument {other}")),
        }
    }
    let docs = docs.ok_or("run: --docs DIR is required")?;
    let budget = if quick {
        Budget {
            time: Duration::from_millis(100),
            min_samples: 2,
        }
    } else {
        Budget {
            time: Duration::from_secs(2),
            min_samples: 5,
        }
    };
    // The documents: <Message>-<size>.xml, smallest first.
    let mut files: Vec<(Msg, PathBuf, u64)> = std::fs::read_dir(&docs)
        .map_err(|e| format!("{}: {e}", docs.display()))?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let p = e.path();
            let stem = p.file_stem()?.to_str()?.to_owned();
            let msg = Msg::parse(stem.split('-').next()?)?;
            let len = e.metadata().ok()?.len();
            Some((msg, p, len))
        })
        .collect();
    files.sort_by_key(|(m, _, len)| (*len, m.name()));
    if files.is_empty() {
        return Err(format!("run: no documents in {}", docs.display()));
    }
    let mut rows = Vec::new();
    for (msg, path, _) in &files {
        bench_doc(*msg, path, &budget, if quick { 1 } else { 3 }, &mut rows);
    }
    versus_c(&mut rows);
    print_rows(&rows);

    // Peak memory while reading the largest document.
    if let Some((msg, path, len)) = files.iter().max_by_key(|f| f.2) {
        println!();
        println!(
            "Peak memory reading {} ({:.1} MB), /usr/bin/time -v:",
            path.display(),
            *len as f64 / 1e6
        );
        println!("| reader | peak RSS | × file size |");
        println!("|---|---:|---:|");
        for (who, label) in [
            ("file", "file only (read into memory)"),
            ("ours", "ours: read + validate (`from_xml`, file in memory)"),
            (
                "ours-stream",
                "ours: read + validate (`from_reader` on the file)",
            ),
            ("peer", "xsd-parser: read"),
        ] {
            match peak_memory(who, *msg, path) {
                Ok(b) => println!(
                    "| {label} | {:.1} MB | {:.2} |",
                    b as f64 / 1e6,
                    b as f64 / *len as f64
                ),
                Err(e) => println!("| {label} | – | {e} |"),
            }
        }
    }

    if let Some(file) = &huge {
        huge_validate(file)?;
    }

    println!();
    println!("Generator: median of runs on the eight schemas (in process):");
    let cg_budget = if quick {
        Budget {
            time: Duration::ZERO,
            min_samples: 1,
        }
    } else {
        Budget {
            time: Duration::from_secs(5),
            min_samples: 3,
        }
    };
    let (ours, peer) = codegen_times(&cg_budget)?;
    println!("| generator | time | × xsd-parser |");
    println!("|---|---:|---:|");
    println!(
        "| ours: `cargo xtask regen` (Generator::generate, formatted files) | {:.0} ms | {:.2} |",
        ours * 1e3,
        ours / peer
    );
    println!(
        "| xsd-parser `generate()` (quick-xml reader and writer, token stream to string) | {:.0} ms | 1.00 |",
        peer * 1e3
    );
    if !build.is_empty() {
        println!();
        println!(
            "Clean release build of the generated crate alone (dependencies already built), CPU time:"
        );
        println!("| crate | build CPU time | × xsd-parser |");
        println!("|---|---:|---:|");
        let times: Vec<(&str, f64)> = build
            .split(',')
            .filter_map(|kv| {
                kv.split_once('=')
                    .and_then(|(k, v)| Some((k, v.parse::<f64>().ok()?)))
            })
            .collect();
        let peer = times.iter().find(|t| t.0 == "peer").map(|t| t.1);
        for (k, v) in &times {
            let label = if *k == "peer" {
                "xsd-parser output (bench/xsdparser-peer, incl. its build script)"
            } else {
                "generated/ (cas-messages)"
            };
            let ratio = peer.map_or("–".into(), |p| format!("{:.2}", v / p));
            println!("| {label} | {v:.1} s | {ratio} |");
        }
    }
    Ok(())
}

/// "(c) is N× faster" for the rows (c) is held against.
fn versus_c(rows: &mut [Row]) {
    for i in 0..rows.len() {
        if !(rows[i].case.starts_with("(g)") || rows[i].case == "(f) xsd-parser: read") {
            continue;
        }
        let find = |prefix: &str| {
            rows.iter()
                .find(|r| r.doc == rows[i].doc && r.case.starts_with(prefix))
                .and_then(|r| r.secs)
        };
        let (c, v) = (find("(c)"), find("(v)"));
        if let (Some(c), Some(other)) = (c, rows[i].secs) {
            let mut note = format!("(c) is {:.1}× faster", other / c);
            if let (Some(v), true) = (v, rows[i].case.starts_with("(g)")) {
                note.push_str(&format!(", (v) {:.1}×", other / v));
            }
            rows[i].note = if rows[i].note.is_empty() {
                note
            } else {
                format!("{}; {note}", rows[i].note)
            };
        }
    }
}

fn print_rows(rows: &[Row]) {
    println!(
        "| document | case | MB/s | ms (CPU) | × baseline | allocations per element | value's heap × file | note |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---|");
    for r in rows {
        let (speed, ms, ratio) = match r.secs {
            Some(s) => (
                format!("{:.1}", mbps(r.bytes, s)),
                format!("{:.2}", s * 1e3),
                r.base.map_or("–".into(), |b| format!("{:.2}", b / s)),
            ),
            None => ("–".into(), "–".into(), "–".into()),
        };
        let (per, live) = match r.allocs {
            Some((per, live)) => (
                format!("{per:.2}"),
                format!("{:.2}", live as f64 / r.bytes as f64),
            ),
            None => (String::new(), String::new()),
        };
        println!(
            "| {} | {} | {speed} | {ms} | {ratio} | {per} | {live} | {} |",
            r.doc, r.case, r.note
        );
    }
}

/// `time MESSAGE FILE [ROUNDS]`: the least CPU time of (a), (b), (c) and (c2) over
/// interleaved rounds, for comparing two builds on a busy machine (the
/// least is the run the other builds disturbed least).
fn time(msg: Msg, file: &Path, rounds: usize) -> Result<(), String> {
    let xml = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let no_validation = ReadOptions {
        validate: false,
        ..ReadOptions::default()
    };
    let mut best = [f64::MAX; 4];
    with_types!(msg, |Ours, _Peer, _root| {
        for _ in 0..rounds {
            let t = thread_cpu();
            black_box(raw_read(&xml));
            let t1 = thread_cpu();
            black_box(Ours::from_xml_with(&xml, &no_validation).map(|_| ()).ok());
            let t2 = thread_cpu();
            black_box(Ours::from_xml(&xml).map(|_| ()).ok());
            let t3 = thread_cpu();
            black_box(Ours::from_reader(xml.as_bytes()).map(|_| ()).ok());
            let t4 = thread_cpu();
            for (b, d) in best.iter_mut().zip([t1 - t, t2 - t1, t3 - t2, t4 - t3]) {
                *b = b.min(d);
            }
        }
    });
    let [a, b, c, c2] = best.map(|s| s * 1e3);
    println!(
        "(a) {a:.1} ms  (b) {b:.1} ms = {:.3}x  (c) {c:.1} ms = {:.3}x  (c2) {c2:.1} ms = {:.3}x",
        a / b,
        a / c,
        a / c2
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("mem") if args.len() == 4 => match Msg::parse(&args[2]) {
            Some(m) => mem(&args[1], m, Path::new(&args[3])),
            None => Err(format!("mem: unknown message {}", args[2])),
        },
        Some("time") if args.len() >= 3 => match Msg::parse(&args[1]) {
            Some(m) => time(
                m,
                Path::new(&args[2]),
                args.get(3).and_then(|n| n.parse().ok()).unwrap_or(10),
            ),
            None => Err(format!("time: unknown message {}", args[1])),
        },
        _ => Err("usage: cas-bench run --docs DIR [--quick] [--build ours=S,peer=S]\n       cas-bench mem ours|ours-stream|ours-read|peer|file MESSAGE FILE\n       cas-bench time MESSAGE FILE [ROUNDS]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
