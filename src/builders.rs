//! The state builders (`with*`/`without*`) shared by the library and the module, generic over
//! the secret handle: a Dagger `Secret` in the library, a Secret ID in the module's state. They
//! validate everything that can be checked without a plaintext and never read one.

use crate::core::address::RegistryKey;
use crate::core::credential::{Credential, Username};
use crate::core::ecr::{EcrEndpoint, EcrLogin, EcrRegistry};
use crate::core::helper::{check_helper_key, HelperName};
use crate::core::plan::Plan;
use crate::error::{Error, Function, Result};

/// `withRegistryAuth`: basic auth for the normalized `address`, replacing any earlier entry.
pub(crate) fn with_registry_auth<H: Clone>(
    plan: &Plan<H>,
    address: &str,
    username: &str,
    secret: H,
) -> Result<Plan<H>> {
    const F: Function = Function::WithRegistryAuth;
    let key = parse_key(F, address)?;
    let username =
        Username::parse(username).map_err(|problem| Error::argument(F, "username", problem))?;
    Ok(with(plan, |plan| {
        plan.set(
            key,
            Credential::Basic {
                username,
                password: secret,
            },
        )
    }))
}

/// `withoutRegistryAuth`: removes the normalized `address`.
pub(crate) fn without_registry_auth<H: Clone>(plan: &Plan<H>, address: &str) -> Result<Plan<H>> {
    let key = parse_key(Function::WithoutRegistryAuth, address)?;
    Ok(with(plan, |plan| plan.remove(key)))
}

/// `withCredentialHelper`: the tool runs `docker-credential-<helper>` for the normalized
/// `address`, which must name a whole registry (tools look helpers up by host only), with a
/// helper a container can have.
pub(crate) fn with_credential_helper<H: Clone>(
    plan: &Plan<H>,
    address: &str,
    helper: &str,
) -> Result<Plan<H>> {
    const F: Function = Function::WithCredentialHelper;
    let key = parse_key(F, address)?;
    check_helper_key(&key).map_err(|problem| Error::argument(F, "address", problem))?;
    let helper = HelperName::parse_for_container(helper)
        .map_err(|problem| Error::argument(F, "helper", problem))?;
    Ok(with(plan, |plan| plan.set(key, Credential::Helper(helper))))
}

/// `withIdentityToken` and `withRegistryToken` (`function`): the `token` entry for the
/// normalized `address`, replacing any earlier entry.
pub(crate) fn with_token<H: Clone>(
    plan: &Plan<H>,
    function: Function,
    address: &str,
    token: Credential<H>,
) -> Result<Plan<H>> {
    let key = parse_key(function, address)?;
    Ok(with(plan, |plan| plan.set(key, token)))
}

/// `withDockerConfig`: merges an imported config at this point of the chain.
pub(crate) fn with_docker_config<H: Clone>(plan: &Plan<H>, config: H) -> Plan<H> {
    with(plan, |plan| plan.import(config))
}

/// A copy of `plan` with one change applied.
fn with<H: Clone>(plan: &Plan<H>, change: impl FnOnce(&mut Plan<H>)) -> Plan<H> {
    let mut plan = plan.clone();
    change(&mut plan);
    plan
}

/// Normalizes `address`, naming the function in the error.
fn parse_key(function: Function, address: &str) -> Result<RegistryKey> {
    RegistryKey::parse(address).map_err(|problem| Error::argument(function, "address", problem))
}

/// `withEcrAuth`: the ECR token the keys mint at render time for `address`, which must be an
/// ECR private registry, called on `endpoint` (`""` = the region's API endpoint). Records the
/// handles only.
pub(crate) fn with_ecr_auth<H: Clone>(
    plan: &Plan<H>,
    address: &str,
    keys: EcrKeys<H>,
    endpoint: &str,
) -> Result<Plan<H>> {
    const F: Function = Function::WithEcrAuth;
    let key = parse_key(F, address)?;
    let registry =
        EcrRegistry::parse(&key).map_err(|problem| Error::argument(F, "address", problem))?;
    let endpoint = (!endpoint.is_empty())
        .then(|| EcrEndpoint::parse(endpoint))
        .transpose()
        .map_err(|problem| Error::argument(F, "endpoint", problem))?;
    let login = EcrLogin {
        registry,
        access_key_id: keys.access_key_id,
        secret_access_key: keys.secret_access_key,
        session_token: keys.session_token,
        endpoint,
    };
    Ok(with(plan, |plan| plan.set_ecr(key, login)))
}

/// The AWS credentials of `withEcrAuth`, as handles.
pub(crate) struct EcrKeys<H> {
    /// The access key ID.
    pub access_key_id: H,
    /// The secret access key.
    pub secret_access_key: H,
    /// The session token of temporary credentials.
    pub session_token: Option<H>,
}
