//! What a container build is made of, as the double records it: directories (as sets of file
//! paths), files (where their content comes from), cache volumes, module sources, and the
//! resolvers of `Directory`, `File`, `CacheVolume` and `ModuleSource`.
//!
//! The double runs no process inside a container, so a `withExec` is recorded with what it would
//! see (arguments, working directory, environment) and a file read from a container after it is
//! recorded by its origin: that container and path. A test can then follow a returned
//! container back to the image and build steps that produced each of its files.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::execution::Args;
use crate::store::{not_implemented, ContainerRecord, Object, Resolved, Store};

/// A `Directory`: the relative paths of the files it holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DirectoryRecord {
    /// File paths relative to the directory, `/`-separated, without `.` components.
    pub files: BTreeSet<String>,
}

impl DirectoryRecord {
    /// This directory without `path` and everything under it (`Directory.withoutDirectory`).
    fn without(&self, path: &str) -> Self {
        let removed = clean_relative(path);
        let prefix = format!("{removed}/");
        let files = self
            .files
            .iter()
            .filter(|file| removed.is_empty() || !(**file == removed || file.starts_with(&prefix)))
            .cloned()
            .collect();
        Self { files }
    }

    /// `Directory.entries(path:)`: the names directly under `path`, sorted, subdirectories with
    /// a trailing `/`; an error if nothing is there.
    fn entries(&self, path: &str) -> Result<Vec<String>, String> {
        let base = clean_relative(path);
        let prefix = if base.is_empty() {
            String::new()
        } else {
            format!("{base}/")
        };
        let entries: BTreeSet<String> = self
            .files
            .iter()
            .filter_map(|file| file.strip_prefix(&prefix))
            .map(|rest| match rest.split_once('/') {
                Some((dir, _)) => format!("{dir}/"),
                None => rest.to_owned(),
            })
            .collect();
        if entries.is_empty() && !base.is_empty() {
            return Err(format!("lstat {base}: no such file or directory"));
        }
        Ok(entries.into_iter().collect())
    }
}

/// A relative path with `.` and empty components dropped (`./target/` → `target`).
fn clean_relative(path: &str) -> String {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// A `File` and where its content comes from. The origin travels with the record (a file
/// copied into a container with `withFile` keeps it), so a leak scan can tell the test's
/// inputs from files a module made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRecord {
    /// Created by the test with these contents (`EngineDouble::seed_file`): an input.
    Seeded {
        /// The file's contents.
        contents: String,
    },
    /// Created by a request with `Query.file(name, contents)`.
    Created {
        /// `name`.
        name: String,
        /// `contents`.
        contents: String,
    },
    /// `Container.file(path)`: the file at `path` in `container` after its execs ran.
    FromContainer {
        /// The container the file was read from, as it was at that point of its chain.
        container: Box<ContainerRecord>,
        /// The path read.
        path: String,
    },
}

/// One `Container.withMountedCache`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheMountRecord {
    /// The cache volume's key (`cacheVolume(key:)`).
    pub key: String,
    /// `sharing` (`SHARED`, `PRIVATE` or `LOCKED`).
    pub sharing: String,
}

/// One `Container.withExec`, with what the process would see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecRecord {
    /// The command and its arguments.
    pub args: Vec<String>,
    /// The working directory (`withWorkdir`), if set.
    pub workdir: Option<String>,
    /// The plain environment variables.
    pub env: BTreeMap<String, String>,
    /// Cache mounts by path.
    pub caches: BTreeMap<String, CacheMountRecord>,
    /// Mounted directories by path.
    pub directories: BTreeMap<String, DirectoryRecord>,
}

/// One `Container.withFile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedFileRecord {
    /// The file copied.
    pub source: FileRecord,
    /// `permissions`, if given.
    pub permissions: Option<i64>,
    /// `owner` ("" = engine default).
    pub owner: String,
}

/// A `ModuleSource` as the engine hands it to an SDK's `moduleRuntime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModuleSourceState {
    /// `sourceSubpath`: the module's directory inside its context.
    pub subpath: String,
    /// `contextDirectory`.
    pub context: DirectoryRecord,
}

/// Fields of `Directory` objects.
pub(crate) fn resolve_directory(
    store: &mut Store,
    current: DirectoryRecord,
    field: &str,
    args: &Args,
) -> Result<Resolved, String> {
    match field {
        "withoutDirectory" => {
            let next = current.without(&args.str("path")?);
            Ok(Resolved::Object(store.insert(Object::Directory(next))))
        }
        "entries" => {
            let entries = current.entries(&args.opt_str("path")?.unwrap_or_default())?;
            Ok(Resolved::List(
                entries
                    .into_iter()
                    .map(|entry| Resolved::Scalar(Value::String(entry)))
                    .collect(),
            ))
        }
        _ => Err(not_implemented("Directory", field)),
    }
}

/// Fields of `ModuleSource` objects.
pub(crate) fn resolve_module_source(
    store: &mut Store,
    current: ModuleSourceState,
    field: &str,
) -> Result<Resolved, String> {
    match field {
        "sourceSubpath" => Ok(Resolved::Scalar(Value::String(current.subpath))),
        "contextDirectory" => Ok(Resolved::Object(
            store.insert(Object::Directory(current.context)),
        )),
        _ => Err(not_implemented("ModuleSource", field)),
    }
}

/// The `Container` fields [`resolve_container_build`] implements.
pub(crate) const CONTAINER_BUILD_FIELDS: [&str; 9] = [
    "withMountedCache",
    "withMountedDirectory",
    "withWorkdir",
    "withExec",
    "file",
    "withFile",
    "withEntrypoint",
    "withDefaultArgs",
    "withoutDefaultArgs",
];

/// The `Container` fields that build an image: caches, mounted directories, the working
/// directory, execs, files read and copied, the entrypoint.
pub(crate) fn resolve_container_build(
    store: &mut Store,
    mut next: ContainerRecord,
    field: &str,
    args: &Args,
) -> Result<Resolved, String> {
    match field {
        "withMountedCache" => {
            if args.opt_str("source")?.is_some() {
                return Err(not_implemented("Container", "withMountedCache(source:)"));
            }
            let key = store.cache_volume_key(&args.str("cache")?)?;
            let sharing = args.str("sharing")?;
            next.caches
                .insert(args.str("path")?, CacheMountRecord { key, sharing });
        }
        "withMountedDirectory" => {
            let directory = store.directory_arg(&args.str("source")?)?;
            next.directories.insert(args.str("path")?, directory);
        }
        "withWorkdir" => next.workdir = Some(args.str("path")?),
        "withExec" => {
            if args.opt_bool("useEntrypoint")? == Some(true) {
                return Err(not_implemented(
                    "Container",
                    "withExec(useEntrypoint: true)",
                ));
            }
            let exec = ExecRecord {
                args: args.str_list("args")?,
                workdir: next.workdir.clone(),
                env: next.env.clone(),
                caches: next.caches.clone(),
                directories: next.directories.clone(),
            };
            next.execs.push(exec);
        }
        "file" => {
            let file = FileRecord::FromContainer {
                container: Box::new(next),
                path: args.str("path")?,
            };
            return Ok(Resolved::Object(store.insert(Object::File(file))));
        }
        "withFile" => {
            let copied = CopiedFileRecord {
                source: store.file_arg(&args.str("source")?)?,
                permissions: args.opt_int("permissions")?,
                owner: args.opt_str("owner")?.unwrap_or_default(),
            };
            next.copied_files.insert(args.str("path")?, copied);
        }
        "withEntrypoint" => {
            next.entrypoint = args.str_list("args")?;
            if args.opt_bool("keepDefaultArgs")? != Some(true) {
                next.default_args.clear();
            }
        }
        "withDefaultArgs" => next.default_args = args.str_list("args")?,
        "withoutDefaultArgs" => next.default_args.clear(),
        _ => return Err(not_implemented("Container", field)),
    }
    Ok(Resolved::Object(store.insert(Object::Container(next))))
}
