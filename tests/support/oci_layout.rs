//! A deterministic one-layer OCI image layout, built by hand in a temp dir:
//! `oci-layout`, `index.json` (ref.name `v1`), and under `blobs/sha256/` the
//! layer (gzip of a tar holding one file), the image config and the manifest.
//! The same bytes (and so the same manifest digest) come out on every run.
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The tag the layout's index names (`org.opencontainers.image.ref.name`).
pub const REF_NAME: &str = "v1";
/// The single file in the layer.
pub const FILE_NAME: &str = "hello.txt";
/// Its content.
pub const FILE_CONTENT: &[u8] = b"hello from registry-config\n";

/// An OCI image layout on disk; removed on drop.
pub struct OciLayout {
    /// Owns the layout directory.
    dir: tempfile::TempDir,
    /// `sha256:...` of the manifest.
    pub manifest_digest: String,
    /// `sha256:...` of the gzip-compressed layer.
    pub layer_digest: String,
    /// `sha256:...` of the image config.
    pub config_digest: String,
}

impl OciLayout {
    /// Builds the layout in a new temp dir.
    pub fn build() -> OciLayout {
        let dir = tempfile::Builder::new()
            .prefix("registry-config-oci-")
            .tempdir()
            .expect("create OCI layout temp dir");
        let root = dir.path();
        let blobs = root.join("blobs/sha256");
        fs::create_dir_all(&blobs).expect("mkdir blobs/sha256");

        let tar = layer_tar();
        let diff_id = sha256(&tar);
        let layer = gzip(&tar);
        let layer_digest = put_blob(&blobs, &layer);

        let config = format!(
            r#"{{"architecture":"amd64","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["{diff_id}"]}}}}"#
        );
        let config_digest = put_blob(&blobs, config.as_bytes());

        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{config_size}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{layer_digest}","size":{layer_size}}}]}}"#,
            config_size = config.len(),
            layer_size = layer.len(),
        );
        let manifest_digest = put_blob(&blobs, manifest.as_bytes());

        fs::write(root.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#)
            .expect("write oci-layout");
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{manifest_digest}","size":{size},"annotations":{{"org.opencontainers.image.ref.name":"{REF_NAME}"}}}}]}}"#,
            size = manifest.len(),
        );
        fs::write(root.join("index.json"), index).expect("write index.json");

        OciLayout {
            dir,
            manifest_digest,
            layer_digest,
            config_digest,
        }
    }

    /// The layout directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The skopeo transport reference: `oci:<dir>:v1`.
    pub fn skopeo_ref(&self) -> String {
        format!("oci:{}:{REF_NAME}", self.dir.path().display())
    }

    /// Path of a blob of this layout by digest (`sha256:...`).
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").expect("sha256 digest");
        self.dir.path().join("blobs/sha256").join(hex)
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Writes `bytes` as a content-addressed blob; returns its digest.
fn put_blob(blobs: &Path, bytes: &[u8]) -> String {
    let digest = sha256(bytes);
    let hex = digest.strip_prefix("sha256:").expect("sha256 prefix");
    fs::write(blobs.join(hex), bytes).expect("write blob");
    digest
}

/// A tar with [`FILE_NAME`]: mode 0644, uid/gid 0, mtime 0 (deterministic).
fn layer_tar() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_ustar();
    header.set_path(FILE_NAME).expect("tar path");
    header.set_size(FILE_CONTENT.len() as u64);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    builder
        .append(&header, FILE_CONTENT)
        .expect("append tar entry");
    builder.into_inner().expect("finish tar")
}

/// gzip with no file name and mtime 0 in the header (deterministic).
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip write");
    encoder.finish().expect("gzip finish")
}
