//! Criterion benchmarks of the pure core: rendering `config.json` for 1 to 10,000 registries, and
//! the argon2id secret-name derivation on its own (the one deliberate fixed cost).
//!
//! Run with `cargo bench --bench render` (or `scripts/bench.sh`); results are in BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use registry_config::core::address::RegistryKey;
use registry_config::core::credential::{Credential, Username};
use registry_config::core::naming::{content_digest, secret_name, SecretPrefix};
use registry_config::core::plaintext::Plaintext;
use registry_config::core::plan::Plan;
use registry_config::core::render::{render, RenderError, ResolvedEntries, MAX_CONFIG_BYTES};

/// A plan of `n` basic-auth registries whose handles are the passwords themselves.
fn plan(n: usize) -> Plan<String> {
    let mut plan = Plan::default();
    for i in 0..n {
        let key = RegistryKey::parse(&format!("registry-{i}.example.com"))
            .unwrap_or_else(|e| panic!("bench key {i}: {e}"));
        let username =
            Username::parse(&format!("user{i}")).unwrap_or_else(|e| panic!("bench user {i}: {e}"));
        plan.set(
            key,
            Credential::Basic {
                username,
                password: format!("pw-{i:06}-0123456789abcdefghij"),
            },
        );
    }
    plan
}

/// The plaintexts `Plan::resolve` expects (what the module reads in one aliased query).
fn plaintexts(plan: &Plan<String>) -> Vec<Plaintext> {
    plan.handles()
        .into_iter()
        .map(|h| Plaintext::new(h.clone()))
        .collect()
}

fn entries(n: usize) -> ResolvedEntries {
    let plan = plan(n);
    plan.resolve(plaintexts(&plan))
        .unwrap_or_else(|e| panic!("resolve {n}: {e}"))
}

/// Rendered size in bytes, whether or not it fits the engine's secret limit (over the limit the
/// error gives it rounded up to whole KiB only).
fn rendered_len(entries: &ResolvedEntries) -> usize {
    match render(entries) {
        Ok(config) => config.len(),
        Err(RenderError::TooLarge { kib }) => kib * 1024,
        Err(e) => panic!("render: {e}"),
    }
}

fn rendering(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    group.measurement_time(Duration::from_secs(5));
    for n in [1usize, 100, 1_000, 10_000] {
        let entries = entries(n);
        let len = rendered_len(&entries);
        eprintln!(
            "render/{n}: {len} bytes{}",
            if len > MAX_CONFIG_BYTES {
                " (over the 128,000-byte setSecret limit: render does all the work, then returns TooLarge)"
            } else {
                ""
            }
        );
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &entries, |b, entries| {
            // Ok for n <= 1,000; Err(TooLarge) after full serialization for 10,000.
            b.iter(|| black_box(render(black_box(entries)).map(|c| c.len())))
        });
    }
    group.finish();

    // What `secret()` does between reading the plaintexts and naming: resolve the plan, render.
    let mut group = c.benchmark_group("resolve+render");
    group.measurement_time(Duration::from_secs(5));
    for n in [1usize, 100, 1_000, 10_000] {
        let plan = plan(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &plan, |b, plan| {
            b.iter_batched(
                || plaintexts(plan),
                |texts| {
                    let entries = plan.resolve(texts).map_err(|e| e.to_string());
                    black_box(entries.map(|e| render(&e).map(|c| c.len())))
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn naming(c: &mut Criterion) {
    let small = render(&entries(1)).unwrap_or_else(|e| panic!("render 1: {e}"));
    // The largest config that fits the engine's limit is ~128 KB; ~100 KB is 1,150 registries.
    let large = render(&entries(1_150)).unwrap_or_else(|e| panic!("render 1,150: {e}"));
    eprintln!(
        "naming inputs: small {} bytes, large {} bytes",
        small.len(),
        large.len()
    );
    let prefix = SecretPrefix::default();

    let mut group = c.benchmark_group("naming");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("argon2id/small", |b| {
        b.iter(|| black_box(content_digest(black_box(small.as_bytes()))).is_ok())
    });
    group.bench_function("argon2id/100KB", |b| {
        b.iter(|| black_box(content_digest(black_box(large.as_bytes()))).is_ok())
    });
    group.bench_function("secret_name/small", |b| {
        b.iter(|| black_box(secret_name(&prefix, black_box(&small))))
    });
    group.finish();
}

criterion_group!(benches, rendering, naming);
criterion_main!(benches);
