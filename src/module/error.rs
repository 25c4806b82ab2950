//! The module layer's errors: the library's [`Error`] plus what only the protocol can get wrong
//! (arguments the engine sent, state it handed back, the call itself). Messages name the function
//! and the argument, never a value.

use crate::error::{EngineProblem, Error};
use crate::names::Function;

/// Why a call failed; its message is what the engine shows the caller.
#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    /// The library refused the input or failed.
    #[error(transparent)]
    Library(#[from] Error),
    /// A required argument was not sent.
    #[error(
        "{function}: argument {argument} is missing (the engine sends every required argument)"
    )]
    MissingArgument {
        /// Where.
        function: Function,
        /// Which argument.
        argument: &'static str,
    },
    /// An argument of the wrong JSON type.
    #[error("{function}: argument {argument} must be {expected}")]
    WrongType {
        /// Where.
        function: Function,
        /// Which argument.
        argument: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// A string argument longer than any accepted value.
    #[error("{function}: argument {argument} is {len} bytes long; at most {max} are accepted")]
    ArgumentTooLong {
        /// Where.
        function: Function,
        /// Which argument.
        argument: &'static str,
        /// Length in bytes.
        len: usize,
        /// The bound in bytes.
        max: usize,
    },
    /// An argument whose JSON text alone is longer than any accepted value can take; refused
    /// before it is parsed.
    #[error("{function}: argument {argument} takes {len} bytes as the engine encoded it; no accepted value takes more than {max} bytes")]
    EncodedArgumentTooLong {
        /// Where.
        function: Function,
        /// Which argument.
        argument: &'static str,
        /// Length of the JSON text in bytes.
        len: usize,
        /// The bound on the value in bytes.
        max: usize,
    },
    /// An argument value that is not JSON (the engine always encodes values as JSON).
    #[error("{function}: argument {argument}: the engine sent a value that is not JSON")]
    ArgumentNotJson {
        /// Where.
        function: Function,
        /// Which argument.
        argument: &'static str,
    },
    /// An object ID that is the empty string.
    #[error("{function}: argument {argument}: expected a {type_name} ID, got an empty string")]
    EmptyId {
        /// Where.
        function: Function,
        /// Which argument.
        argument: &'static str,
        /// The object type expected.
        type_name: &'static str,
    },
    /// A handler read an argument its declaration does not have (a bug the tests catch).
    #[error("internal error: {function} reads argument {argument}, which it does not declare")]
    Undeclared {
        /// Where.
        function: Function,
        /// Which argument.
        argument: &'static str,
    },
    /// The parent object's state is not what this module writes.
    #[error("{function}: {problem}")]
    State {
        /// Where.
        function: Function,
        /// What is wrong (step and field, never a value).
        problem: String,
    },
    /// The engine failed a request that carried no secret.
    #[error("{function}: {problem}")]
    Engine {
        /// Where.
        function: Function,
        /// What failed.
        problem: EngineProblem,
    },
    /// A function this module does not have.
    #[error("unknown function {object}.{name}: this module serves RegistryConfig and SecretMount.mount (see the registered functions)")]
    UnknownFunction {
        /// The object named by the call.
        object: String,
        /// The function named by the call.
        name: String,
    },
    /// Registration failed (the engine refused or did not answer a type definition).
    #[error("{0}")]
    Registration(String),
    /// The call itself could not be read.
    #[error("cannot read the function call from the engine: {0}")]
    Envelope(String),
    /// State that this module built could not be encoded (a bug).
    #[error("internal error: the {0} state could not be encoded")]
    Encoding(&'static str),
}
