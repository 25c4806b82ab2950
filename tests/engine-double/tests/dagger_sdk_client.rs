//! The real `dagger-sdk` 1.0.0-beta.23 client against the double: the documents its query
//! builder sends validate against the schema and execute with the expected results.

use std::sync::Arc;

use dagger_sdk::core::config::Config;
use dagger_sdk::core::connect_params::ConnectParams;
use dagger_sdk::core::graphql_client::DefaultGraphQLClient;
use dagger_sdk::{ContainerWithMountedSecretOpts, Id, Query, Secret, Selection};
use engine_double::EngineDouble;

fn client(engine: &EngineDouble) -> Query {
    let params = ConnectParams::new(u64::from(engine.port()), engine.token());
    Query {
        proc: None,
        selection: Selection::default(),
        graphql_client: Arc::new(DefaultGraphQLClient::new(&params, &Config::default())),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn sdk_documents_validate_and_execute() {
    let engine = EngineDouble::start();
    let dag = client(&engine);

    let id = dag
        .set_secret("registry-config-abc", "{\"auths\":{}}")
        .id()
        .await
        .expect("setSecret");
    assert_eq!(engine.secret(&id.0).unwrap().plaintext, "{\"auths\":{}}");

    let secret: Secret = dag.r#ref(Id(id.0.clone()));
    assert_eq!(
        secret.plaintext().await.expect("plaintext"),
        "{\"auths\":{}}"
    );
    let loaded: Secret = dag.load(Id(id.0.clone())).await.expect("load");
    assert_eq!(loaded.name().await.expect("name"), "registry-config-abc");

    let ctr = dag
        .container()
        .with_mounted_secret_opts(
            "/root/.docker/config.json",
            Id(id.0.clone()),
            ContainerWithMountedSecretOpts {
                owner: Some("1000:1000"),
                mode: Some(0o600),
                inherit_owner: None,
                expand: None,
            },
        )
        .with_env_variable("DOCKER_CONFIG", "/root/.docker")
        .id()
        .await
        .expect("container");
    let record = engine.container(&ctr.0).unwrap();
    let mount = &record.mounts["/root/.docker/config.json"];
    assert_eq!((mount.mode, mount.owner.as_str()), (0o600, "1000:1000"));
    assert_eq!(record.env["DOCKER_CONFIG"], "/root/.docker");

    // Loading an ID as the wrong type: the fragment yields no fields, so the SDK fails to
    // unpack, as against the engine.
    assert!(dag
        .load::<dagger_sdk::Container>(Id(id.0.clone()))
        .await
        .is_err());
    // Resolver errors surface as the SDK's domain errors with the double's message.
    let err = dag
        .r#ref::<Secret>(Id("bm9wZQ==".into()))
        .plaintext()
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("unknown object ID"), "{err:?}");

    let log = engine.log();
    assert!(!log.is_empty());
    assert!(log.iter().all(|e| !e.rejected), "{log:#?}");
}
