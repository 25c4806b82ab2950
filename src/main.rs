//! The `registry-config` Dagger module binary: the engine runs it once per function call.

fn main() -> std::process::ExitCode {
    registry_config::module::main()
}
