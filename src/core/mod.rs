//! The pure core: no I/O and no Dagger types. Everything here is deterministic and unit-tested:
//! key normalization, credentials, helper names, the ordered plan, rendering, imported configs,
//! naming, and the check for characters a person cannot see.

pub mod address;
pub mod credential;
pub mod helper;
pub mod import;
pub mod kubernetes;
pub mod naming;
pub mod plaintext;
pub mod plan;
pub mod render;
pub mod shown;
pub mod visible;
