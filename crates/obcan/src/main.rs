//! `obcan`: the citizen portal in one binary.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use obcan::config::Config;
use obcan::{Application, create_admin, open_store, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "obcan",
    version,
    about = "Obcan: the citizen portal for Czech public administration"
)]
struct Cli {
    /// Configuration file (TOML). Without one, the embedded demo defaults apply.
    #[arg(long, global = true, env = "OBCAN_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the portal.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080; env: OBCAN_LISTEN].
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Manage the office's staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
}

#[derive(Debug, Subcommand)]
enum StaffCommand {
    /// Create an administrator with a one-time initial password, printed
    /// here: how a fresh installation gets its first administrator.
    CreateAdmin {
        /// The login name, e.g. `jana.novakova`.
        #[arg(long, value_name = "NAME")]
        login: String,
        /// The name shown to people; the login name when not given.
        #[arg(long, value_name = "TEXT")]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Load and validate the configuration; print a summary with secrets redacted.
    Check,
    /// Print the sample configuration with every default.
    PrintDefault,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("obcan: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Config {
        command: ConfigCommand::PrintDefault,
    } = cli.command
    {
        std::io::stdout().write_all(Config::sample()?.as_bytes())?;
        return Ok(());
    }
    let mut config = Config::load(cli.config.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Serve { listen } => {
            if let Some(listen) = listen {
                config.listen = listen;
            }
            telemetry::init(&config.log);
            runtime.block_on(serve(config))
        }
        Command::Migrate => {
            telemetry::init(&config.log);
            runtime.block_on(async {
                let store = open_store(&config)?;
                store.migrate().await.context("migration failed")?;
                tracing::info!(backend = store.backend().name(), "database is up to date");
                Ok(())
            })
        }
        Command::Staff {
            command: StaffCommand::CreateAdmin { login, name },
        } => {
            telemetry::init(&config.log);
            let password = runtime.block_on(async {
                let store = open_store(&config)?;
                if config.database.migrate_on_start {
                    store.migrate().await.context("migration failed")?;
                }
                #[expect(
                    clippy::disallowed_methods,
                    reason = "a command-line tool has no AppState; this is its one clock"
                )]
                let now = jiff::Timestamp::now();
                create_admin(&store, &login, name.as_deref(), now).await
            })?;
            writeln!(
                std::io::stdout(),
                "Administrator {} created.\nInitial password (shown only now; it must be \
                 changed at the first login at /office/login): {}",
                login.trim().to_ascii_lowercase(),
                password.as_str()
            )?;
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            writeln!(std::io::stdout(), "configuration is valid\n{config:#?}")?;
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::PrintDefault,
        } => Ok(()),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(&config).await?;
    tracing::info!(
        address = %app.local_addr()?,
        mode = ?config.mode,
        database = ?config.database.url,
        "Obcan is serving"
    );
    app.run_until(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// SIGINT (Ctrl+C) or SIGTERM (service managers, orchestrators).
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl+C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
