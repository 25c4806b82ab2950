//! Hello world with `dagger-sdk`: connect to the session and print the engine version.

#[tokio::main(flavor = "current_thread")]
async fn main() -> eyre::Result<()> {
    dagger_sdk::connect(|dag| async move {
        println!("engine {}", dag.version().await?);
        Ok(())
    })
    .await?;
    Ok(())
}
