//! `frontdoor`: the one binary. Run with no arguments it serves the demo council, seeding
//! demo data into an empty database first; the subcommands are for real deployments.

mod data_protection;
mod demo;
mod history;
mod outbox;
mod place;
mod readability;
mod retention;
mod settings;
mod triage;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use frontdoor_domain::Catalogue;
use frontdoor_store::{NewStaff, Store};
use frontdoor_web::{AppState, WebSettings};
use settings::Settings;
use std::io::Read;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "frontdoor",
    version,
    about = "One digital front door for a council's residents"
)]
struct Cli {
    /// Settings file (TOML); FRONTDOOR_* environment variables override it.
    #[arg(long, global = true, default_value = "frontdoor.toml")]
    config: PathBuf,
    /// Database URL: sqlite://data/frontdoor.db (embedded) or postgres://USER@HOST/DATABASE
    #[arg(long, global = true)]
    database: Option<String>,
    /// The council's service catalogue (TOML); the demo council's is built in.
    #[arg(long, global = true)]
    catalogue: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal, console and API.
    Serve {
        /// Address to listen on.
        #[arg(long)]
        addr: Option<String>,
        /// Seed demo data and a demo sign-in if the database has no cases.
        #[arg(long)]
        demo: bool,
        /// Also accept mail from the council's relay over SMTP on this address, e.g. 127.0.0.1:2525.
        #[arg(long)]
        smtp: Option<String>,
    },
    /// File one inbound message: `ingest email [FILE]` reads a raw email (RFC 5322) from
    /// FILE or standard input and prints the case it opened or joined.
    Ingest {
        #[command(subcommand)]
        what: IngestCommand,
    },
    /// Create or update the database schema, then exit.
    Migrate,
    /// Add demo residents, cases and demo staff sign-ins. With --residents, years of
    /// history for the management dashboard instead (into an empty database).
    Demo {
        /// How many demo cases to create.
        #[arg(long, default_value_t = 300)]
        cases: usize,
        /// Residents of the invented council: about 8.6 contacts each a year.
        #[arg(long)]
        residents: Option<usize>,
        /// Years of history, with --residents.
        #[arg(long, default_value_t = 3)]
        years: u32,
    },
    /// Management information: `mi rebuild` recomputes the dashboard's rollups.
    Mi {
        #[command(subcommand)]
        command: MiCommand,
    },
    /// Data retention: `retention run` anonymises closed cases kept longer than their
    /// service's retention period.
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
    /// Triage free text: JSON lines on stdin to decisions on stdout; `train` and `eval`.
    Triage(triage::TriageArgs),
    /// Load data from files: `import gazetteer FILE`.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Open311 partner access: `open311 key --name NAME` prints a new API key.
    Open311 {
        #[command(subcommand)]
        command: Open311Command,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Everything held on one resident, as JSON, for a subject-access request; the
    /// administrator named by --by is recorded on the audit trail.
    SubjectAccess {
        /// The resident number, as on the console's resident page.
        #[arg(long)]
        resident: i64,
        /// The email address of the administrator making the export.
        #[arg(long)]
        by: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Erase a resident on request: anonymise each of their cases that the law lets go
    /// now and say why each other is kept; recorded on the audit trail.
    Erase {
        /// The resident number, as on the console's resident page.
        #[arg(long)]
        resident: i64,
        /// The email address of the administrator acting on the request.
        #[arg(long)]
        by: String,
    },
    /// Measure the reading age of the guidance residents read (target: 9 or under).
    Readability {
        /// Exit with an error if any page's guidance reads older than 9.
        #[arg(long)]
        strict: bool,
    },
}

#[derive(Subcommand)]
enum MiCommand {
    /// Recompute every rollup from contacts, cases and survey answers.
    Rebuild,
}

#[derive(Subcommand)]
enum IngestCommand {
    /// A raw email message; exits non-zero if it could not be read (it is then quarantined).
    Email { file: Option<PathBuf> },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Add or update gazetteer addresses from a CSV file with the header
    /// uprn,line1,line2,town,postcode,street,lat,lon (WGS 84 decimal degrees).
    Gazetteer { file: PathBuf },
}

#[derive(Subcommand)]
enum Open311Command {
    /// Register a partner system and print its API key (shown once; only a hash is kept).
    Key {
        /// Who the key is for, e.g. "FixMyStreet".
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a member of staff, or reset their password; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Team slug from the catalogue, e.g. waste.
        #[arg(long)]
        team: String,
        #[arg(long, default_value = "officer", value_parser = ["agent", "officer", "team-lead", "manager", "admin"])]
        role: String,
    },
    /// Print a new API token for a member of staff (valid 90 days).
    Token {
        #[arg(long)]
        email: String,
    },
}

#[tokio::main]
async fn main() {
    init_logging();
    if let Err(error) = run(Cli::parse()).await {
        eprintln!("frontdoor: {error:#}");
        std::process::exit(1);
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Logs go to standard error: standard output carries what commands are asked for
    // (subject-access JSON, triage decisions, counts) and must stay clean to pipe.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> Result<()> {
    let mut settings = Settings::load(&cli.config)?;
    if let Some(database) = cli.database {
        settings.database = database;
    }
    if let Some(catalogue) = cli.catalogue {
        settings.catalogue = Some(catalogue);
    }
    match cli.command {
        None => serve(settings, true).await,
        Some(Command::Serve { addr, demo, smtp }) => {
            if let Some(addr) = addr {
                settings.addr = addr;
            }
            if smtp.is_some() {
                settings.smtp_listen = smtp;
            }
            serve(settings, demo).await
        }
        Some(Command::Ingest {
            what: IngestCommand::Email { file },
        }) => ingest_email(settings, file).await,
        Some(Command::Migrate) => {
            open_store(&settings).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Some(Command::Demo {
            cases,
            residents: None,
            ..
        }) => {
            let (store, catalogue) = open_all(&settings).await?;
            let area = place::load_area(&settings, &catalogue)?;
            let sign_in = seed_demo(&store, &catalogue, area.as_ref(), cases).await?;
            print_sign_in(&sign_in, &settings.addr);
            Ok(())
        }
        Some(Command::Demo {
            residents: Some(residents),
            years,
            ..
        }) => demo_history(settings, residents, years).await,
        Some(Command::Mi {
            command: MiCommand::Rebuild,
        }) => {
            let store = open_store(&settings).await?;
            let started = std::time::Instant::now();
            let contacts = store.rebuild_rollups().await?;
            println!(
                "Rebuilt the dashboard's rollups from {contacts} contacts in {:.1} s.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Some(Command::Import {
            what: ImportCommand::Gazetteer { file },
        }) => {
            let store = open_store(&settings).await?;
            let count = place::import_gazetteer(&store, &file).await?;
            println!("Imported {count} addresses into the gazetteer.");
            Ok(())
        }
        Some(Command::Open311 {
            command: Open311Command::Key { name },
        }) => {
            let store = open_store(&settings).await?;
            if name.trim().is_empty() {
                bail!("--name must say who the key is for");
            }
            let key = frontdoor_web::add_open311_client(&store, name.trim()).await?;
            println!("{key}");
            Ok(())
        }
        Some(Command::User { command }) => user(settings, command).await,
        Some(Command::Retention { command }) => {
            let (store, catalogue) = open_all(&settings).await?;
            retention::run(&store, &catalogue, command).await
        }
        Some(Command::SubjectAccess { resident, by, out }) => {
            let (store, catalogue) = open_all(&settings).await?;
            data_protection::subject_access(&store, &catalogue, resident, &by, out.as_deref()).await
        }
        Some(Command::Erase { resident, by }) => {
            let (store, catalogue) = open_all(&settings).await?;
            data_protection::erase(&store, &catalogue, resident, &by).await
        }
        Some(Command::Readability { strict }) => {
            readability::run(&load_catalogue(&settings)?, strict)
        }
        Some(Command::Triage(args)) => {
            let catalogue = load_catalogue(&settings)?;
            triage::run(&settings, &catalogue, args).await
        }
    }
}

fn load_catalogue(settings: &Settings) -> Result<Catalogue> {
    let (name, text) = match &settings.catalogue {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read catalogue {}", path.display()))?;
            (path.display().to_string(), text)
        }
        None => (
            "catalogue/demo-council.toml (built in)".to_owned(),
            demo::DEMO_CATALOGUE.to_owned(),
        ),
    };
    Catalogue::parse(&name, &text).context("the service catalogue is not valid")
}

/// The catalogue's Welsh companion (`X.cy.toml` beside `X.toml`), if the council has one.
fn load_welsh(settings: &Settings, catalogue: &Catalogue) -> Result<Option<Catalogue>> {
    let (name, text) = match &settings.catalogue {
        Some(path) => {
            let welsh = path.with_extension("cy.toml");
            if !welsh.exists() {
                return Ok(None);
            }
            let text = std::fs::read_to_string(&welsh)
                .with_context(|| format!("cannot read {}", welsh.display()))?;
            (welsh.display().to_string(), text)
        }
        None => (
            "catalogue/demo-council.cy.toml (built in)".to_owned(),
            demo::DEMO_WELSH.to_owned(),
        ),
    };
    let welsh = catalogue
        .translated(&name, &text)
        .context("the catalogue's Welsh translation is not valid")?;
    Ok(Some(welsh))
}

async fn open_store(settings: &Settings) -> Result<Store> {
    Store::open(&settings.database)
        .await
        .context("cannot open the database")
}

async fn open_all(settings: &Settings) -> Result<(Store, Catalogue)> {
    let catalogue = load_catalogue(settings)?;
    let store = open_store(settings).await?;
    store.sync_teams(&catalogue.teams).await?;
    Ok((store, catalogue))
}

async fn serve(mut settings: Settings, demo: bool) -> Result<()> {
    if !settings.councils.is_empty() {
        return serve_councils(settings).await;
    }
    if demo && settings.intake_secret.is_none() {
        let secret = demo::random_secret();
        println!("Inbound webhooks (/intake/*) for this run are signed with: {secret}");
        settings.intake_secret = Some(secret);
    }
    let state = council(&settings).await?;
    let (store, catalogue) = (&state.store, &state.catalogue);
    if demo && catalogue.council.id == "demo-council" {
        place::seed_demo_gazetteer(store).await?;
    }
    if demo && store.count_cases().await? == 0 {
        let area = state.area.as_deref();
        let sign_in = seed_demo(store, catalogue, area, 300).await?;
        print_sign_in(&sign_in, &settings.addr);
    } else if demo {
        println!(
            "Demo data is already loaded. To set a new demo password run:\n  cargo run --release -- user add --email {} --name \"Demo Officer\" --team waste",
            demo::DEMO_EMAIL
        );
    }
    let listener = listen(&settings.addr).await?;
    println!(
        "Front Door for {} is running at http://{}/ (staff console at /console). Press Ctrl+C to stop.",
        catalogue.council.name, settings.addr
    );
    println!("{}", triage::describe(&state.triage));
    if let Some(addr) = &settings.smtp_listen {
        let smtp = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen for SMTP on {addr}"))?;
        println!("Accepting mail over SMTP on {addr}.");
        let sink = std::sync::Arc::new(frontdoor_web::SmtpSink(state.clone()));
        tokio::spawn(frontdoor_intake::smtp::serve(smtp, sink));
    }
    frontdoor_web::serve(listener, state)
        .await
        .context("the server stopped with an error")
}

/// Several councils on one listener, each at its host name, on its own database.
async fn serve_councils(settings: Settings) -> Result<()> {
    settings.check_councils()?;
    if settings.smtp_listen.is_some() {
        bail!("smtp_listen serves one council; with several, give each its own relay webhook");
    }
    let mut councils = Vec::new();
    for site in &settings.councils {
        let state = council(&settings.for_council(site))
            .await
            .with_context(|| format!("council at {}", site.host))?;
        println!(
            "{} at http://{}/ (for requests to that host name).",
            state.catalogue.council.name, site.host
        );
        councils.push(frontdoor_web::Council {
            host: site.host.trim().to_owned(),
            state,
        });
    }
    let listener = listen(&settings.addr).await?;
    println!(
        "Front Door is serving {} councils on {}. Press Ctrl+C to stop.",
        councils.len(),
        settings.addr
    );
    frontdoor_web::serve_councils(listener, councils)
        .await
        .context("the server stopped with an error")
}

async fn listen(addr: &str) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// One council's front door, ready to serve, with its outbox worker running.
async fn council(settings: &Settings) -> Result<AppState> {
    let (store, catalogue) = open_all(settings).await?;
    // Refuse a model for another catalogue before seeding or listening.
    let model = triage::load_model(settings, &catalogue, None)?;
    let area = place::load_area(settings, &catalogue)?;
    let welsh = load_welsh(settings, &catalogue)?;
    if !(1.0..=1000.0).contains(&settings.duplicate_radius_m) {
        bail!("duplicate_radius_m must be between 1 and 1000 metres");
    }
    if store.rollups_missing().await? {
        // A database from before the dashboard: its rollups are built once.
        println!("Building the dashboard's figures for the cases already here…");
        store.rebuild_rollups().await?;
    }
    let senders = outbox::senders(settings)?;
    let mut state = AppState::new(store.clone(), catalogue, web_settings(settings)?, model);
    if let Some(area) = area {
        state = state.with_area(area);
    }
    if let Some(welsh) = welsh {
        state = state.with_welsh(welsh);
    }
    tokio::spawn(outbox::worker(settings, store, senders).run());
    Ok(state)
}

fn web_settings(settings: &Settings) -> Result<WebSettings> {
    let check = frontdoor_intake::SenderCheck::new(None, false);
    for (name, record) in &settings.email_dkim_keys {
        check
            .add_key(name, record)
            .map_err(|why| anyhow::anyhow!("bad setting email_dkim_keys: {why}"))?;
    }
    Ok(WebSettings {
        secure_cookies: settings.secure_cookies,
        map_tiles: settings.map_tiles.clone(),
        map_attribution: settings.map_attribution.clone(),
        duplicate_radius_m: settings.duplicate_radius_m,
        intake_secret: settings.intake_secret.clone(),
        public_url: settings.public_url.clone(),
        back_office: settings.back_office.clone(),
        api_partners: settings.api_partners.clone(),
        email_relay: settings.email_relay.clone(),
        email_dkim_dns: settings.email_dkim_dns,
        email_dkim_keys: settings.email_dkim_keys.clone(),
        unit_costs: settings.unit_costs()?,
        sign_in_failures_per_email: settings.sign_in_failures_per_email,
        submissions_per_address: settings.submissions_per_address,
        track_failures_per_reference: settings.track_failures_per_reference,
        behind_proxy: settings.behind_proxy,
    })
}

/// Files one raw email read from a file or standard input.
async fn ingest_email(settings: Settings, file: Option<PathBuf>) -> Result<()> {
    let raw = match &file {
        Some(path) => {
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?
        }
        None => {
            let mut raw = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut raw)
                .context("cannot read the message from standard input")?;
            raw
        }
    };
    let (store, catalogue) = open_all(&settings).await?;
    let model = triage::load_model(&settings, &catalogue, None)?;
    let state = AppState::new(store, catalogue, web_settings(&settings)?, model);
    let intake = frontdoor_web::ingest_email(&state, &raw)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let frontdoor_web::Intake::Quarantined { id, reason } = &intake {
        bail!("the message could not be read ({reason}); it is kept in quarantine as {id}");
    }
    println!("{}", intake.describe());
    Ok(())
}

/// Demo cases, and the demo gazetteer when the built-in catalogue is in use.
async fn seed_demo(
    store: &Store,
    catalogue: &Catalogue,
    area: Option<&frontdoor_domain::area::CouncilArea>,
    cases: usize,
) -> Result<demo::SignIn> {
    if catalogue.council.id == "demo-council" {
        place::seed_demo_gazetteer(store).await?;
    }
    let places = place::demo_places(area)?;
    demo::seed(store, catalogue, cases, &places).await
}

/// Years of history for the dashboard, with the demo's staff sign-ins.
async fn demo_history(settings: Settings, residents: usize, years: u32) -> Result<()> {
    let (store, catalogue) = open_all(&settings).await?;
    let area = place::load_area(&settings, &catalogue)?;
    let wards = area
        .as_ref()
        .map(|a| a.wards().iter().map(|w| w.name.clone()).collect())
        .unwrap_or_default();
    let options = history::Options { residents, years };
    let made = history::generate(&store, &catalogue, wards, &options).await?;
    println!(
        "Made {} residents, {} cases and {} contacts ({} rows) in {:.0} s: {:.0} rows/s, of which {:.0} s building rollups.",
        made.residents,
        made.cases,
        made.contacts,
        made.rows,
        made.seconds,
        made.rows as f64 / made.seconds.max(0.001),
        made.rollup_seconds,
    );
    let sign_in = demo::seed_staff(&store, &catalogue).await?;
    print_sign_in(&sign_in, &settings.addr);
    Ok(())
}

fn print_sign_in(sign_in: &demo::SignIn, addr: &str) {
    println!("\nDemo staff sign-ins (shown once; they are stored only as hashes):");
    println!("  console:  http://{addr}/console");
    for (role, email, password) in &sign_in.accounts {
        println!("  {role}: {email}  password: {password}");
    }
    println!();
}

async fn user(settings: Settings, command: UserCommand) -> Result<()> {
    let (store, catalogue) = open_all(&settings).await?;
    match command {
        UserCommand::Add {
            email,
            name,
            team,
            role,
        } => {
            if catalogue.team(&team).is_none() {
                let known: Vec<&str> = catalogue.teams.iter().map(|t| t.slug.as_str()).collect();
                bail!(
                    "unknown team '{team}'; teams in the catalogue: {}",
                    known.join(", ")
                );
            }
            frontdoor_domain::Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
            let name = frontdoor_domain::resident::parse_name(&name)
                .map_err(|e| anyhow::anyhow!("--name: {e}"))?;
            let password = read_password()?;
            let hash = frontdoor_web::hash_password(&password).map_err(anyhow::Error::msg)?;
            store
                .upsert_staff(NewStaff {
                    email: &email,
                    name: &name,
                    team: &team,
                    role: &role,
                    password_hash: &hash,
                })
                .await?;
            println!("Saved {email} ({role}, {team}). They can sign in at /console.");
        }
        UserCommand::Token { email } => {
            let staff = store
                .staff_by_email(&email)
                .await?
                .with_context(|| format!("no member of staff with email {email}"))?;
            let model = triage::load_model(&settings, &catalogue, None)?;
            let state = AppState::new(store, catalogue, WebSettings::default(), model);
            let token = frontdoor_web::issue_api_token(
                &state,
                staff.id,
                jiff::SignedDuration::from_hours(24 * 90),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{token}");
        }
    }
    Ok(())
}

/// Reads a password from standard input (first line), refusing short ones.
fn read_password() -> Result<String> {
    eprintln!("Type the password and press Enter (at least 12 characters):");
    let mut input = String::new();
    std::io::stdin()
        .lock()
        .take(1024)
        .read_to_string(&mut input)
        .context("cannot read the password")?;
    let password = input.lines().next().unwrap_or("").to_owned();
    if password.chars().count() < 12 {
        bail!("the password must be at least 12 characters");
    }
    Ok(password)
}
