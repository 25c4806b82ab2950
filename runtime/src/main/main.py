"""moduleRuntime for the registry-config Rust module."""

import posixpath
from typing import Annotated, Final

import dagger
from dagger import Doc, dag, function, object_type

# Pinned by tag to a Rust release the official image still rebuilds (at least
# the crate's rust-version; tests/runtime_sdk.rs checks both). A digest pin
# ("rust:1.98-slim-trixie@sha256:...") is better; add it where the registry
# can be reached to resolve it.
RUST_IMAGE: Final = "rust:1.98-slim-trixie"

# Same Debian release (glibc) as RUST_IMAGE, so the binary runs unchanged.
# Also pinned by tag only; prefer a digest pin when it can be resolved.
RUNTIME_IMAGE: Final = "debian:trixie-slim"

BIN_NAME: Final = "registry-config"
SRC_DIR: Final = "/src"
TARGET_DIR: Final = "/src-target"
OUT_PATH: Final = f"/out/{BIN_NAME}"
ENTRYPOINT: Final = f"/usr/local/bin/{BIN_NAME}"

# Stable cache volume names, so every module load reuses them. The target
# volume is keyed by the toolchain image, so a Rust bump starts it afresh.
CARGO_REGISTRY_CACHE: Final = "registry-config-cargo-registry"
CARGO_GIT_CACHE: Final = "registry-config-cargo-git"
TARGET_CACHE: Final = f"registry-config-target-{RUST_IMAGE.replace(':', '-')}"

# One exec: the target dir is a cache volume, which is not part of the image,
# so the binary is copied out before the exec ends. `cargo clean -p` drops only
# this crate's artifacts (dependencies stay cached): cargo judges local sources
# by mtime, and the shared target dir may hold a build of other sources.
BUILD_SCRIPT: Final = f"""
cargo clean --release --locked -p {BIN_NAME}
cargo build --release --locked --bin {BIN_NAME}
mkdir -p {posixpath.dirname(OUT_PATH)}
cp "$CARGO_TARGET_DIR/release/{BIN_NAME}" {OUT_PATH}
"""


@object_type
class RegistryConfigRustRuntime:
    """Builds the registry-config Rust module and returns its runtime container."""

    @function
    async def module_runtime(
        self,
        mod_source: Annotated[
            dagger.ModuleSource, Doc("The module to build (its Cargo workspace).")
        ],
        introspection_json: Annotated[
            dagger.File | None,
            Doc("Unused: the Rust module has no generated bindings."),
        ] = None,
    ) -> dagger.Container:
        """Compile the module crate and return a slim image running its binary."""
        subpath = await mod_source.source_subpath()
        workdir = posixpath.normpath(posixpath.join(SRC_DIR, subpath))
        # A host target/ must never reach the build; the cache volume is used.
        context = mod_source.context_directory().without_directory(
            posixpath.join(subpath, "target")
        )

        binary = (
            dag.container()
            .from_(RUST_IMAGE)
            .with_mounted_cache(
                "/usr/local/cargo/registry", dag.cache_volume(CARGO_REGISTRY_CACHE)
            )
            .with_mounted_cache("/usr/local/cargo/git", dag.cache_volume(CARGO_GIT_CACHE))
            # LOCKED: a concurrent build of other sources must not replace the
            # binary between `cargo build` and `cp`.
            .with_mounted_cache(
                TARGET_DIR,
                dag.cache_volume(TARGET_CACHE),
                sharing=dagger.CacheSharingMode.LOCKED,
            )
            .with_env_variable("CARGO_TARGET_DIR", TARGET_DIR)
            .with_env_variable("CARGO_TERM_COLOR", "never")
            .with_mounted_directory(SRC_DIR, context)
            .with_workdir(workdir)
            .with_exec(["sh", "-eu", "-c", BUILD_SCRIPT])
            .file(OUT_PATH)
        )

        return (
            dag.container()
            .from_(RUNTIME_IMAGE)
            .with_file(ENTRYPOINT, binary, permissions=0o755)
            .with_entrypoint([ENTRYPOINT])
            .without_default_args()
        )
