//! `verify`: checks the credentials with each registry and answers with one line per registry,
//! or fails naming the registries that refused. Never cached (see [`CachePolicy::Never`]): it
//! reads the secrets, and a registry's answer changes without any argument changing.

use dagger_sdk::{File, Id};
use serde_json::{json, Value};

use crate::client::opts::VerifyOpts;
use crate::module::declaration::{
    optional, ArgDefault, CachePolicy, Declaration, Invocation, Type,
};
use crate::module::error::ModuleError;
use crate::module::state;
use crate::names::Function;

/// `verify(image, push, plainHttp, caCertificates)`.
pub(super) const VERIFY: Declaration = Declaration {
    function: Function::Verify,
    description: "Checks that the credentials work before a pipeline needs them, the way docker login does but without its false passes: GET /v2/, then the credentials on a Basic challenge, or a token from the Bearer challenge's realm; only a 200 passes. Returns one line per registry (\"<key>: ok\", \"<key>: skipped (credential helper <name> runs in the container)\") and fails naming each registry that refused (HTTP status and registry error code), failed TLS or could not be reached, never a secret. Registries are checked concurrently, each within 15 seconds.",
    returns: Type::StringList,
    args: &[
        optional("image", Type::String, ArgDefault::Str(""), "An image (host[:port]/repository, a tag or digest is ignored): check only the entry that covers it, asking for the repository's pull scope (and push with push). Empty checks every entry."),
        optional("push", Type::Boolean, ArgDefault::Bool(false), "With image: also prove push on the repository (from the token's granted access, or by opening a blob upload and cancelling it)."),
        optional("plainHttp", Type::Boolean, ArgDefault::Bool(false), "Allow plain HTTP, after HTTPS failed, for registries that are not loopback hosts (loopback hosts always may, as with docker)."),
        optional("caCertificates", Type::File, ArgDefault::Absent, "A PEM bundle of CA certificates to trust besides the public roots, for registries with a private CA."),
    ],
    cache: CachePolicy::Never,
    handler: |call| Box::pin(verify(call)),
};

async fn verify(call: Invocation<'_>) -> Result<Value, ModuleError> {
    let plan = state::decode_config(Function::Verify, call.parent)?;
    let ca_certificates: Option<File> = call
        .args
        .optional_id("caCertificates")?
        .map(|id| call.dag.r#ref(Id(id)));
    let opts = VerifyOpts {
        image: call.args.non_empty("image")?,
        push: call.args.boolean("push")?,
        plain_http: call.args.boolean("plainHttp")?,
        ca_certificates: ca_certificates.as_ref(),
    };
    let lines = state::library(call.dag, &plan)
        .verify_opts(call.dag, opts)
        .await?;
    Ok(json!(lines))
}
