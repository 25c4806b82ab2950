//! Whole-process benchmarks against the engine double (`harness = false`; not a test): the real
//! `registry-config` binary side by side with the naive `dagger-sdk` baseline
//! (`benches/naive-module`), one process per call exactly as the engine runs them.
//!
//! ```text
//! cargo build --release -p naive-module
//! cargo bench --bench process                     # everything
//! cargo bench --bench process -- round-trips rss  # or some sections: round-trips, chain, rss, hostile
//! REGISTRY_CONFIG_BIN=/path/to/registry-config cargo bench --bench process -- chain  # another build
//! ```
//!
//! * `round-trips`: HTTP requests per call, counted by the double, for N = 1, 10, 100, 1,000
//!   registries (module vs naive, with the ratio), plus `secret()` process time at each N with
//!   1 ms of latency per request.
//! * `chain`: `withRegistryAuth` ×2 → `secret`, median of 25 runs (after 2 warm-ups), with the
//!   double adding 1 ms per request (a real engine's cost) and with no latency.
//! * `rss`: peak RSS (`/usr/bin/time -v`) of `secret()` with 1 and 1,000 registries.
//! * `hostile`: `secret()` on tampered states (many keys at one 128,000-byte secret, 3,000 keys,
//!   3,000 steps for one key, 1,000 imports, usernames that alone overflow the limit, 10,000
//!   steps, the most keys the size bound lets through), then oversized inputs (~10 MB imports,
//!   a 15 MiB state and Secret ID, 12 MiB `owner`, `variable` and `name` arguments): wall time,
//!   peak RSS, round trips, bytes the double answered (the envelope with the state, then the
//!   plaintexts), the error's length and the outcome, checked against the target of < 1 s,
//!   < 64 MiB and an error < 4 KiB.
//!   Needs no naive baseline; a run that outlives 120 s is killed and reported as such, and the
//!   module's address space is capped at 8 GiB so that an unbounded build cannot take the machine.
//!
//! Process times are measured by a wrapper (this same binary, re-executed with
//! `REGISTRY_CONFIG_BENCH_EXEC` set) from `spawn` to `wait` of the module process, so they do not
//! include the double's own 5 ms exit polling. Results and machine details: `BENCHMARKS.md`.

use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use engine_double::{Call, EngineDouble, Outcome};
use registry_config::core::naming::content_digest;
use registry_config::module::state::decode_config;
use registry_config::Function;
use serde_json::{json, Value};

/// Set in the wrapper's environment: the program it runs and times.
const EXEC_VAR: &str = "REGISTRY_CONFIG_BENCH_EXEC";
/// Where the wrapper writes the elapsed nanoseconds.
const OUT_VAR: &str = "REGISTRY_CONFIG_BENCH_OUT";
/// When set, the wrapper runs the program under `/usr/bin/time -v -o <this path>`.
const RSS_VAR: &str = "REGISTRY_CONFIG_BENCH_RSS";
/// When set (milliseconds), the wrapper kills the program's process group after that long.
const TIMEOUT_VAR: &str = "REGISTRY_CONFIG_BENCH_TIMEOUT_MS";
/// When set (bytes), the wrapper caps the program's address space (`prlimit --as`), so that a
/// runaway build fails instead of taking the shared machine's memory.
const MEMORY_CAP_VAR: &str = "REGISTRY_CONFIG_BENCH_AS_BYTES";

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
        if !["round-trips", "chain", "rss", "hostile"].contains(section) {
            eprintln!("unknown section {section:?}; use round-trips, chain, rss or hostile");
            std::process::exit(2);
        }
    }

    let bins = Binaries::locate(wants("round-trips") || wants("rss") || wants("chain"));
    println!("module: {}", bins.module.display());
    if wants("round-trips") || wants("rss") {
        scaling(&bins, wants("round-trips"), wants("rss"));
    }
    if wants("chain") {
        chain(&bins, ENGINE_LATENCY);
        chain(&bins, Duration::ZERO);
    }
    if wants("hostile") {
        hostile(&bins);
    }
}

// ---------------------------------------------------------------------------------------------
// The timing wrapper.

/// Runs `target` with this process's environment (minus the wrapper's variables), stdio
/// inherited (so the double captures it), and writes how long it lived to `$OUT_VAR`, followed
/// by ` killed` if `$TIMEOUT_VAR` was set and it had to be killed.
fn wrapper(target: OsString) -> i32 {
    let out = std::env::var_os(OUT_VAR);
    let rss = std::env::var_os(RSS_VAR);
    let timeout = std::env::var(TIMEOUT_VAR)
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(Duration::from_millis);
    let mut argv: Vec<OsString> = Vec::new();
    if let Some(bytes) = std::env::var_os(MEMORY_CAP_VAR) {
        let mut limit = OsString::from("--as=");
        limit.push(bytes);
        argv.extend(["/usr/bin/prlimit".into(), limit, "--".into()]);
    }
    if let Some(rss_file) = &rss {
        argv.extend([
            "/usr/bin/time".into(),
            "-v".into(),
            "-o".into(),
            rss_file.clone(),
        ]);
    }
    argv.push(target.clone());
    let mut command = Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .env_remove(EXEC_VAR)
        .env_remove(OUT_VAR)
        .env_remove(RSS_VAR)
        .env_remove(TIMEOUT_VAR)
        .env_remove(MEMORY_CAP_VAR);
    let start = Instant::now();
    let (status, killed) = match timeout {
        None => (command.status(), false),
        Some(limit) => run_with_deadline(command, limit),
    };
    let elapsed = start.elapsed();
    if let Some(out) = out {
        let report = format!(
            "{}{}",
            elapsed.as_nanos(),
            if killed { " killed" } else { "" }
        );
        if let Err(e) = std::fs::write(&out, report) {
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

/// Runs `command` as the leader of its own process group and, if it is still running after
/// `limit`, kills the whole group (`/usr/bin/time` and the module under it, by the group's ID).
/// Polls every millisecond: while the leader is not reaped its ID cannot be reused.
fn run_with_deadline(mut command: Command, limit: Duration) -> (io::Result<ExitStatus>, bool) {
    let mut child = match command.process_group(0).spawn() {
        Ok(child) => child,
        Err(e) => return (Err(e), false),
    };
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return (Ok(status), false),
            Ok(None) if Instant::now() >= deadline => {
                let group = format!("-{}", child.id());
                let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
                return (child.wait(), true);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(1)),
            Err(e) => return (Err(e), false),
        }
    }
}

/// Runs binaries through the double, optionally through the timing wrapper.
struct Timer {
    wrapper: PathBuf,
    scratch: tempfile::TempDir,
    /// The wrapper kills the module after this long (`None`: never).
    timeout: Option<Duration>,
    /// The module's address-space cap in bytes (`None`: none).
    memory_cap: Option<u64>,
}

/// One timed run: what the double saw, how long the module process lived, its resource use
/// (`None` when not asked for, or when the run was killed before `/usr/bin/time` reported).
struct Timed {
    outcome: Outcome,
    process: Duration,
    usage: Option<Usage>,
    /// The wrapper killed the module at the timeout.
    killed: bool,
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
            timeout: None,
            memory_cap: None,
        }
    }

    /// A timer whose runs are killed after `limit` and capped at `memory_cap` bytes of address
    /// space.
    fn bounded(limit: Duration, memory_cap: u64) -> Self {
        Self {
            timeout: Some(limit),
            memory_cap: Some(memory_cap),
            ..Self::new()
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
        let timeout_ms = self.timeout.map(|t| t.as_millis().to_string());
        let memory_cap = self.memory_cap.map(|bytes| bytes.to_string());
        let mut env = vec![(EXEC_VAR, target), (OUT_VAR, out_str)];
        env.extend(subject.env.iter().copied());
        if rss {
            env.push((RSS_VAR, rss_str));
        }
        if let Some(ms) = &timeout_ms {
            env.push((TIMEOUT_VAR, ms.as_str()));
        }
        if let Some(bytes) = &memory_cap {
            env.push((MEMORY_CAP_VAR, bytes.as_str()));
        }
        let outcome = engine.run_with_env(&self.wrapper, call, &env);
        engine.reset_log();
        let report = std::fs::read_to_string(&out).unwrap_or_default();
        let mut fields = report.split_whitespace();
        let nanos: u64 = fields
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("the wrapper wrote no time: {}", outcome.stderr));
        let killed = fields.next() == Some("killed");
        // A killed `/usr/bin/time` reports nothing.
        let usage = (rss && !killed).then(|| {
            Usage::parse(&std::fs::read_to_string(&rss_file).expect("a /usr/bin/time -v report"))
        });
        Timed {
            outcome,
            process: Duration::from_nanos(nanos),
            usage,
            killed,
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
    /// The binaries to measure; exits if the naive baseline is needed and missing.
    fn locate(need_naive: bool) -> Self {
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
        if need_naive && !naive.exists() {
            eprintln!(
                "{} not found: build it first with `cargo build --release -p naive-module` (or set NAIVE_MODULE_BIN)",
                naive.display()
            );
            std::process::exit(2);
        }
        if need_naive {
            println!("naive:  {}", naive.display());
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

// ---------------------------------------------------------------------------------------------
// hostile: secret() on tampered states, each bounded in time and memory.

/// Runs of each hostile case (the medians are reported).
const HOSTILE_RUNS: usize = 3;
/// A hostile run that lives longer is killed (and the case is not run again).
const HOSTILE_TIMEOUT: Duration = Duration::from_secs(120);
/// The address space a hostile run may take (8 GiB): an unbounded build fails there instead of
/// exhausting the shared machine.
const HOSTILE_MEMORY_CAP: u64 = 8 << 30;
/// The target for every state the engine can hand the module: fail or succeed within these.
const TARGET_WALL: Duration = Duration::from_secs(1);
const TARGET_RSS_KIB: u64 = 64 * 1024;
const TARGET_ERROR_BYTES: usize = 4 * 1024;
/// The engine's `setSecret` limit, the size of the largest secret a state can point at.
const ENGINE_SECRET_LIMIT: usize = 128_000;
/// Characters of each outcome shown in the table.
const OUTCOME_CHARS: usize = 100;

/// One hostile call: the function, the (possibly tampered) state, the arguments, and what it is.
struct HostileCase {
    label: String,
    function: &'static str,
    state: Value,
    args: Vec<(&'static str, Value)>,
}

impl HostileCase {
    /// `secret()` on a tampered state.
    fn secret(label: impl Into<String>, state: Value) -> Self {
        Self {
            label: label.into(),
            function: "secret",
            state,
            args: Vec::new(),
        }
    }
}

/// A basic-auth step as the module writes it into state.
fn basic_step(key: &str, username: &str, secret: &str) -> Value {
    json!({"kind": "basic", "key": key, "username": username, "secret": secret})
}

/// A dummy password of exactly `len` bytes, distinct for each `(tag, i)`.
fn dummy_password(tag: &str, i: usize, len: usize) -> String {
    let mut password = format!("pw-{tag}-{i:06}-");
    let fill = len.saturating_sub(password.len());
    password.push_str(&"x".repeat(fill));
    password.truncate(len);
    password
}

/// A valid `config.json` of just under `size` bytes: `auths` entries with `auth` values.
fn imported_config(size: usize) -> String {
    use base64::Engine as _;
    let mut config = String::from(r#"{"auths":{"#);
    for i in 0.. {
        let auth = base64::engine::general_purpose::STANDARD
            .encode(format!("u{i}:{}", dummy_password("import", i, 24)));
        let entry = format!(r#""imported-{i}.example.com":{{"auth":"{auth}"}}"#);
        // The separating comma and the closing `}}`.
        if config.len() + entry.len() + 3 > size {
            break;
        }
        if i > 0 {
            config.push(',');
        }
        config.push_str(&entry);
    }
    config.push_str("}}");
    config
}

/// The shortest registry keys there are (`a` … `z`, `aa` … `zz`, `aaa` …), in order: single-label
/// host names, which normalize to themselves.
fn short_keys() -> impl Iterator<Item = String> {
    let letters = || (b'a'..=b'z').map(char::from);
    let one = letters().map(String::from);
    let two = letters().flat_map(move |a| letters().map(move |b| format!("{a}{b}")));
    let three = letters().flat_map(move |a| {
        letters().flat_map(move |b| letters().map(move |c| format!("{a}{b}{c}")))
    });
    one.chain(two).chain(three)
}

/// Basic steps for the first `count` [`short_keys`], user `u`, all at `secret`.
fn short_key_state(count: usize, secret: &str) -> Value {
    let steps: Vec<Value> = short_keys()
        .take(count)
        .map(|key| basic_step(&key, "u", secret))
        .collect();
    json!({ "steps": steps })
}

/// The most [`short_keys`] a state may hold and still pass the module's own bound on the
/// rendered size (`Plan::check_bounds`): the state that makes the module read the most.
fn most_short_keys_within_bounds() -> usize {
    let passes = |count: usize| {
        decode_config(Function::Secret, &short_key_state(count, "id"))
            .is_ok_and(|plan| plan.check_bounds().is_ok())
    };
    let (mut fits, mut too_many) = (1, short_keys().count());
    assert!(passes(fits) && !passes(too_many));
    while too_many - fits > 1 {
        let mid = fits + (too_many - fits) / 2;
        if passes(mid) {
            fits = mid;
        } else {
            too_many = mid;
        }
    }
    fits
}

/// The tampered states of issue "Hardening, round two", item 12, plus the largest state the
/// module accepts and the one that makes it read the most. Secrets are seeded in `engine`; the
/// double hands every ID occurrence over as its own fresh alias, so the module cannot tell that
/// many steps share one secret.
fn hostile_cases(engine: &EngineDouble) -> Vec<HostileCase> {
    let key = |i: usize| format!("r{i}.example.com");
    let big = engine.seed_secret(&"p".repeat(ENGINE_SECRET_LIMIT));
    let own_secrets = |tag: &str, count: usize, len: usize| -> Vec<String> {
        (0..count)
            .map(|i| engine.seed_secret(&dummy_password(tag, i, len)))
            .collect()
    };
    let distinct_keys = |secrets: &[String]| -> Value {
        let steps: Vec<Value> = secrets
            .iter()
            .enumerate()
            .map(|(i, secret)| basic_step(&key(i), "u", secret))
            .collect();
        json!({ "steps": steps })
    };

    let at_big = |count: usize| -> Value {
        let steps: Vec<Value> = (0..count).map(|i| basic_step(&key(i), "u", &big)).collect();
        json!({ "steps": steps })
    };
    let b_small = own_secrets("b40", 3_000, 40);
    let b_1k = own_secrets("b1k", 3_000, 1_000);
    let c: Vec<Value> = own_secrets("c", 3_000, 40)
        .iter()
        .map(|secret| basic_step("ghcr.io", "u", secret))
        .collect();
    let config = imported_config(100_000);
    let imported = engine.seed_secret(&config);
    let d: Vec<Value> = (0..1_000)
        .map(|_| json!({"kind": "dockerConfig", "secret": imported}))
        .collect();
    let long_user = "u".repeat(1_000);
    let e: Vec<Value> = (0..200)
        .map(|i| basic_step(&key(i), &long_user, &big))
        .collect();
    // 10,000 steps over 1,000 keys (each set 10 times, interleaved): fits, so it renders.
    let f_fits: Vec<Value> = own_secrets("f", 10_000, 40)
        .iter()
        .enumerate()
        .map(|(i, secret)| basic_step(&key(i % 1_000), "u", secret))
        .collect();
    let f_distinct = own_secrets("f2", 10_000, 40);
    let g = most_short_keys_within_bounds();
    vec![
        HostileCase::secret("(a) 1,000 keys, all at one 128,000-byte secret".to_owned(), at_big(1_000)),
        HostileCase::secret("(a') 130 keys at that secret (the answer just fits in 16 MiB)".to_owned(), at_big(130)),
        HostileCase::secret("(a'') 3,000 keys at that secret (the issue's 3,000-key state)".to_owned(), at_big(3_000)),
        HostileCase::secret("(b) 3,000 keys, each its own 40-byte secret".to_owned(), distinct_keys(&b_small)),
        HostileCase::secret("(b') 3,000 keys, each its own 1,000-byte secret".to_owned(), distinct_keys(&b_1k)),
        HostileCase::secret("(c) 3,000 steps for one key, each its own 40-byte secret".to_owned(), json!({ "steps": c })),
        HostileCase::secret(format!(
                "(d) 1,000 dockerConfig steps, all at one {}-byte config",
                config.len()
            ), json!({ "steps": d })),
        HostileCase::secret("(e) 200 keys with 1,000-byte usernames, all at the 128,000-byte secret"
                .to_owned(), json!({ "steps": e })),
        HostileCase::secret("(f) 10,000 steps (the most accepted) over 1,000 keys, 40-byte secrets"
                .to_owned(), json!({ "steps": f_fits })),
        HostileCase::secret("(f') 10,000 steps (the most accepted), distinct keys, 40-byte secrets"
                .to_owned(), distinct_keys(&f_distinct)),
        HostileCase::secret(format!(
                "(g) {g} one- to three-letter keys (the most the size bound lets through), all at the 128,000-byte secret"
            ), short_key_state(g, &big)),
    ]
}

/// The oversized inputs of issue "Hardening, round three", items 8–10: imports of ~10 MB, a
/// 15 MiB state and Secret ID, and 12 MiB string arguments.
fn round_three_cases(engine: &EngineDouble) -> Vec<HostileCase> {
    const MIB: usize = 1024 * 1024;
    let import = |label: String, config: String| {
        let secret = engine.seed_secret(&config);
        HostileCase::secret(
            format!("{label} ({} bytes)", config.len()),
            json!({"steps": [{"kind": "dockerConfig", "secret": secret}]}),
        )
    };
    let entries = |count: usize, entry: &dyn Fn(usize) -> String| -> String {
        (0..count).map(entry).collect::<Vec<_>>().join(",")
    };
    let empty = entries(600_000, &|i| format!(r#""r{i}.io":{{}}"#));
    let auths = entries(400_000, &|i| format!(r#""r{i}.io":{{"auth":"dTpw"}}"#));
    let helpers = entries(650_000, &|i| format!(r#""r{i}.io":"x""#));
    let container = engine.new_container();
    let secret = engine.seed_secret("pw");
    let state = json!({"steps": [basic_step("ghcr.io", "u", &secret)]});
    let call =
        |label: &str, function: &'static str, args: Vec<(&'static str, Value)>| HostileCase {
            label: label.to_owned(),
            function,
            state: state.clone(),
            args,
        };
    let long = |len: usize| "A".repeat(len);
    vec![
        import(
            "(h) import of 600,000 empty auths entries with a credsStore".to_owned(),
            format!(r#"{{"credsStore":"desktop","auths":{{{empty}}}}}"#),
        ),
        import(
            "(h') import of 400,000 auth entries".to_owned(),
            format!(r#"{{"auths":{{{auths}}}}}"#),
        ),
        import(
            "(h'') import of 650,000 credHelpers entries".to_owned(),
            format!(r#"{{"credHelpers":{{{helpers}}}}}"#),
        ),
        HostileCase::secret(
            "(i) 15 MiB state {\"steps\":[0,0,…]}",
            json!({"steps": vec![0; (15 * MIB - 12) / 2]}),
        ),
        HostileCase::secret(
            "(i0) 2 MiB state {\"steps\":[0,0,…]} (just within the state bound: parsed)",
            json!({"steps": vec![0; (2 * MIB - 12) / 2]}),
        ),
        HostileCase::secret(
            "(i') state with a 15 MiB Secret ID",
            json!({"steps": [{"kind": "dockerConfig", "secret": long(15 * MIB)}]}),
        ),
        call(
            "(i'') withRegistryAuth with a 15 MiB Secret ID as secret",
            "withRegistryAuth",
            vec![
                ("address", json!("ghcr.io")),
                ("username", json!("u")),
                ("secret", json!(long(15 * MIB))),
            ],
        ),
        call(
            "(j) mountSecret with a 12 MiB owner",
            "mountSecret",
            vec![
                ("container", json!(container)),
                ("owner", json!(long(12 * MIB))),
            ],
        ),
        call(
            "(j') mountSecret with a 12 MiB variable",
            "mountSecret",
            vec![
                ("container", json!(container)),
                ("variable", json!(long(12 * MIB))),
            ],
        ),
        call(
            "(j'') secretVariable with a 12 MiB name",
            "secretVariable",
            vec![
                ("container", json!(container)),
                ("name", json!(long(12 * MIB))),
            ],
        ),
    ]
}

/// The measured result of one hostile case.
struct HostileRow {
    label: String,
    function: &'static str,
    steps: usize,
    runs: usize,
    /// Median process lifetime; `None` if a run was killed at the timeout.
    wall: Option<Duration>,
    usage: Option<Usage>,
    exit: String,
    round_trips: usize,
    answered_bytes: usize,
    /// Length of the returned error message (`None`: no error).
    error_bytes: Option<usize>,
    outcome: String,
}

/// The first [`OUTCOME_CHARS`] characters of what a run ended with (an error message, or the
/// size of the stored config; never a plaintext), on one table-safe line.
fn outcome_text(subject: &Subject, timed: &Timed) -> String {
    let outcome = &timed.outcome;
    let rejected = match outcome.rejected_requests {
        0 => String::new(),
        n => format!("({n} requests rejected by the double) "),
    };
    let text = if timed.killed {
        format!("killed after {} s", HOSTILE_TIMEOUT.as_secs())
    } else if let Some(error) = &outcome.return_error {
        format!("error: {}", error.message)
    } else if let Some(Value::String(id)) = &outcome.return_value {
        match subject.engine.secret(id) {
            Some(secret) => format!("ok: config of {} bytes stored", secret.plaintext.len()),
            None => "ok: returned an ID that is not a Secret (a Container)".to_owned(),
        }
    } else if let Some(state) = &outcome.return_value {
        format!("ok: returned a state of {} bytes", state.to_string().len())
    } else {
        format!("no result; stderr: {}", outcome.stderr.trim())
    };
    let line: String = format!("{rejected}{text}")
        .chars()
        .take(OUTCOME_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    line.replace('|', "\\|")
}

/// GNU time's CPU figures have a resolution of 10 ms.
fn cpu_ms(cpu: Duration) -> String {
    if cpu.is_zero() {
        "< 10 ms".to_owned()
    } else {
        ms(cpu)
    }
}

/// `secret()` on each hostile state, [`HOSTILE_RUNS`] times, then the table and the target check.
fn hostile(bins: &Binaries) {
    let timer = Timer::bounded(HOSTILE_TIMEOUT, HOSTILE_MEMORY_CAP);
    let subject = Subject::new(Kind::Module, bins);
    // The wrapper kills at HOSTILE_TIMEOUT; the double only waits for the wrapper.
    subject
        .engine
        .set_run_timeout(HOSTILE_TIMEOUT + Duration::from_secs(60));
    let mut cases = hostile_cases(&subject.engine);
    cases.extend(round_three_cases(&subject.engine));
    let mut rows = Vec::new();
    for case in cases {
        let steps = case.state["steps"].as_array().map_or(0, Vec::len);
        let call = subject.call(case.function, &case.state, &case.args);
        let mut walls = Vec::new();
        let mut usages = Vec::new();
        let mut last = None;
        let mut killed = false;
        for _ in 0..HOSTILE_RUNS {
            let timed = timer.run(&subject, &call, true);
            walls.push(timed.process);
            usages.extend(timed.usage);
            killed = timed.killed;
            last = Some(timed);
            if killed {
                break;
            }
        }
        let Some(last) = last else { continue };
        usages.sort_by_key(|u| u.max_rss_kib);
        let row = HostileRow {
            label: case.label,
            function: case.function,
            steps,
            runs: walls.len(),
            wall: (!killed).then(|| median(walls)),
            usage: usages.get(usages.len() / 2).copied(),
            exit: match last.outcome.exit_code {
                Some(code) => code.to_string(),
                None => "signal".to_owned(),
            },
            round_trips: last.outcome.round_trips,
            answered_bytes: last
                .outcome
                .exchanges
                .iter()
                .map(|e| e.response.len())
                .sum(),
            error_bytes: last.outcome.return_error.as_ref().map(|e| e.message.len()),
            outcome: outcome_text(&subject, &last),
        };
        eprintln!(
            "  .. {}: {}",
            row.label,
            row.wall.map_or("killed".to_owned(), ms)
        );
        rows.push(row);
    }

    println!();
    println!(
        "## Hostile states: secret() (wall and peak RSS: median of {HOSTILE_RUNS} runs, /usr/bin/time -v; killed after {} s; address space capped at {} GiB)",
        HOSTILE_TIMEOUT.as_secs(),
        HOSTILE_MEMORY_CAP >> 30
    );
    println!("| case | function | steps | runs | wall | peak RSS | CPU (user+sys) | exit | round trips | bytes the double answered | error bytes | outcome (first {OUTCOME_CHARS} chars) | < 1 s | < 64 MiB | error < 4 KiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut met = 0;
    for row in &rows {
        let fast = row.wall.is_some_and(|w| w < TARGET_WALL);
        let small = row.usage.is_some_and(|u| u.max_rss_kib < TARGET_RSS_KIB);
        let short = row.error_bytes.is_none_or(|len| len < TARGET_ERROR_BYTES);
        met += usize::from(fast && small && short);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.label,
            row.function,
            row.steps,
            row.runs,
            row.wall
                .map_or(format!("> {} s", HOSTILE_TIMEOUT.as_secs()), ms),
            row.usage.map_or("n/a (killed)".to_owned(), |u| format!(
                "{:.1} MiB",
                u.max_rss_kib as f64 / 1024.0
            )),
            row.usage.map_or("n/a".to_owned(), |u| cpu_ms(u.cpu)),
            row.exit,
            row.round_trips,
            row.answered_bytes,
            row.error_bytes
                .map_or("-".to_owned(), |len| len.to_string()),
            row.outcome,
            if fast { "yes" } else { "**no**" },
            if small { "yes" } else { "**no**" },
            if short { "yes" } else { "**no**" },
        );
    }
    println!(
        "target (< {} s, < {} MiB and an error < {} KiB): met by {met} of {} cases",
        TARGET_WALL.as_secs(),
        TARGET_RSS_KIB / 1024,
        TARGET_ERROR_BYTES / 1024,
        rows.len()
    );
}
