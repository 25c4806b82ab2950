"""Builds the registry-config Rust module for the Dagger engine.

Dagger has no built-in Rust SDK. This small SDK module implements
moduleRuntime: it compiles the module crate with cargo (cached registry,
git and target directories) and returns a slim image whose entrypoint is
the compiled binary.
"""

from .main import RegistryConfigRustRuntime as RegistryConfigRustRuntime
