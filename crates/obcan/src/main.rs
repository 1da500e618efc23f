//! `obcan`: the citizen portal in one binary.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use obcan::audit_stamps::{self, Stamped};
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
    /// The master key that wraps citizens' data keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Citizens' stored documents.
    Storage {
        #[command(subcommand)]
        command: StorageCommand,
    },
    /// The hash-chained audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Create a new master key in a file readable only by its owner.
    Generate {
        /// The key file to create; it must not exist yet.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Wrap every data key anew under the master key in FILE, in one
    /// transaction, without re-encrypting content. Configure FILE as
    /// secrets.master_key_file afterwards.
    Rotate {
        #[arg(long, value_name = "FILE")]
        new_key_file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum StorageCommand {
    /// Re-read every stored object and compare it with its SHA-256 taken at
    /// upload; exits non-zero when any is missing or changed.
    Verify,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the whole chain and hold its time stamps to it, verifying their
    /// tokens against audit.tsa_ca_file when set; exits non-zero at the
    /// first entry changed, removed, inserted or out of order, the first
    /// stamp whose entry is gone or differs (the end removed, the log
    /// rewritten) or whose token does not verify, and names the entry.
    Verify,
    /// Have the newest entry time-stamped now by audit.tsa_url, unless it is
    /// stamped already; exits non-zero when that fails.
    Stamp,
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
                obcan::prepare_store(&store, &config).await?;
                create_admin(&store, &login, name.as_deref(), now()).await
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
        Command::Keys {
            command: KeysCommand::Generate { out },
        } => {
            let key = obcan_store::MasterKey::generate()?;
            obcan::write_key_file(&out, &key)?;
            writeln!(
                std::io::stdout(),
                "Master key {} written to {}.",
                key.id(),
                out.display()
            )?;
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Rotate { new_key_file },
        } => {
            telemetry::init(&config.log);
            let (new, rotated) = runtime.block_on(async {
                let store = ready_store(&config).await?;
                let new = obcan::read_master_key(&new_key_file)?;
                let rotated = obcan::rotate_master_key(&store, &new, now()).await?;
                anyhow::Ok((new, rotated))
            })?;
            writeln!(
                std::io::stdout(),
                "{rotated} data keys are now wrapped by master key {}.\n\
                 Set secrets.master_key_file = {:?} (and remove the old key) before the next start.",
                new.id(),
                new_key_file.display().to_string()
            )?;
            Ok(())
        }
        Command::Storage {
            command: StorageCommand::Verify,
        } => {
            telemetry::init(&config.log);
            let report = runtime.block_on(async {
                let store = ready_store(&config).await?;
                obcan::verify_storage(&store, now()).await
            })?;
            let mut out = std::io::stdout();
            for damaged in &report.damaged {
                writeln!(
                    out,
                    "document {} ({}): {}",
                    damaged.document, damaged.owner, damaged.problem
                )?;
            }
            writeln!(
                out,
                "{} objects checked, {} damaged",
                report.checked,
                report.damaged.len()
            )?;
            if !report.damaged.is_empty() {
                anyhow::bail!("stored objects are damaged; restore them from a backup");
            }
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            telemetry::init(&config.log);
            let trusted = audit_stamps::trust_anchors(&config)?;
            let verified = runtime.block_on(async {
                let store = ready_store(&config).await?;
                anyhow::Ok(audit_stamps::verify_log(&store, trusted.as_ref()).await?)
            })?;
            let verified = verified
                .map_err(|found| anyhow::anyhow!("the audit log was tampered with: {found}"))?;
            let mut out = std::io::stdout();
            let entries = count(verified.entries, "entry", "entries");
            match &verified.last_stamp {
                None => writeln!(out, "audit log intact: {entries}; no time stamps")?,
                Some(last) => writeln!(
                    out,
                    "audit log intact: {entries}; {}, the last at {} covering entry {}",
                    count(verified.stamps, "time stamp", "time stamps"),
                    last.gen_time,
                    last.seq
                )?,
            }
            if verified.last_stamp.is_some() && trusted.is_none() {
                writeln!(
                    out,
                    "the time stamps' tokens were not verified: set audit.tsa_ca_file"
                )?;
            }
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Stamp,
        } => {
            telemetry::init(&config.log);
            let Some(authority) = audit_stamps::authority(&config)? else {
                anyhow::bail!(
                    "no time-stamping authority is configured: set audit.tsa_url and \
                     audit.tsa_ca_file (OBCAN_AUDIT_TSA_URL, OBCAN_AUDIT_TSA_CA_FILE)"
                );
            };
            let stamped = runtime.block_on(async {
                let store = ready_store(&config).await?;
                anyhow::Ok(audit_stamps::stamp_head(&store, &authority, now()).await?)
            })?;
            let mut out = std::io::stdout();
            match stamped {
                Stamped::EmptyLog => writeln!(out, "the audit log is empty: nothing to stamp")?,
                Stamped::Already(stamp) => writeln!(
                    out,
                    "entry {}, the newest, is time-stamped already: at {} (serial {})",
                    stamp.seq, stamp.gen_time, stamp.serial
                )?,
                Stamped::New(stamp) => writeln!(
                    out,
                    "entry {} time-stamped at {} (serial {})",
                    stamp.seq, stamp.gen_time, stamp.serial
                )?,
            }
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            let forms = obcan::load_forms(&config)?;
            writeln!(
                std::io::stdout(),
                "configuration is valid, with {}\n{config:#?}",
                count(forms.all().count() as u64, "form", "forms")
            )?;
            for warning in config.warnings() {
                eprintln!("warning: {warning}");
            }
            Ok(())
        }
        Command::Config {
            command: ConfigCommand::PrintDefault,
        } => Ok(()),
    }
}

/// `1 entry`, `2 entries`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The store for a command: migrated if so configured, its master key checked.
async fn ready_store(config: &Config) -> anyhow::Result<obcan_store::Store> {
    let store = open_store(config)?;
    obcan::prepare_store(&store, config).await?;
    Ok(store)
}

/// A command-line tool has no AppState; this is its one clock.
#[expect(clippy::disallowed_methods, reason = "the command line's clock")]
fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

async fn serve(config: Config) -> anyhow::Result<()> {
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
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
