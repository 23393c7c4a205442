//! `frontdoor triage`: triage JSON lines, train a model, evaluate by cross-validation.

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use frontdoor_domain::Catalogue;
use frontdoor_triage::{Example, Hyper, Model, RulesFile, TrainingInput};
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The demo council's model, trained from the files in this repository.
pub const DEMO_MODEL: &[u8] = include_bytes!("../../../models/demo-council.triage");
/// The demo council's triage rules.
pub const DEMO_RULES: &str = include_str!("../../../catalogue/demo-council.triage.toml");

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TriageArgs {
    /// Model file to use; the built-in demo council model if not given.
    #[arg(long)]
    model: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<TriageCommand>,
}

#[derive(Subcommand)]
enum TriageCommand {
    /// Train a model from the catalogue, its triage rules, labelled CSV files and staff corrections.
    Train {
        /// Labelled contacts: CSV with id, channel, text, service, referrals, urgent.
        #[arg(long, required = true)]
        data: Vec<PathBuf>,
        /// Where to write the model.
        #[arg(long)]
        out: PathBuf,
        /// Leave out the corrections staff made in the console (read from --database).
        #[arg(long)]
        without_corrections: bool,
    },
    /// Cross-validate on labelled contacts and print accuracy, urgency and referral figures.
    Eval {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 5)]
        folds: usize,
    },
}

pub async fn run(settings: &Settings, catalogue: &Catalogue, args: TriageArgs) -> Result<()> {
    match args.command {
        None => stream(settings, catalogue, args.model.as_deref()),
        Some(TriageCommand::Train {
            data,
            out,
            without_corrections,
        }) => train(settings, catalogue, &data, &out, without_corrections).await,
        Some(TriageCommand::Eval { data, folds }) => eval(settings, catalogue, &data, folds),
    }
}

/// The model a server or the stream uses: the file named, else the built-in one, checked
/// against the catalogue so a model for another council's services is refused.
pub fn load_model(
    settings: &Settings,
    catalogue: &Catalogue,
    path: Option<&Path>,
) -> Result<Model> {
    let path = path.or(settings.triage_model.as_deref());
    let model = match path {
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("cannot read triage model {}", path.display()))?;
            Model::from_bytes(&bytes)
                .with_context(|| format!("cannot load triage model {}", path.display()))?
        }
        None => Model::from_bytes(DEMO_MODEL).context("the built-in triage model is damaged")?,
    };
    if let Some(unknown) = model
        .labels()
        .iter()
        .find(|l| catalogue.service(l).is_none())
    {
        bail!(
            "the triage model routes to {unknown}, which this catalogue does not have; train one for this catalogue with `frontdoor triage train`"
        );
    }
    Ok(model)
}

pub fn load_rules(settings: &Settings, catalogue: &Catalogue) -> Result<RulesFile> {
    let text = match &settings.triage_rules {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read triage rules {}", path.display()))?,
        None if settings.catalogue.is_none() => DEMO_RULES.to_owned(),
        None => String::new(),
    };
    let rules = RulesFile::parse(&text)?;
    rules.check(catalogue)?;
    Ok(rules)
}

fn stream(settings: &Settings, catalogue: &Catalogue, model: Option<&Path>) -> Result<()> {
    let model = load_model(settings, catalogue, model)?;
    let stdin = std::io::stdin().lock();
    let stdout = BufWriter::new(std::io::stdout().lock());
    frontdoor_triage::lines::run(&model, BufReader::new(stdin), stdout)
        .context("cannot read standard input or write standard output")?;
    Ok(())
}

fn read_examples(catalogue: &Catalogue, files: &[PathBuf]) -> Result<Vec<Example>> {
    let mut examples = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let reader = std::fs::File::open(file).with_context(|| format!("cannot open {name}"))?;
        examples.extend(frontdoor_triage::read_csv(&name, reader, catalogue)?);
    }
    Ok(examples)
}

async fn train(
    settings: &Settings,
    catalogue: &Catalogue,
    data: &[PathBuf],
    out: &Path,
    without_corrections: bool,
) -> Result<()> {
    let rules = load_rules(settings, catalogue)?;
    let examples = read_examples(catalogue, data)?;
    let corrections = if without_corrections {
        Vec::new()
    } else {
        corrections(settings, catalogue).await?
    };
    let started = Instant::now();
    let trained_at = jiff::Timestamp::now().to_string();
    let model = frontdoor_triage::train(&TrainingInput {
        catalogue,
        rules: &rules,
        examples: &examples,
        corrections: &corrections,
        trained_at: &trained_at,
        hyper: Hyper::default(),
    })?;
    let bytes = model.to_bytes();
    if let Some(folder) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
    }
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let info = model.info();
    println!(
        "Trained model {} on {} examples, {} staff corrections and {} catalogue documents in {:.1}s; wrote {} ({} KiB).",
        info.id,
        info.examples,
        info.corrections,
        info.catalogue_documents,
        started.elapsed().as_secs_f64(),
        out.display(),
        bytes.len() / 1024
    );
    Ok(())
}

/// Staff corrections from the configured database, as training examples.
async fn corrections(settings: &Settings, catalogue: &Catalogue) -> Result<Vec<Example>> {
    let store = frontdoor_store::Store::open(&settings.database)
        .await
        .context("cannot open the database to read staff corrections (use --without-corrections to train without them)")?;
    let records = store.triage_corrections().await?;
    Ok(records
        .into_iter()
        .filter(|r| catalogue.service(&r.chosen_service).is_some())
        .map(|r| Example {
            id: format!("correction-{}", r.id),
            channel: r.channel,
            text: r.text,
            service: r.chosen_service,
            referrals: Vec::new(),
            urgent: false,
        })
        .collect())
}

fn eval(settings: &Settings, catalogue: &Catalogue, data: &Path, folds: usize) -> Result<()> {
    if !(2..=50).contains(&folds) {
        bail!("--folds must be between 2 and 50");
    }
    let rules = load_rules(settings, catalogue)?;
    let examples = read_examples(catalogue, &[data.to_path_buf()])?;
    if examples.len() < folds {
        bail!(
            "{} has {} rows, fewer than {folds} folds",
            data.display(),
            examples.len()
        );
    }
    let started = Instant::now();
    let evaluation =
        frontdoor_triage::cross_validate(catalogue, &rules, &examples, folds, Hyper::default())?;
    println!(
        "{folds}-fold cross-validation on {} ({:.1}s; every figure is on contacts held out of training)\n",
        data.display(),
        started.elapsed().as_secs_f64()
    );
    print!("{}", evaluation.metrics());
    Ok(())
}
