//! A Rust pipeline that pushes with crane using credentials from the environment, without the
//! token ever reaching a layer, the cache or a log.
//!
//! Run it against a Dagger engine (e.g. `dagger run cargo run --example pipeline`) with
//! `GITHUB_USER` and `GITHUB_TOKEN` set.

use registry_config::opts::MountSecretOpts;
use registry_config::RegistryConfig;

#[tokio::main(flavor = "current_thread")]
async fn main() -> eyre::Result<()> {
    let user = std::env::var("GITHUB_USER")?;
    dagger_sdk::connect(move |dag| async move {
        let token = dag.secret("env:GITHUB_TOKEN");
        let config = RegistryConfig::new()
            .with_registry_auth("ghcr.io", &user, token)?
            .without_registry_auth("docker.io")?;
        println!("registries: {:?}", config.registries(&dag).await?);

        let crane = dag
            .container()
            .from("gcr.io/go-containerregistry/crane:debug");
        let crane = config.mount_docker_config(&dag, &crane).await?;
        // Skopeo reads a file it is pointed at: mount it where --authfile names it.
        let skopeo = dag.container().from("quay.io/skopeo/stable:v1.18");
        let skopeo = config
            .mount_secret_opts(
                &dag,
                &skopeo,
                MountSecretOpts {
                    path: Some("/auth/config.json"),
                    ..Default::default()
                },
            )
            .await?;
        let tags = crane
            .with_exec(vec!["crane", "ls", &format!("ghcr.io/{user}/app")])
            .stdout()
            .await?;
        println!("{tags}");
        let digest = skopeo
            .with_exec(vec![
                "skopeo",
                "inspect",
                "--authfile",
                "/auth/config.json",
                "--format",
                "{{.Digest}}",
                &format!("docker://ghcr.io/{user}/app:latest"),
            ])
            .stdout()
            .await?;
        println!("{digest}");
        Ok(())
    })
    .await?;
    Ok(())
}
