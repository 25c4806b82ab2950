//! The credential set as a caller builds it: an ordered list of steps that hold secret *handles*,
//! never plaintexts. Building it is cheap and leak-free; [`Plan::resolve`] turns it into the final
//! entries once the plaintexts have been read.

use std::collections::{BTreeMap, HashSet};

use super::address::RegistryKey;
use super::credential::{Credential, Username};
use super::ecr::EcrLogin;
use super::helper::HelperName;
use super::import::{parse_docker_config, ImportError, Imported};
use super::plaintext::Plaintext;
use super::render::{
    entry_len, key_prefix_len, ResolvedEntries, ENVELOPE_LEN, MAX_CONFIG_BYTES, MIN_BODY_LEN,
    MIN_TOKEN_LITERAL_LEN,
};
use super::shown::listed;

/// One step of the chain, in call order. `H` is the secret handle type (a Dagger `Secret` in the
/// library, a Secret ID in the module's state).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step<H> {
    /// Set the credential for a key (replacing any earlier one).
    Set {
        /// The normalized key.
        key: RegistryKey,
        /// The credential, with its secret as a handle.
        credential: Credential<H>,
    },
    /// Set the key to the Amazon ECR token its login mints when the config is rendered.
    Ecr {
        /// The normalized key (an ECR registry).
        key: RegistryKey,
        /// What signs the token request, and where it goes.
        login: EcrLogin<H>,
    },
    /// Remove the key, including a copy an earlier import brought in.
    Remove {
        /// The normalized key.
        key: RegistryKey,
    },
    /// Merge the `auths` of an existing `config.json` held in a secret.
    Import {
        /// The secret holding the file.
        config: H,
    },
}

/// An immutable-by-convention, ordered credential plan. Later steps win.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan<H> {
    steps: Vec<Step<H>>,
}

impl<H> Default for Plan<H> {
    fn default() -> Self {
        Self { steps: Vec::new() }
    }
}

/// The most `withDockerConfig` imports one plan may hold. Each is read whole when the config is
/// rendered, and a pipeline merges one or two; the bound keeps a tampered state from making one
/// call read an unbounded number of files.
pub const MAX_IMPORTS: usize = 32;

impl<H> Plan<H> {
    /// Rebuilds a plan from steps (e.g. decoded module state) with the result of applying them
    /// in order as the builders do: only the last set/remove step of each key is kept (a removal
    /// only after an import, which it may undo), so a tampered state cannot make rendering read
    /// secrets whose entries cannot survive. Linear in the number of steps.
    pub fn from_steps(steps: Vec<Step<H>>) -> Self {
        let mut later_keys = HashSet::new();
        let mut kept: Vec<Step<H>> = steps
            .into_iter()
            .rev()
            .filter(|step| match step {
                Step::Set { key, .. } | Step::Ecr { key, .. } | Step::Remove { key } => {
                    later_keys.insert(key.clone())
                }
                Step::Import { .. } => true,
            })
            .collect();
        kept.reverse();
        let mut imported = false;
        kept.retain(|step| match step {
            Step::Import { .. } => {
                imported = true;
                true
            }
            Step::Remove { .. } => imported,
            Step::Set { .. } | Step::Ecr { .. } => true,
        });
        Self { steps: kept }
    }

    /// The steps, in call order.
    pub fn steps(&self) -> &[Step<H>] {
        &self.steps
    }

    /// Sets `key` to `credential`. Earlier set/remove steps for the same key can no longer affect
    /// the result, so they are dropped and the state stays small.
    pub fn set(&mut self, key: RegistryKey, credential: Credential<H>) {
        self.forget(&key);
        self.steps.push(Step::Set { key, credential });
    }

    /// Sets `key` to the ECR token `login` mints at render time, replacing earlier steps for it.
    pub fn set_ecr(&mut self, key: RegistryKey, login: EcrLogin<H>) {
        self.forget(&key);
        self.steps.push(Step::Ecr { key, login });
    }

    /// Removes `key`. A removal is recorded only when an earlier import could have brought the
    /// key in; otherwise dropping the earlier steps is enough.
    pub fn remove(&mut self, key: RegistryKey) {
        self.forget(&key);
        if self.has_import() {
            self.steps.push(Step::Remove { key });
        }
    }

    /// Merges an imported config at this point of the chain.
    pub fn import(&mut self, config: H) {
        self.steps.push(Step::Import { config });
    }

    /// Whether the plan renders no entry whatever its secrets hold: it sets nothing (no
    /// credential, no helper) and imports nothing. Such a plan needs no read to know it.
    pub fn is_empty(&self) -> bool {
        !self
            .steps
            .iter()
            .any(|step| matches!(step, Step::Set { .. } | Step::Import { .. }))
    }

    /// Whether any step imports a config (whose keys are only known once it is read).
    pub fn has_import(&self) -> bool {
        self.steps
            .iter()
            .any(|step| matches!(step, Step::Import { .. }))
    }

    /// The same plan with every handle converted (e.g. Secret IDs into Dagger `Secret`s).
    pub fn map_handles<T>(&self, mut convert: impl FnMut(&H) -> T) -> Plan<T> {
        let steps = self
            .steps
            .iter()
            .map(|step| match step {
                Step::Set { key, credential } => Step::Set {
                    key: key.clone(),
                    credential: credential.map_secret(&mut convert),
                },
                Step::Ecr { key, login } => Step::Ecr {
                    key: key.clone(),
                    login: login.map_secrets(&mut convert),
                },
                Step::Remove { key } => Step::Remove { key: key.clone() },
                Step::Import { config } => Step::Import {
                    config: convert(config),
                },
            })
            .collect();
        Plan { steps }
    }

    /// How many configs the plan imports.
    pub fn import_count(&self) -> usize {
        self.steps
            .iter()
            .filter(|step| matches!(step, Step::Import { .. }))
            .count()
    }

    /// A lower bound of the rendered size in bytes, from what is known without reading any
    /// secret: the keys, the usernames and the kinds of the entries set directly (an import's
    /// entries are unknown and counted as nothing; one after a step may change that entry's kind,
    /// so such an entry counts as the shortest entry there is). If even this exceeds the engine's
    /// limit, rendering can fail before reading anything.
    pub fn min_rendered_len(&self) -> usize {
        let last_import = self
            .steps
            .iter()
            .rposition(|step| matches!(step, Step::Import { .. }));
        let mut entries = 0usize;
        let mut total = ENVELOPE_LEN;
        for (index, step) in self.steps.iter().enumerate() {
            // A later import may put any entry in its place; otherwise the entry renders at least
            // with an empty password or a one-letter token, and an ECR entry as user `AWS` with a
            // one-letter password (a token with an empty one is refused).
            let entry = match step {
                Step::Set { key, .. } | Step::Ecr { key, .. }
                    if last_import.is_some_and(|import| import > index) =>
                {
                    key_prefix_len(key).saturating_add(MIN_BODY_LEN)
                }
                Step::Set { key, credential } if credential.is_token() => {
                    entry_len(key, credential, MIN_TOKEN_LITERAL_LEN)
                }
                Step::Set { key, credential } => entry_len(key, credential, 0),
                Step::Ecr { key, .. } => entry_len(key, &ecr_credential(), 1),
                Step::Remove { .. } | Step::Import { .. } => continue,
            };
            // `"key":body`, and a comma before every entry but the first.
            total = total
                .saturating_add(entry)
                .saturating_add(usize::from(entries > 0));
            entries += 1;
        }
        total
    }

    /// Fails when the plan cannot render whatever its secrets hold: more imports than
    /// [`MAX_IMPORTS`], or keys and usernames that alone exceed the engine's secret limit. Checked
    /// before any secret is read, so such a plan costs no engine request.
    pub fn check_bounds(&self) -> Result<(), ResolveError> {
        let imports = self.import_count();
        if imports > MAX_IMPORTS {
            return Err(ResolveError::TooManyImports { count: imports });
        }
        let at_least = self.min_rendered_len();
        if at_least > MAX_CONFIG_BYTES {
            return Err(ResolveError::CannotFit {
                at_least_kib: at_least / 1024,
            });
        }
        Ok(())
    }

    /// Every secret handle, in step order: the plaintexts [`Plan::resolve`] expects, one each.
    pub fn handles(&self) -> Vec<&H> {
        self.steps
            .iter()
            .flat_map(|step| match step {
                Step::Set { credential, .. } => credential.secret().into_iter().collect(),
                Step::Ecr { login, .. } => login.secrets().collect(),
                Step::Import { config } => vec![config],
                Step::Remove { .. } => Vec::new(),
            })
            .collect()
    }

    /// The handles of imported configs, in step order: what [`Plan::keys`] expects.
    pub fn import_handles(&self) -> Vec<&H> {
        self.steps
            .iter()
            .filter_map(|step| match step {
                Step::Import { config } => Some(config),
                _ => None,
            })
            .collect()
    }

    /// The final normalized keys, sorted, given the plaintexts of [`Plan::import_handles`]. Reads
    /// no password: only imported configs are needed to know the keys.
    pub fn keys(&self, imported_configs: Vec<Plaintext>) -> Result<Vec<RegistryKey>, ResolveError> {
        expect_count(self.import_handles().len(), imported_configs.len())?;
        let mut configs = imported_configs.into_iter();
        let mut keys = std::collections::BTreeSet::new();
        let mut import_index = 0;
        for step in &self.steps {
            match step {
                Step::Set { key, .. } | Step::Ecr { key, .. } => {
                    keys.insert(key.clone());
                }
                Step::Remove { key } => {
                    keys.remove(key);
                }
                Step::Import { .. } => {
                    import_index += 1;
                    if let Some(config) = configs.next() {
                        let imported = parse_import(import_index, &config)?;
                        keys.extend(imported.into_iter().map(|(key, _)| key));
                    }
                }
            }
        }
        Ok(keys.into_iter().collect())
    }

    /// Applies the steps in order with the plaintexts read for [`Plan::handles`]; a password or
    /// token set by a step loses one trailing `\n` or `\r\n`. Fails on an
    /// imported config that cannot be parsed, naming which import it was (1-based), and when an
    /// imported entry whose credential is in a credential store was not replaced or removed by a
    /// later step. Plans with ECR entries need [`Plan::resolve_logins`] (their tokens are minted
    /// over the network); here they fail with [`ResolveError::Unminted`].
    pub fn resolve(&self, plaintexts: Vec<Plaintext>) -> Result<ResolvedEntries, ResolveError> {
        let resolution = self.resolve_logins(plaintexts)?;
        if !resolution.logins.is_empty() {
            let keys = resolution.logins.keys().map(|k| k.as_str().to_owned());
            return Err(ResolveError::Unminted {
                keys: keys.collect(),
            });
        }
        Ok(resolution.entries)
    }

    /// [`Plan::resolve`] that keeps the ECR logins whose entries survive the later steps apart,
    /// with their secrets read, for their tokens to be minted and added with
    /// [`Resolution::complete`].
    pub fn resolve_logins(&self, plaintexts: Vec<Plaintext>) -> Result<Resolution, ResolveError> {
        expect_count(self.handles().len(), plaintexts.len())?;
        let mut plaintexts = plaintexts.into_iter();
        let mut entries: ResolvedEntries = BTreeMap::new();
        let mut logins: BTreeMap<RegistryKey, EcrLogin<Plaintext>> = BTreeMap::new();
        let mut in_store: BTreeMap<RegistryKey, HelperName> = BTreeMap::new();
        let mut import_index = 0;
        for step in &self.steps {
            match step {
                Step::Set { key, credential } => {
                    // A helper has no secret, so it takes no plaintext. A password or token
                    // passed directly loses one trailing line ending (see `without_line_ending`);
                    // an imported config's values are taken as they are, as docker does.
                    let resolved = credential
                        .map_secret(|_| plaintexts.next().map(Plaintext::without_line_ending))
                        .transpose();
                    in_store.remove(key);
                    logins.remove(key);
                    if let Some(resolved) = resolved {
                        entries.insert(key.clone(), resolved);
                    }
                }
                Step::Ecr { key, login } => {
                    let resolved = login.map_secrets(|_| plaintexts.next()).transpose();
                    in_store.remove(key);
                    entries.remove(key);
                    if let Some(resolved) = resolved {
                        logins.insert(key.clone(), resolved);
                    }
                }
                Step::Remove { key } => {
                    entries.remove(key);
                    in_store.remove(key);
                    logins.remove(key);
                }
                Step::Import { .. } => {
                    import_index += 1;
                    let Some(config) = plaintexts.next() else {
                        continue;
                    };
                    for (key, entry) in parse_import(import_index, &config)? {
                        logins.remove(&key);
                        match entry {
                            Imported::Credential(credential) => {
                                in_store.remove(&key);
                                entries.insert(key, credential);
                            }
                            Imported::InStore(store) => {
                                entries.remove(&key);
                                in_store.insert(key, store);
                            }
                        }
                    }
                }
            }
        }
        check_in_store(&in_store)?;
        Ok(Resolution { entries, logins })
    }

    /// Drops earlier set/remove steps for `key`.
    fn forget(&mut self, key: &RegistryKey) {
        self.steps.retain(|step| match step {
            Step::Set { key: k, .. } | Step::Ecr { key: k, .. } | Step::Remove { key: k } => {
                k != key
            }
            Step::Import { .. } => true,
        });
    }
}

/// A resolved plan whose ECR entries still need their tokens.
#[derive(Debug)]
pub struct Resolution {
    /// Every other entry, resolved.
    pub entries: ResolvedEntries,
    /// The ECR logins, by key, with their secrets read.
    pub logins: BTreeMap<RegistryKey, EcrLogin<Plaintext>>,
}

impl Resolution {
    /// The final entries, with `minted[i]` as the entry of the `i`-th login in key order (the
    /// `AWS` login its token stands for). The exact rendered size follows from these, so it
    /// counts each token's real length.
    pub fn complete(
        self,
        minted: Vec<Credential<Plaintext>>,
    ) -> Result<ResolvedEntries, ResolveError> {
        expect_count(self.logins.len(), minted.len())?;
        let mut entries = self.entries;
        entries.extend(self.logins.into_keys().zip(minted));
        Ok(entries)
    }
}

/// The credential an ECR entry renders as, without its password.
fn ecr_credential() -> Credential<()> {
    Credential::Basic {
        username: Username::aws(),
        password: (),
    }
}

/// The entries of the `index`-th import (1-based), or why it is invalid.
fn parse_import(
    index: usize,
    config: &Plaintext,
) -> Result<Vec<(RegistryKey, Imported)>, ResolveError> {
    parse_docker_config(config.expose()).map_err(|problem| ResolveError::Import { index, problem })
}

/// Fails when entries whose credentials are in a credential store are left: the config would
/// silently lack them, and the tool in the container would get a 401 much later.
fn check_in_store(in_store: &BTreeMap<RegistryKey, HelperName>) -> Result<(), ResolveError> {
    if in_store.is_empty() {
        return Ok(());
    }
    let keys = in_store.keys().map(|key| key.as_str().to_owned()).collect();
    let mut stores: Vec<String> = in_store.values().map(|s| s.as_str().to_owned()).collect();
    stores.sort();
    stores.dedup();
    Err(ResolveError::InCredentialStore { keys, stores })
}

/// The engine answered `got` plaintexts where `expected` were asked for.
fn expect_count(expected: usize, got: usize) -> Result<(), ResolveError> {
    if got == expected {
        Ok(())
    } else {
        Err(ResolveError::Count { expected, got })
    }
}

/// Why a plan could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// An imported config (the `index`-th `withDockerConfig`, 1-based) is malformed.
    #[error("the config given to withDockerConfig call #{index} is invalid: {problem}")]
    Import {
        /// Which import, 1-based in call order.
        index: usize,
        /// What is wrong with it.
        problem: ImportError,
    },
    /// Imported entries whose credentials are in a credential store or desktop-only helper of
    /// another machine.
    #[error("the imported config keeps the credentials for {} in the credential store or desktop-only helper {} of the machine that wrote it, which no container can reach; pass each with withRegistryAuth or withCredentialHelper after withDockerConfig, or drop it with withoutRegistryAuth", listed(.keys), listed(.stores))]
    InCredentialStore {
        /// The keys, sorted.
        keys: Vec<String>,
        /// The stores (`credsStore`) or desktop-only helpers (`credHelpers`) they are in, sorted.
        stores: Vec<String>,
    },
    /// More imports than [`MAX_IMPORTS`].
    #[error("the config imports {count} files with withDockerConfig; at most {MAX_IMPORTS} are accepted")]
    TooManyImports {
        /// How many imports the plan holds.
        count: usize,
    },
    /// The keys and usernames alone exceed the engine's secret limit.
    #[error("the registry keys and usernames alone take at least {at_least_kib} KiB, over the engine's {MAX_CONFIG_BYTES}-byte secret limit; split the registries across several configs")]
    CannotFit {
        /// The lower bound of the rendered size, in whole KiB.
        at_least_kib: usize,
    },
    /// [`Plan::resolve`] on a plan with ECR entries, whose tokens need a network call.
    #[error("internal error: the ECR entries {keys:?} were not minted")]
    Unminted {
        /// The keys.
        keys: Vec<String>,
    },
    /// The engine answered a different number of plaintexts than were asked for.
    #[error("expected {expected} secret values from the engine, got {got}")]
    Count {
        /// How many were asked for.
        expected: usize,
        /// How many arrived.
        got: usize,
    },
}
