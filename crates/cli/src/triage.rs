//! `frontdoor triage`: triage JSON lines, train a model, evaluate it.

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use frontdoor_domain::Catalogue;
use frontdoor_triage::{
    Example, Hyper, Metrics, Model, RulesFile, StaticEmbeddings, TrainingInput,
};
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The demo council's model, trained from the files in this repository.
pub const DEMO_MODEL: &[u8] = include_bytes!("../../../models/demo-council.triage");
/// The demo council's triage rules.
pub const DEMO_RULES: &str = include_str!("../../../catalogue/demo-council.triage.toml");
/// The static embedding table distilled from all-MiniLM-L6-v2 (tools/distil_static_embeddings.py).
pub const BUILT_IN_EMBEDDINGS: &[u8] = include_bytes!("../../../models/minilm-l6-static.emb");

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
    /// Train a model from the catalogue, its triage rules, labelled CSV files and what
    /// staff decided in the console.
    Train {
        /// Labelled contacts: CSV with id, channel, text, service, referrals, urgent
        /// (and optionally group and risk).
        #[arg(long, required = true)]
        data: Vec<PathBuf>,
        /// Where to write the model.
        #[arg(long)]
        out: PathBuf,
        /// Leave out what staff decided in the console (read from --database).
        #[arg(long)]
        without_corrections: bool,
        /// Read words only, without the static embedding table: the fastest model.
        #[arg(long)]
        words_only: bool,
        /// A frozen test set: the new model's figures on it are shown beside the
        /// current model's before you switch.
        #[arg(long)]
        test: Option<PathBuf>,
    },
    /// Print figures: cross-validation on --data, and/or a model's on a frozen --test set.
    Eval {
        /// Labelled contacts to cross-validate on (training happens once per fold).
        #[arg(long)]
        data: Option<PathBuf>,
        #[arg(long, default_value_t = 5)]
        folds: usize,
        /// A frozen test set to score the model on (--model, or the one in use).
        #[arg(long)]
        test: Vec<PathBuf>,
        /// The model to score on --test; the one in use if not given.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Cross-validate a model that reads words only.
        #[arg(long)]
        words_only: bool,
    },
}

pub async fn run(settings: &Settings, catalogue: &Catalogue, args: TriageArgs) -> Result<()> {
    match args.command {
        None => stream(settings, catalogue, args.model.as_deref()),
        Some(TriageCommand::Train {
            data,
            out,
            without_corrections,
            words_only,
            test,
        }) => {
            let options = TrainOptions {
                data: &data,
                out: &out,
                without_corrections,
                words_only,
                test: test.as_deref(),
            };
            train(settings, catalogue, options).await
        }
        Some(TriageCommand::Eval {
            data,
            folds,
            test,
            model,
            words_only,
        }) => {
            if data.is_none() && test.is_empty() {
                bail!(
                    "say what to evaluate: --data FILE to cross-validate, --test FILE to score a model"
                );
            }
            if let Some(data) = data {
                cross_validate(settings, catalogue, &data, folds, words_only)?;
            }
            if !test.is_empty() {
                let model = load_model(settings, catalogue, model.as_deref())?;
                for file in &test {
                    let examples = read_examples(catalogue, std::slice::from_ref(file))?;
                    println!(
                        "Model {} on {} (never trained on):\n",
                        model.info().id,
                        file.display()
                    );
                    print!(
                        "{}",
                        frontdoor_triage::evaluate(&model, &examples).metrics()
                    );
                    println!();
                }
            }
            Ok(())
        }
    }
}

/// The embedding table in use: the file the settings name, else the built-in one.
pub fn load_embeddings(settings: &Settings) -> Result<Arc<StaticEmbeddings>> {
    let table = match &settings.triage_embeddings {
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("cannot read the static embeddings {}", path.display()))?;
            StaticEmbeddings::from_bytes(&bytes)
                .with_context(|| format!("cannot load the static embeddings {}", path.display()))?
        }
        None => StaticEmbeddings::from_bytes(BUILT_IN_EMBEDDINGS)
            .context("the built-in static embeddings are damaged")?,
    };
    Ok(Arc::new(table))
}

/// The model a server or the stream uses: the file named, else the built-in one, checked
/// against the catalogue so a model for another council's services is refused.
pub fn load_model(
    settings: &Settings,
    catalogue: &Catalogue,
    path: Option<&Path>,
) -> Result<Model> {
    let path = path.or(settings.triage_model.as_deref());
    let (bytes, name) = match path {
        Some(path) => (
            std::fs::read(path)
                .with_context(|| format!("cannot read triage model {}", path.display()))?,
            path.display().to_string(),
        ),
        None => (DEMO_MODEL.to_vec(), "(built in)".to_owned()),
    };
    // A model that reads words only needs no table: the table is read only when asked for.
    let cannot_load = || format!("cannot load triage model {name}");
    let table = match Model::embeddings_needed(&bytes).with_context(cannot_load)? {
        Some(_) => Some(load_embeddings(settings)?),
        None => None,
    };
    let model = Model::from_bytes_with(&bytes, table).with_context(cannot_load)?;
    check_labels(&model, catalogue)?;
    Ok(model)
}

/// A model must route only to services this catalogue has, and know every one of them.
fn check_labels(model: &Model, catalogue: &Catalogue) -> Result<()> {
    if let Some(unknown) = model
        .labels()
        .iter()
        .find(|l| catalogue.service(l).is_none())
    {
        bail!(
            "the triage model routes to {unknown}, which this catalogue does not have; train one for this catalogue with `frontdoor triage train`"
        );
    }
    if let Some(missing) = catalogue
        .services
        .iter()
        .find(|s| !model.labels().contains(&s.slug))
    {
        bail!(
            "the triage model does not know the service {}, which this catalogue has; train one for this catalogue with `frontdoor triage train`",
            missing.slug
        );
    }
    Ok(())
}

/// One line for the start-up banner: which model, and whether it reads meaning.
pub fn describe(model: &Model) -> String {
    let info = model.info();
    let reads = match &info.embeddings {
        Some(table) => format!("words and meaning (static embeddings {table})"),
        None => "words only (TF-IDF; no embedding table)".to_owned(),
    };
    format!(
        "Triage model {} reads {reads}; trained {} on {} examples and {} staff decisions.",
        info.id, info.trained_at, info.examples, info.corrections
    )
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

struct TrainOptions<'a> {
    data: &'a [PathBuf],
    out: &'a Path,
    without_corrections: bool,
    words_only: bool,
    test: Option<&'a Path>,
}

async fn train(
    settings: &Settings,
    catalogue: &Catalogue,
    options: TrainOptions<'_>,
) -> Result<()> {
    let rules = load_rules(settings, catalogue)?;
    let examples = read_examples(catalogue, options.data)?;
    let corrections = if options.without_corrections {
        Vec::new()
    } else {
        staff_decisions(settings, catalogue).await?
    };
    let embeddings = (!options.words_only)
        .then(|| load_embeddings(settings))
        .transpose()?;
    let started = Instant::now();
    let trained_at = jiff::Timestamp::now().to_string();
    let model = frontdoor_triage::train(&TrainingInput {
        catalogue,
        rules: &rules,
        examples: &examples,
        corrections: &corrections,
        trained_at: &trained_at,
        hyper: Hyper::from_env(),
        embeddings,
    })?;
    let bytes = model.to_bytes();
    if let Some(test) = options.test {
        compare(settings, catalogue, &model, test)?;
    }
    if let Some(folder) = options.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
    }
    let out = options.out;
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let info = model.info();
    println!(
        "Trained model {} on {} examples, {} staff decisions and {} catalogue documents in {:.1}s; wrote {} ({} KiB).",
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

/// The new model's figures on the frozen test set beside the model in use now.
fn compare(settings: &Settings, catalogue: &Catalogue, new: &Model, test: &Path) -> Result<()> {
    let examples = read_examples(catalogue, &[test.to_path_buf()])?;
    let new_figures = frontdoor_triage::evaluate(new, &examples).metrics();
    let current = load_model(settings, catalogue, None).ok();
    let current_figures = current
        .as_ref()
        .map(|m| frontdoor_triage::evaluate(m, &examples).metrics());
    println!(
        "On the frozen test set {} ({} contacts):",
        test.display(),
        examples.len()
    );
    println!(
        "{}",
        comparison(
            current.as_ref().zip(current_figures.as_ref()),
            (new, &new_figures)
        )
    );
    Ok(())
}

/// One figure of an evaluation, for the side-by-side table.
type Figure = fn(&Metrics) -> f64;

fn comparison(current: Option<(&Model, &Metrics)>, new: (&Model, &Metrics)) -> String {
    let rows: [(&str, Figure); 8] = [
        ("top-1 accuracy", |m| m.top1),
        ("top-3 accuracy", |m| m.top3),
        ("urgent-or-check recall", |m| m.risk_recall),
        ("urgent precision", |m| m.urgent_precision),
        ("sent to check for risk", |m| m.check_share),
        ("referral F1", |m| m.referral_f1),
        ("calibration error", |m| m.calibration_error),
        ("routed without review", |m| m.auto_routed),
    ];
    let current_id = current.map_or("(none)".to_owned(), |(m, _)| m.info().id.clone());
    let mut out = format!(
        "  {:<24} {:>12} {:>12}\n",
        "",
        format!("now {current_id}"),
        format!("new {}", new.0.info().id)
    );
    for (name, figure) in rows {
        let now = current.map_or("-".to_owned(), |(_, m)| format!("{:.3}", figure(m)));
        out.push_str(&format!("  {name:<24} {now:>12} {:>12.3}\n", figure(new.1)));
    }
    out
}

/// What staff decided in the console, from the configured database, as training examples.
async fn staff_decisions(settings: &Settings, catalogue: &Catalogue) -> Result<Vec<Example>> {
    let store = frontdoor_store::Store::open(&settings.database)
        .await
        .context("cannot open the database to read what staff decided (use --without-corrections to train without it)")?;
    let records = store.triage_labels().await?;
    Ok(records
        .into_iter()
        .filter(|r| catalogue.service(&r.service).is_some())
        .map(|r| Example {
            id: format!("staff-{}", r.id),
            group: format!("staff-{}", r.case_id),
            channel: r.channel,
            text: r.text,
            service: r.service,
            referrals: Vec::new(),
            urgency: r.urgency.parse().unwrap_or_default(),
            risk: Some(r.risk).filter(|k| !k.is_empty()),
        })
        .collect())
}

fn cross_validate(
    settings: &Settings,
    catalogue: &Catalogue,
    data: &Path,
    folds: usize,
    words_only: bool,
) -> Result<()> {
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
    let embeddings = (!words_only)
        .then(|| load_embeddings(settings))
        .transpose()?;
    let started = Instant::now();
    let base = TrainingInput {
        catalogue,
        rules: &rules,
        examples: &[],
        corrections: &[],
        trained_at: "",
        hyper: Hyper::from_env(),
        embeddings,
    };
    let evaluation = frontdoor_triage::cross_validate(&base, &examples, folds)?;
    println!(
        "{folds}-fold cross-validation on {} ({:.1}s; every figure is on contacts held out of training, each situation held out whole)\n",
        data.display(),
        started.elapsed().as_secs_f64()
    );
    print!("{}", evaluation.metrics());
    println!();
    Ok(())
}
