//! Shared helpers for the integration tests (`mod support;` in a test file).

#![allow(dead_code)] // each test file uses a different part of the support code

pub mod checks;
pub mod clients;
pub mod module;
pub mod oci_layout;
pub mod registry;
