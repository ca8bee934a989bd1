//! The `sagarr` binary: parses the command and hands over to the library.

use std::process::ExitCode;

use sagarr::cli::{self, Command};
use sagarr::config::Config;
use sagarr::startup::Application;

/// One allocator in every build: the image links musl, whose malloc slows a multi-threaded
/// server badly, so the binary measured here and the one in the image both use mimalloc
/// (docs/performance.md "Allocator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let command = match cli::parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::from_process_env() {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    match command {
        Command::Help(text) => {
            println!("{}", text.trim_end());
            ExitCode::SUCCESS
        }
        Command::Healthcheck => {
            let healthy =
                actix_web::rt::System::new().block_on(cli::healthcheck::check(config.bind));
            if healthy {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Serve => serve(config),
        Command::Demo => demo(config),
        Command::Refresh(target) => {
            if let Err(e) = sagarr::telemetry::init(&config.log_filter) {
                return fail(&e);
            }
            let _ = rustls::crypto::ring::default_provider().install_default();
            let code = actix_web::rt::System::new().block_on(cli::refresh::run(config, target));
            ExitCode::from(code)
        }
    }
}

#[cfg(feature = "demo")]
fn demo(config: Config) -> ExitCode {
    // The demo's fake upstreams are servers too; their start-up lines are noise here.
    let filter = if config.log_filter == "info" {
        "info,actix_server=warn"
    } else {
        &config.log_filter
    };
    if let Err(e) = sagarr::telemetry::init(filter) {
        return fail(&e);
    }
    let code = actix_web::rt::System::new().block_on(cli::demo::run(config));
    ExitCode::from(code)
}

#[cfg(not(feature = "demo"))]
fn demo(_config: Config) -> ExitCode {
    eprintln!("sagarr: this build has no demo (it was built without the `demo` feature)");
    ExitCode::from(2)
}

fn serve(config: Config) -> ExitCode {
    if let Err(e) = sagarr::telemetry::init(&config.log_filter) {
        return fail(&e);
    }
    // Exactly one TLS provider for awc; an Err means one is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    actix_web::rt::System::new().block_on(async move {
        let bind = config.bind;
        let app = match Application::build(config) {
            Ok(app) => app,
            Err(e) => return fail(&e),
        };
        tracing::info!(
            "Sagarr {} listening on {bind} (port {})",
            env!("CARGO_PKG_VERSION"),
            app.port()
        );
        match app.run_until_stopped().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e),
        }
    })
}

fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("sagarr: {error}");
    ExitCode::FAILURE
}
