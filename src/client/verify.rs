//! `verify` after the plaintexts are read: which entries to check, the checks run concurrently
//! (one [`HttpClient`] for all of them), and the result lines or the failure.

use futures::future::join_all;

use crate::core::address::RegistryKey;
use crate::core::credential::ResolvedCredential;
use crate::core::image::ImageRef;
use crate::core::render::ResolvedEntries;
use crate::core::token::Scope;
use crate::core::verify::Outcome;
use crate::error::{ArgumentProblem, VerificationProblem};
use crate::net::client::HttpClient;
use crate::net::registry::{check, Check, Login};

/// Why `verify` fails after the secrets were read.
pub(crate) enum VerifyFailure {
    /// No entry covers the image.
    NoEntry(ArgumentProblem),
    /// Some checks failed.
    Checks(VerificationProblem),
}

/// What to check: every entry, or the one entry that covers `image` with its repository's scope.
pub(crate) struct Selection<'a> {
    /// The image, if one was given.
    pub image: Option<&'a ImageRef>,
    /// With an image: prove push too.
    pub push: bool,
    /// Allow plain HTTP for hosts that are not loopback.
    pub plain_http: bool,
}

/// Checks the selected entries concurrently; one line per registry in key order, or the lines
/// of the failed ones.
pub(crate) async fn verify_entries(
    client: &HttpClient,
    entries: &ResolvedEntries,
    selection: Selection<'_>,
) -> Result<Vec<String>, VerifyFailure> {
    let (targets, scope): (Vec<(&RegistryKey, &ResolvedCredential)>, _) = match selection.image {
        None => (entries.iter().collect(), None),
        Some(image) => {
            let (key, credential) = image
                .entry_key(entries.keys())
                .and_then(|key| entries.get_key_value(key))
                .ok_or_else(|| {
                    VerifyFailure::NoEntry(ArgumentProblem::NoEntryForImage {
                        repository: image.repository().to_owned(),
                        registry: image.registry().to_string(),
                    })
                })?;
            let scope = Scope {
                repository: image.repository().to_owned(),
                push: selection.push,
            };
            (vec![(key, credential)], Some(scope))
        }
    };
    let checks = targets.iter().map(|(key, credential)| {
        let scope = scope.as_ref();
        async move {
            match Login::of(credential) {
                Err(helper) => Outcome::Skipped(helper.clone()),
                Ok(login) => {
                    let target = Check {
                        key,
                        login,
                        scope,
                        plain_http: selection.plain_http,
                    };
                    check(client, &target).await
                }
            }
        }
    });
    let outcomes = join_all(checks).await;
    let failures: Vec<String> = targets
        .iter()
        .zip(&outcomes)
        .filter(|(_, outcome)| outcome.failed())
        .map(|((key, _), outcome)| outcome.line(key))
        .collect();
    if !failures.is_empty() {
        return Err(VerifyFailure::Checks(VerificationProblem {
            failures,
            checked: targets.len(),
        }));
    }
    Ok(targets
        .iter()
        .zip(&outcomes)
        .map(|((key, _), outcome)| outcome.line(key))
        .collect())
}
