//! The bounds on every input, in one place below everything that checks or reports them.
//!
//! Each input is measured against its bound before it is parsed or validated any further, so a
//! hostile value costs at most a length comparison, and no error quotes more than a short prefix
//! of it. The bounds leave a wide margin over what any real caller, engine or config file sends.

/// The longest container path accepted, in bytes (Linux `PATH_MAX`).
pub const MAX_PATH_LEN: usize = 4096;

/// The longest owner accepted, in bytes: a 32-byte user name, `:` and a 32-byte group name
/// (numeric IDs are at most 10 digits).
pub const MAX_OWNER_LEN: usize = 65;

/// The longest environment variable name accepted, in bytes. The variables tools read for their
/// configuration are short (`REGISTRY_AUTH_FILE`, `HELM_REGISTRY_CONFIG`).
pub const MAX_VARIABLE_NAME_LEN: usize = 255;

/// The longest string argument the module accepts, in bytes, checked before any other
/// validation: no function takes a longer one (the longest is a path, [`MAX_PATH_LEN`]). Each
/// argument then has its own, usually much smaller, bound.
pub const MAX_ARGUMENT_BYTES: usize = MAX_PATH_LEN;

/// The longest object ID (Secret, Container) accepted, in bytes, as an argument or in state. A
/// 1.0 engine hands modules handle IDs of about 100 bytes; a v0.21 engine's IDs encode the calls
/// that built the object and grow with the pipeline. The bound leaves a wide margin for both and
/// keeps one ID from turning into a request of many MiB.
pub const MAX_ID_BYTES: usize = 1024 * 1024;

/// The largest object state the module parses, in bytes of JSON, checked before parsing. A step
/// takes about 60 bytes plus its key, username and Secret ID, so the state of a config that fits
/// the engine's 128,000-byte secret limit stays far below this; parsing the largest accepted
/// state, whatever its shape, takes a few tens of MiB at most.
pub const MAX_STATE_BYTES: usize = 2 * 1024 * 1024;

/// The largest imported `config.json` accepted, in bytes, checked from its length before it is
/// parsed. Real files take a few KiB; four times the engine's 128,000-byte secret limit leaves
/// room for any file whose credentials could fit in a rendered config, plus the fields tools
/// ignore, and 32 imports of this size are exactly the 16 MiB the module reads from the engine at
/// most.
pub const MAX_IMPORT_BYTES: usize = 512 * 1024;

/// The most characters of a rejected value an error quotes (escaped, then cut with `…`).
pub const MAX_SHOWN_CHARS: usize = 100;

/// The most bytes of keys an error lists before it says how many more there are.
pub const MAX_LISTED_BYTES: usize = 300;
