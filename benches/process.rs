//! Whole-process benchmarks against the engine double (`harness = false`; not a test): the real
//! `registry-config` binary side by side with the naive `dagger-sdk` baseline
//! (`benches/naive-module`), one process per call exactly as the engine runs them.
//!
//! ```text
//! cargo build --release -p naive-module
//! cargo bench --bench process                     # everything
//! cargo bench --bench process -- round-trips rss  # or some sections: round-trips, chain, rss
//! REGISTRY_CONFIG_BIN=/path/to/registry-config cargo bench --bench process -- chain  # another build
//! ```
//!
//! * `round-trips`: HTTP requests per call, counted by the double, for N = 1, 10, 100, 1,000
//!   registries (module vs naive, with the ratio), plus `secret()` process time at each N with
//!   1 ms of latency per request.
//! * `chain`: `withRegistryAuth` ×2 → `secret`, median of 25 runs (after 2 warm-ups), with the
//!   double adding 1 ms per request (a real engine's cost) and with no latency.
//! * `rss`: peak RSS (`/usr/bin/time -v`) of `secret()` with 1 and 1,000 registries.
//!
//! Process times are measured by a wrapper (this same binary, re-executed with
//! `REGISTRY_CONFIG_BENCH_EXEC` set) from `spawn` to `wait` of the module process, so they do not
//! include the double's own 5 ms exit polling. Results and machine details: `BENCHMARKS.md`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use engine_double::{Call, EngineDouble, Outcome};
use registry_config::core::naming::content_digest;
use serde_json::{json, Value};

/// Set in the wrapper's environment: the program it runs and times.
const EXEC_VAR: &str = "REGISTRY_CONFIG_BENCH_EXEC";
/// Where the wrapper writes the elapsed nanoseconds.
const OUT_VAR: &str = "REGISTRY_CONFIG_BENCH_OUT";
/// When set, the wrapper runs the program under `/usr/bin/time -v -o <this path>`.
const RSS_VAR: &str = "REGISTRY_CONFIG_BENCH_RSS";

/// Registry counts of the round-trip table.
const CHECKPOINTS: [usize; 4] = [1, 10, 100, 1_000];
/// Measured runs of the chain (after the warm-ups).
const CHAIN_RUNS: usize = 25;
const CHAIN_WARMUPS: usize = 2;
/// Runs of `secret()` per checkpoint for its process time.
const SECRET_RUNS: usize = 5;
/// Runs of `secret()` per RSS figure (the median is reported).
const RSS_RUNS: usize = 3;
/// The per-request latency that models a real engine.
const ENGINE_LATENCY: Duration = Duration::from_millis(1);

fn main() {
    if let Some(target) = std::env::var_os(EXEC_VAR) {
        std::process::exit(wrapper(target));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        // `cargo bench` passes `--bench`; `cargo test --benches` / `--all-targets` does not
        // (criterion's test mode works the same way). This is a benchmark, not a test.
        println!("process: benchmark only; run `cargo bench --bench process` (skipped)");
        return;
    }
    let sections: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |name: &str| sections.is_empty() || sections.contains(&name);
    for section in &sections {
        if !["round-trips", "chain", "rss"].contains(section) {
            eprintln!("unknown section {section:?}; use round-trips, chain or rss");
            std::process::exit(2);
        }
    }

    let bins = Binaries::locate();
    println!("module: {}", bins.module.display());
    println!("naive:  {}", bins.naive.display());
    if wants("round-trips") || wants("rss") {
        scaling(&bins, wants("round-trips"), wants("rss"));
    }
    if wants("chain") {
        chain(&bins, ENGINE_LATENCY);
        chain(&bins, Duration::ZERO);
    }
}

// ---------------------------------------------------------------------------------------------
// The timing wrapper.

/// Runs `target` with this process's environment (minus the wrapper's variables), stdio
/// inherited (so the double captures it), and writes how long it lived to `$OUT_VAR`.
fn wrapper(target: OsString) -> i32 {
    let out = std::env::var_os(OUT_VAR);
    let rss = std::env::var_os(RSS_VAR);
    let mut command = match &rss {
        Some(rss_file) => {
            let mut c = Command::new("/usr/bin/time");
            c.arg("-v").arg("-o").arg(rss_file).arg(&target);
            c
        }
        None => Command::new(&target),
    };
    command
        .env_remove(EXEC_VAR)
        .env_remove(OUT_VAR)
        .env_remove(RSS_VAR);
    let start = Instant::now();
    let status = command.status();
    let elapsed = start.elapsed();
    if let Some(out) = out {
        if let Err(e) = std::fs::write(&out, elapsed.as_nanos().to_string()) {
            eprintln!(
                "bench wrapper: cannot write {}: {e}",
                Path::new(&out).display()
            );
            return 125;
        }
    }
    match status {
        Ok(status) => status.code().unwrap_or(128),
        Err(e) => {
            eprintln!("bench wrapper: cannot run {target:?}: {e}");
            126
        }
    }
}

/// Runs binaries through the double, optionally through the timing wrapper.
struct Timer {
    wrapper: PathBuf,
    scratch: tempfile::TempDir,
}

/// One timed run: what the double saw, how long the module process lived, its resource use.
struct Timed {
    outcome: Outcome,
    process: Duration,
    usage: Option<Usage>,
}

/// From `/usr/bin/time -v`.
#[derive(Clone, Copy, Default)]
struct Usage {
    max_rss_kib: u64,
    cpu: Duration,
    minor_faults: u64,
}

impl Usage {
    fn parse(report: &str) -> Self {
        let field = |name: &str| -> f64 {
            report
                .lines()
                .find_map(|l| l.trim().strip_prefix(name))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("no {name:?} in {report}"))
        };
        Self {
            max_rss_kib: field("Maximum resident set size (kbytes):") as u64,
            cpu: Duration::from_secs_f64(
                field("User time (seconds):") + field("System time (seconds):"),
            ),
            minor_faults: field("Minor (reclaiming a frame) page faults:") as u64,
        }
    }
}

impl Timer {
    fn new() -> Self {
        Self {
            wrapper: std::env::current_exe().expect("the bench binary's own path"),
            scratch: tempfile::tempdir().expect("a scratch directory"),
        }
    }

    fn run(&self, subject: &Subject, call: &Call, rss: bool) -> Timed {
        let engine = &subject.engine;
        let out = self.scratch.path().join("elapsed");
        let rss_file = self.scratch.path().join("rss");
        let _ = std::fs::remove_file(&out);
        let _ = std::fs::remove_file(&rss_file);
        let target = subject.binary.to_str().expect("a UTF-8 binary path");
        let out_str = out.to_str().expect("a UTF-8 scratch path");
        let rss_str = rss_file.to_str().expect("a UTF-8 scratch path");
        let mut env = vec![(EXEC_VAR, target), (OUT_VAR, out_str)];
        env.extend(subject.env.iter().copied());
        if rss {
            env.push((RSS_VAR, rss_str));
        }
        let outcome = engine.run_with_env(&self.wrapper, call, &env);
        engine.reset_log();
        let nanos: u64 = std::fs::read_to_string(&out)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| panic!("the wrapper wrote no time: {}", outcome.stderr));
        let usage = rss.then(|| {
            Usage::parse(&std::fs::read_to_string(&rss_file).expect("a /usr/bin/time -v report"))
        });
        Timed {
            outcome,
            process: Duration::from_nanos(nanos),
            usage,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The two implementations behind one interface.

struct Binaries {
    module: PathBuf,
    naive: PathBuf,
}

impl Binaries {
    fn locate() -> Self {
        // REGISTRY_CONFIG_BIN: measure another build of the module (e.g. another profile).
        let module = std::env::var_os("REGISTRY_CONFIG_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_registry-config")));
        // The naive baseline is another workspace package: its binary sits next to ours.
        let naive = std::env::var_os("NAIVE_MODULE_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_BIN_EXE_registry-config")).with_file_name("naive-module")
            });
        if !naive.exists() {
            eprintln!(
                "{} not found: build it first with `cargo build --release -p naive-module` (or set NAIVE_MODULE_BIN)",
                naive.display()
            );
            std::process::exit(2);
        }
        Self { module, naive }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Module,
    Naive,
    /// The naive baseline naming its secret with the module's argon2id instead of SHA-256.
    NaiveArgon2,
}

/// One implementation against its own engine double.
struct Subject<'a> {
    kind: Kind,
    binary: &'a Path,
    /// Extra environment for the process.
    env: Vec<(&'static str, &'static str)>,
    engine: EngineDouble,
    /// The registered module's ID (the real module only).
    module_id: Option<String>,
    registration_trips: Option<usize>,
}

impl<'a> Subject<'a> {
    fn new(kind: Kind, bins: &'a Binaries) -> Self {
        let engine = EngineDouble::start();
        let (binary, module_id, registration_trips) = match kind {
            Kind::Module => {
                let (id, outcome) = engine.register(&bins.module);
                check(&outcome, "registration");
                engine.reset_log();
                (bins.module.as_path(), Some(id), Some(outcome.round_trips))
            }
            Kind::Naive | Kind::NaiveArgon2 => (bins.naive.as_path(), None, None),
        };
        let env = match kind {
            Kind::NaiveArgon2 => vec![("NAIVE_NAMING", "argon2id")],
            _ => Vec::new(),
        };
        Self {
            kind,
            binary,
            env,
            engine,
            module_id,
            registration_trips,
        }
    }

    fn name(&self) -> &'static str {
        match self.kind {
            Kind::Module => "module",
            Kind::Naive => "naive",
            Kind::NaiveArgon2 => "naive + argon2id naming",
        }
    }

    /// The call as the engine would make it: for the registered module, arguments in
    /// declaration order with registered defaults injected (what `EngineDouble::invoke` does).
    fn call(&self, function: &str, parent: &Value, args: &[(&str, Value)]) -> Call {
        let mut input_args: Vec<(String, Value)> = Vec::new();
        match &self.module_id {
            Some(id) => {
                let def = self
                    .engine
                    .module_function(id, "RegistryConfig", function)
                    .unwrap_or_else(|| panic!("no function RegistryConfig.{function}"));
                for arg in &def.args {
                    match args.iter().find(|(name, _)| *name == arg.name) {
                        Some((_, value)) => input_args.push((arg.name.clone(), value.clone())),
                        None => {
                            if let Some(default) = &arg.default_value {
                                input_args.push((arg.name.clone(), default.clone()));
                            }
                        }
                    }
                }
            }
            None => {
                input_args = args
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), value.clone()))
                    .collect();
            }
        }
        Call {
            parent_name: "RegistryConfig".to_owned(),
            name: function.to_owned(),
            parent: parent.clone(),
            input_args,
        }
    }

    fn auth_call(&self, state: &Value, address: &str, username: &str, secret: &str) -> Call {
        self.call(
            "withRegistryAuth",
            state,
            &[
                ("address", json!(address)),
                ("username", json!(username)),
                ("secret", json!(secret)),
            ],
        )
    }

    fn run(&self, call: &Call) -> Outcome {
        let outcome = self.engine.run_with_env(self.binary, call, &self.env);
        self.engine.reset_log();
        outcome
    }

    fn empty_state(&self) -> Value {
        json!({})
    }

    /// The rendered config behind a returned Secret ID.
    fn rendered(&self, outcome: &Outcome) -> String {
        let id = outcome
            .return_value
            .as_ref()
            .and_then(Value::as_str)
            .expect("secret() returns a Secret ID");
        self.engine
            .secret(id)
            .expect("the returned ID is a Secret")
            .plaintext
    }
}

/// Every run must succeed and send only schema-valid requests.
fn check(outcome: &Outcome, what: &str) {
    assert_eq!(
        outcome.exit_code,
        Some(0),
        "{what} failed: {}",
        outcome.stderr
    );
    assert_eq!(
        outcome.rejected_requests, 0,
        "{what}: the double rejected requests: {:#?}",
        outcome.exchanges
    );
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn ratio(naive: f64, module: f64) -> String {
    format!("{:.1}x", naive / module)
}

// ---------------------------------------------------------------------------------------------
// round-trips and rss: grow a state to 1,000 registries, measuring at the checkpoints.

/// One checkpoint of the scaling table; pairs are `[module, naive]`.
struct Row {
    n: usize,
    auth_trips: [usize; 2],
    secret_trips: [usize; 2],
    mount_trips: usize,
    secret_times: [Duration; 2],
}

fn scaling(bins: &Binaries, round_trips: bool, rss: bool) {
    let timer = Timer::new();
    let subjects = [
        Subject::new(Kind::Module, bins),
        Subject::new(Kind::Naive, bins),
    ];
    let container = subjects[0].engine.new_container();
    let mut states: Vec<Value> = subjects.iter().map(Subject::empty_state).collect();
    let mut rows: Vec<Row> = Vec::new();
    let mut rss_rows: Vec<(usize, [Usage; 2])> = Vec::new();
    let started = Instant::now();
    for n in 1..=*CHECKPOINTS.last().unwrap_or(&1) {
        let mut auth_trips = [0; 2];
        for (i, subject) in subjects.iter().enumerate() {
            let secret = subject
                .engine
                .seed_secret(&format!("pw-{n:06}-0123456789abcdefghij"));
            let call = subject.auth_call(
                &states[i],
                &format!("registry-{n}.example.com"),
                &format!("user{n}"),
                &secret,
            );
            let outcome = subject.run(&call);
            check(
                &outcome,
                &format!("{} withRegistryAuth #{n}", subject.name()),
            );
            auth_trips[i] = outcome.round_trips;
            states[i] = outcome.return_value.clone().expect("a new state");
        }
        if !CHECKPOINTS.contains(&n) {
            continue;
        }

        let mut secret_trips = [0; 2];
        let mut secret_times = [Duration::ZERO; 2];
        let mut rendered = Vec::new();
        let mut usage = [Usage::default(); 2];
        for (i, subject) in subjects.iter().enumerate() {
            let call = subject.call("secret", &states[i], &[]);
            let outcome = subject.run(&call);
            check(&outcome, &format!("{} secret() with {n}", subject.name()));
            secret_trips[i] = outcome.round_trips;
            rendered.push(subject.rendered(&outcome));

            if round_trips {
                subject.engine.set_latency(ENGINE_LATENCY);
                let times = (0..SECRET_RUNS)
                    .map(|_| {
                        let timed = timer.run(subject, &call, false);
                        check(&timed.outcome, "timed secret()");
                        timed.process
                    })
                    .collect();
                subject.engine.set_latency(Duration::ZERO);
                secret_times[i] = median(times);
            }
            if rss && (n == 1 || n == 1_000) {
                let mut values: Vec<Usage> = (0..RSS_RUNS)
                    .map(|_| {
                        let timed = timer.run(subject, &call, true);
                        check(&timed.outcome, "secret() under /usr/bin/time");
                        timed.usage.unwrap_or_default()
                    })
                    .collect();
                values.sort_by_key(|u| u.max_rss_kib);
                usage[i] = values[values.len() / 2];
            }
        }
        assert_eq!(
            rendered[0], rendered[1],
            "module and naive must render the same bytes for {n} registries"
        );
        let mount_trips = {
            let module = &subjects[0];
            let call = module.call(
                "mountSecret",
                &states[0],
                &[("container", json!(container))],
            );
            let outcome = module.run(&call);
            check(&outcome, &format!("mountSecret with {n}"));
            outcome.round_trips
        };
        eprintln!(
            "  .. {n} registries done ({:.0} s elapsed, config {} bytes, identical)",
            started.elapsed().as_secs_f64(),
            rendered[0].len()
        );
        rows.push(Row {
            n,
            auth_trips,
            secret_trips,
            mount_trips,
            secret_times,
        });
        if rss && (n == 1 || n == 1_000) {
            rss_rows.push((n, usage));
        }
    }

    if round_trips {
        println!();
        println!("## Round trips per call (engine double), module vs naive dagger-sdk");
        println!(
            "registration: module {} (budget <= 7); naive: not registered (driven directly)",
            subjects[0].registration_trips.unwrap_or(0)
        );
        println!(
            "| N | withRegistryAuth module | naive | secret() module | naive | ratio | mountSecret module | secret() time module (1 ms/request) | naive | ratio |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|");
        for row in &rows {
            let (auth, secret, time) = (row.auth_trips, row.secret_trips, row.secret_times);
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                row.n,
                auth[0],
                auth[1],
                secret[0],
                secret[1],
                ratio(secret[1] as f64, secret[0] as f64),
                row.mount_trips,
                ms(time[0]),
                ms(time[1]),
                ratio(time[1].as_secs_f64(), time[0].as_secs_f64()),
            );
        }
        println!(
            "(secret() time: median of {SECRET_RUNS} process lifetimes, 1 ms added per request)"
        );
    }
    if rss {
        println!();
        println!("## Peak RSS of secret() (/usr/bin/time -v, median of {RSS_RUNS})");
        println!("| N | | peak RSS | CPU (user+sys) | minor page faults |");
        println!("|---|---|---|---|---|");
        for (n, usage) in &rss_rows {
            for (subject, u) in subjects.iter().zip(usage) {
                println!(
                    "| {n} | {} | {:.1} MiB ({} KiB) | {} | {} |",
                    subject.name(),
                    u.max_rss_kib as f64 / 1024.0,
                    u.max_rss_kib,
                    ms(u.cpu),
                    u.minor_faults
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// chain: withRegistryAuth x2 -> secret, whole processes, median of runs.

fn chain(bins: &Binaries, latency: Duration) {
    let timer = Timer::new();
    let subjects = [
        Subject::new(Kind::Module, bins),
        Subject::new(Kind::Naive, bins),
        Subject::new(Kind::NaiveArgon2, bins),
    ];
    for subject in &subjects {
        subject.engine.set_latency(latency);
    }
    let count = subjects.len();
    // Per subject: process times of [withRegistryAuth #1, #2, secret, chain sum, double wall].
    let mut samples: Vec<[Vec<Duration>; 5]> = (0..count).map(|_| Default::default()).collect();
    let mut trips = vec![0usize; count];
    for run in 0..CHAIN_WARMUPS + CHAIN_RUNS {
        // Rotate which goes first, so drift on a shared machine hits all alike.
        for k in 0..count {
            let i = (run + k) % count;
            let subject = &subjects[i];
            let ghcr = subject.engine.seed_secret("ghcr-token-0123456789");
            let quay = subject.engine.seed_secret("quay-password-0123456789");
            let wall = Instant::now();
            let mut state = subject.empty_state();
            let mut times = [Duration::ZERO; 3];
            let mut chain_trips = 0;
            for (step, (address, user, secret)) in
                [("ghcr.io", "me", &ghcr), ("quay.io", "robot", &quay)]
                    .into_iter()
                    .enumerate()
            {
                let call = subject.auth_call(&state, address, user, secret);
                let timed = timer.run(subject, &call, false);
                check(&timed.outcome, "chain withRegistryAuth");
                chain_trips += timed.outcome.round_trips;
                times[step] = timed.process;
                state = timed.outcome.return_value.expect("a new state");
            }
            let call = subject.call("secret", &state, &[]);
            let timed = timer.run(subject, &call, false);
            check(&timed.outcome, "chain secret");
            chain_trips += timed.outcome.round_trips;
            times[2] = timed.process;
            let wall = wall.elapsed();
            if run >= CHAIN_WARMUPS {
                for (step, time) in times.iter().enumerate() {
                    samples[i][step].push(*time);
                }
                samples[i][3].push(times.iter().sum());
                samples[i][4].push(wall);
            }
            trips[i] = chain_trips;
        }
    }

    // The one deliberate fixed cost inside secret(), measured here for context.
    let argon2 = median(
        (0..5)
            .map(|_| {
                let start = Instant::now();
                let _ = content_digest(br#"{"auths":{"ghcr.io":{"auth":"bWU6dG9rZW4="}}}"#);
                start.elapsed()
            })
            .collect(),
    );

    println!();
    println!(
        "## Chain withRegistryAuth x2 -> secret, {} ms per request, median of {CHAIN_RUNS} runs",
        latency.as_millis()
    );
    println!("| | round trips | withRegistryAuth #1 | #2 | secret | chain (sum of processes) | chain (wall, incl. double) |");
    println!("|---|---|---|---|---|---|---|");
    let medians: Vec<Vec<Duration>> = samples
        .iter()
        .map(|columns| columns.iter().map(|c| median(c.clone())).collect())
        .collect();
    for (i, subject) in subjects.iter().enumerate() {
        let cells: Vec<String> = medians[i].iter().map(|d| ms(*d)).collect();
        println!(
            "| {} | {} | {} |",
            subject.name(),
            trips[i],
            cells.join(" | ")
        );
    }
    for (i, subject) in subjects.iter().enumerate().skip(1) {
        let cells: Vec<String> = medians[i]
            .iter()
            .zip(&medians[0])
            .map(|(other, module)| ratio(other.as_secs_f64(), module.as_secs_f64()))
            .collect();
        println!(
            "| {} / module | {} | {} |",
            subject.name(),
            ratio(trips[i] as f64, trips[0] as f64),
            cells.join(" | ")
        );
    }
    println!(
        "(argon2id naming, measured in this process: {}; ratios > 1 mean the module is faster)",
        ms(argon2)
    );
}
