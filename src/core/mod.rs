//! The pure core: no I/O and no Dagger types. Everything here is deterministic and unit-tested:
//! key normalization, credentials, helper names, the ordered plan, rendering, imported configs,
//! naming, the check for characters a person cannot see, the pure parts of `verify`
//! (challenges, tokens, image references, result lines) and of ECR logins (addresses,
//! endpoints, issued tokens, AWS error bodies).

pub mod address;
pub mod aws_error;
pub mod challenge;
pub mod credential;
pub mod ecr;
pub mod helper;
pub mod image;
pub mod import;
pub mod kubernetes;
pub mod naming;
pub mod plaintext;
pub mod plan;
pub mod render;
pub mod shown;
pub mod token;
pub mod verify;
pub mod visible;
