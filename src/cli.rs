//! The command line: clap types and their translation into domain requests. The only module that
//! knows clap; it returns text and an exit code (`Outcome`) and never prints.

use crate::catalog::{self, ArchClass, Catalog, Date, Weights};
use crate::engines::Engine;
use crate::fit::{self, KvDtype, Precision, Request, Task};
use crate::license::{Allow, Usage};
use crate::recommend::{self, Hardware, Prefer, Query};
use crate::render::{self, catalog::ListFormat, Style};
use crate::training::{Offload, Optimizer, Trainer};
use crate::{gate, hardware, localmodel, units};
use anyhow::{anyhow, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

const EXIT_CODES: &str = "Exit codes: 0 success; 1 no model qualifies, the gate failed, or nothing fits; 2 bad input or error.";

/// Pick the open-weight LLM checkpoint to build on: license terms, hardware fit and cost, explained.
///
/// With no subcommand, ranks the catalog for your license needs, GPUs and load:
///   pick --license apache --gpus 4xH100
#[derive(Debug, Parser)]
#[command(name = "pick", version, about, long_about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub recommend: RecommendArgs,
    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Extra catalog file or folder merged over the embedded catalog (repeatable; also PICK_CATALOG,
    /// a path list). A same id replaces the embedded entry.
    #[arg(long, global = true, value_name = "PATH")]
    pub catalog: Vec<PathBuf>,
    /// When to color output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print nothing on stdout; only the exit code (and errors on stderr) tell the result.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the catalog's models.
    List(ListArgs),
    /// The card of one model: license clauses, architecture, context, ecosystem, sources.
    Show(ShowArgs),
    /// Size a model on GPUs: memory per GPU, plans, throughput, assumptions.
    Fit(FitArgs),
    /// CI license gate: check the models a project uses against a policy file.
    Gate(GateArgs),
    /// Catalog maintenance.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// List the licenses and their clauses.
    Licenses(SimpleFormat),
    /// List the GPUs and their specs.
    Gpus(SimpleFormat),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Validate the embedded catalog (no PATH) or the given files and folders; exit 2 on problems.
    Check {
        /// Catalog files or folders to check.
        paths: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct SimpleFormat {
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    pub format: TableOrJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableOrJson {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
    Tsv,
    Ids,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// open, api, or none (announced, never released). Default: open and api.
    #[arg(long, value_enum)]
    pub weights: Option<WeightsArg>,
    #[arg(long, value_enum)]
    pub class: Option<ClassArg>,
    /// A license id or tier (permissive, conditional, non-commercial, proprietary), apache, mit, commercial.
    #[arg(long)]
    pub license: Option<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WeightsArg {
    Open,
    Api,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClassArg {
    Dense,
    Moe,
}

impl From<ClassArg> for ArchClass {
    fn from(c: ClassArg) -> ArchClass {
        match c {
            ClassArg::Dense => ArchClass::Dense,
            ClassArg::Moe => ArchClass::Moe,
        }
    }
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Catalog id or Hugging Face repo id (e.g. meta-llama/Llama-3.1-70B-Instruct).
    pub model: String,
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    pub format: TableOrJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaskArg {
    Serve,
    Lora,
    Qlora,
    Full,
    Pretrain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrecisionArg {
    Auto,
    Bf16,
    Fp8,
    Int8,
    Int4,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KvArg {
    Auto,
    Bf16,
    Fp8,
}

/// Sizing options shared by `pick fit` and the recommender.
#[derive(Debug, Args, Clone)]
pub struct SizingArgs {
    /// GPUs: 4xH100, 8xH200, 2xA100-40GB, H100 (one), or auto (nvidia-smi).
    #[arg(long, value_name = "SPEC", help_heading = "Hardware")]
    pub gpus: Option<String>,
    /// What to size for.
    #[arg(long, value_enum, default_value_t = TaskArg::Serve, help_heading = "Hardware")]
    pub task: TaskArg,
    /// Weight precision; auto lists every one that applies and picks the best that fits.
    #[arg(long, value_enum, default_value_t = PrecisionArg::Auto, help_heading = "Hardware")]
    pub precision: PrecisionArg,
    /// Tokens per sequence (prompt + output). Suffixes: k = 1,000, M = 1,000,000, Ki = 1,024.
    /// Default 8192 for serving, 4096 for training. In the recommender it is also the minimum usable context.
    #[arg(long, value_name = "N", value_parser = parse_positive, help_heading = "Hardware")]
    pub context: Option<u64>,
    /// Sequences served at once (default 1).
    #[arg(long, value_name = "N", value_parser = parse_positive, default_value = "1", help_heading = "Hardware")]
    pub concurrency: u64,
    /// KV cache dtype (auto = bf16).
    #[arg(long, value_enum, default_value_t = KvArg::Auto, help_heading = "Hardware")]
    pub kv_dtype: KvArg,
    /// Prompt tokens per generated token, for throughput and cost (default 1).
    #[arg(long, value_name = "R", default_value = "1", value_parser = parse_ratio, help_heading = "Hardware")]
    pub input_ratio: f64,
    /// GPUs per node (default: the GPU table's, 8 for HGX boards): tensor parallelism stays inside
    /// a node, and beyond one node plans take whole nodes.
    #[arg(long, value_name = "N", value_parser = parse_positive, help_heading = "Hardware")]
    pub gpus_per_node: Option<u64>,
}

#[derive(Debug, Args)]
pub struct FitArgs {
    /// Catalog id, Hugging Face repo id, or a local folder holding config.json.
    pub model: String,
    #[command(flatten)]
    pub sizing: SizingArgs,
    /// Fine-tuning micro-batch size.
    #[arg(long, value_parser = parse_positive, default_value = "1", help_heading = "Fine-tuning")]
    pub micro_batch: u64,
    /// LoRA rank.
    #[arg(long, value_parser = parse_positive, default_value = "16", help_heading = "Fine-tuning")]
    pub lora_rank: u64,
    /// ZeRO stage for full fine-tuning across GPUs (0-3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=3), help_heading = "Fine-tuning")]
    pub zero: u8,
    /// Turn gradient checkpointing off (more activation memory, faster).
    #[arg(long, help_heading = "Fine-tuning")]
    pub no_grad_checkpointing: bool,
    /// Training framework: its precision recipe, sharding, activations and kernels.
    #[arg(long, value_enum, default_value_t = TrainerArg::Hf, help_heading = "Fine-tuning")]
    pub trainer: TrainerArg,
    /// Optimizer (8-bit and paged variants: bitsandbytes).
    #[arg(long, value_enum, default_value_t = OptimizerArg::Adamw, help_heading = "Fine-tuning")]
    pub optimizer: OptimizerArg,
    /// Keep the optimizer states, or also the parameters, in CPU memory.
    #[arg(long, value_enum, default_value_t = OffloadArg::None, help_heading = "Fine-tuning")]
    pub offload: OffloadArg,
    /// Serving engine whose memory model, KV-cache default and kernels the estimate uses.
    #[arg(long, value_enum, default_value_t = EngineArg::Vllm, help_heading = "Hardware")]
    pub engine: EngineArg,
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    pub format: TableOrJson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PreferArg {
    Balanced,
    Quality,
    Cost,
    Ecosystem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModalityArg {
    Text,
    Vision,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckpointArg {
    Any,
    Base,
    Instruct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    Vllm,
    Sglang,
    Trtllm,
    Llamacpp,
    Ollama,
    Tgi,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrainerArg {
    Hf,
    Unsloth,
    Torchtune,
    Deepspeed,
    Megatron,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    Adamw,
    #[value(name = "adamw-8bit")]
    Adamw8bit,
    #[value(name = "paged-adamw-8bit")]
    PagedAdamw8bit,
    Sgd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OffloadArg {
    None,
    Optimizer,
    Params,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FinetuneArg {
    Axolotl,
    Llamafactory,
    Trl,
    Peft,
    Unsloth,
}

/// The recommender's options (the default command).
#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// Allowed licenses, comma-separated or repeated: apache, mit, permissive, commercial, any, a tier
    /// (conditional, non-commercial, proprietary) or a license id (`pick licenses`). Default: any.
    #[arg(long, value_name = "LICENSES", help_heading = "License")]
    pub license: Vec<String>,
    /// Monthly active users of the product (trips the Llama 700M, Qwen 100M and Kimi thresholds).
    #[arg(long, value_name = "N", value_parser = units::parse_count, help_heading = "License")]
    pub mau: Option<u64>,
    /// Where the company is established (eu: multimodal Llama 3.2 / 4 grant no rights there).
    #[arg(long, value_name = "REGION", help_heading = "License")]
    pub region: Option<String>,
    /// You offer the model to others as a hosted API (Falcon-180B needs a separate license).
    #[arg(long, help_heading = "License")]
    pub hosted: bool,
    /// You ship fine-tuned weights.
    #[arg(long, help_heading = "License")]
    pub redistribute: bool,
    /// You train other models on its outputs.
    #[arg(long, help_heading = "License")]
    pub distill: bool,
    /// Non-commercial research use (by default use is commercial, which excludes research licenses).
    #[arg(long, help_heading = "License")]
    pub research: bool,
    #[command(flatten)]
    pub sizing: SizingArgs,
    /// Expected load in generated tokens per hour (default 1M). Suffixes k, M.
    #[arg(long, value_name = "N", value_parser = parse_positive, help_heading = "Economics")]
    pub tokens_per_hour: Option<u64>,
    /// Price per GPU-hour in USD (default: the middle of the GPU table's on-demand range).
    #[arg(long, value_name = "USD", value_parser = units::parse_money, help_heading = "Economics")]
    pub gpu_price: Option<f64>,
    #[arg(long, value_enum, help_heading = "Filters")]
    pub modality: Option<ModalityArg>,
    #[arg(long, value_enum, help_heading = "Filters")]
    pub class: Option<ClassArg>,
    /// The checkpoint you build on: base (pre-trained, for fine-tuning and continued pre-training)
    /// excludes models whose base was never released; instruct excludes base-only releases.
    #[arg(long, value_enum, default_value_t = CheckpointArg::Any, help_heading = "Filters")]
    pub checkpoint: CheckpointArg,
    /// Serving engine that must support the model; its profile (memory model, KV-cache default,
    /// kernels) also sizes the candidates (default: vLLM's).
    #[arg(long, value_enum, help_heading = "Filters")]
    pub engine: Option<EngineArg>,
    /// Fine-tuning framework that must support the model.
    #[arg(long, value_enum, help_heading = "Filters")]
    pub finetune_with: Option<FinetuneArg>,
    /// API-only models join the ranking (priced, never sized).
    #[arg(long, help_heading = "Filters")]
    pub include_api: bool,
    /// What the score favors.
    #[arg(long, value_enum, default_value_t = PreferArg::Balanced, help_heading = "Output")]
    pub prefer: PreferArg,
    /// How many candidates to show.
    #[arg(long, default_value = "5", value_parser = parse_positive, help_heading = "Output")]
    pub top: u64,
    /// List every excluded model with its reasons.
    #[arg(long, help_heading = "Output")]
    pub explain: bool,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table, help_heading = "Output")]
    pub format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GateFormat {
    Human,
    Json,
    Github,
    Sarif,
    Markdown,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// Policy file.
    #[arg(long, default_value = "pick.toml")]
    pub policy: PathBuf,
    /// Files or folders to scan for model references (repeatable).
    #[arg(long, value_name = "PATH")]
    pub scan: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = GateFormat::Human)]
    pub format: GateFormat,
    /// The date for exception expiry (YYYY-MM-DD; default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

fn parse_positive(s: &str) -> Result<u64, String> {
    match units::parse_count(s)? {
        0 => Err("must be at least 1".into()),
        n => Ok(n),
    }
}

fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=1000.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a ratio between 0 and 1000")),
    }
}

/// What the binary prints and returns.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

/// Parses and runs a command line.
pub fn main<I, T>(args: I) -> Outcome
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match parse(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            return if e.use_stderr() {
                Outcome {
                    stderr: text,
                    code,
                    ..Outcome::default()
                }
            } else {
                Outcome {
                    stdout: text,
                    code,
                    ..Outcome::default()
                }
            };
        }
    };
    let quiet = cli.global.quiet;
    let warning = match cli.command {
        Some(Command::Completions { .. } | Command::Man) => None,
        _ => stale_catalog_warning(today()),
    };
    match run(cli) {
        Ok((text, code)) => Outcome {
            stdout: if quiet { String::new() } else { text },
            stderr: warning.unwrap_or_default(),
            code,
        },
        Err(e) => Outcome {
            stdout: String::new(),
            stderr: format!("pick: error: {e:#}\n"),
            code: 2,
        },
    }
}

/// Parses arguments. The recommender's options belong to the default command only: given with a
/// subcommand they are an error, not silently ignored (global options work everywhere).
fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    use clap::FromArgMatches;
    let mut command = Cli::command();
    let matches = command.try_get_matches_from_mut(args)?;
    if let Some((name, _)) = matches.subcommand() {
        let own = RecommendArgs::augment_args(clap::Command::new("recommend"));
        for arg in own.get_arguments() {
            let id = arg.get_id().as_str();
            if matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
                let flag = arg
                    .get_long()
                    .map_or_else(|| id.to_string(), |l| format!("--{l}"));
                return Err(command.error(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!("{flag} belongs to the default command (pick {flag} ...), not to `pick {name}`; put it after the subcommand if `{name}` has it"),
                ));
            }
        }
    }
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))
}

fn style(choice: ColorChoice) -> Style {
    let terminal = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color && !dumb,
    };
    Style { color, terminal }
}

fn catalog_paths(global: &GlobalArgs) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::env::var_os("PICK_CATALOG")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    paths.extend(global.catalog.iter().cloned());
    paths
}

/// Runs a parsed command: (stdout text, exit code), or an error (exit 2).
pub fn run(cli: Cli) -> Result<(String, u8)> {
    let style = style(cli.global.color);
    let paths = catalog_paths(&cli.global);
    match cli.command {
        Some(Command::Completions { shell }) => Ok((completions(shell), 0)),
        Some(Command::Man) => Ok((man()?, 0)),
        Some(Command::Catalog(CatalogCommand::Check { paths: check })) => {
            // The files named here and the ones --catalog / PICK_CATALOG add, over the embedded
            // catalog: what every other command would load.
            let mut check = check;
            check.extend(paths);
            let problems = if check.is_empty() {
                catalog::check_embedded()
            } else {
                catalog::check_paths(&check)?
            };
            let what = std::iter::once("embedded catalog".to_string())
                .chain(check.iter().map(|p| p.display().to_string()))
                .collect::<Vec<_>>()
                .join(", ");
            crate::problem::into_result(problems, &format!("in the catalog ({what})"))?;
            Ok((format!("catalog ok: {what}\n"), 0))
        }
        command => {
            // Only `show`, `licenses` and `gpus` print prose and sources; the rest loads the smaller core.
            let detail = if matches!(
                command,
                Some(Command::Show(_) | Command::Licenses(_) | Command::Gpus(_))
            ) {
                catalog::Detail::Full
            } else {
                catalog::Detail::Core
            };
            // Not freed: the process ends right after, and dropping a few hundred small
            // allocations one by one is measurable next to the whole query.
            let catalog = std::mem::ManuallyDrop::new(Catalog::load(&paths, detail)?);
            let catalog: &Catalog = &catalog;
            match command {
                None => recommend_cmd(catalog, &cli.recommend, style),
                Some(Command::List(a)) => list_cmd(catalog, &a, style),
                Some(Command::Show(a)) => {
                    let m = catalog.model_or_suggest(&a.model)?;
                    Ok((
                        if a.format == TableOrJson::Json {
                            render::catalog::show_json(&catalog.card(m))
                        } else {
                            render::catalog::show(&catalog.card(m), style)
                        },
                        0,
                    ))
                }
                Some(Command::Fit(a)) => fit_cmd(catalog, &a, style),
                Some(Command::Gate(a)) => gate_cmd(catalog, &a, style),
                Some(Command::Licenses(f)) => Ok((
                    render::catalog::licenses(catalog, f.format == TableOrJson::Json, style),
                    0,
                )),
                Some(Command::Gpus(f)) => Ok((
                    render::catalog::gpus(catalog, f.format == TableOrJson::Json, style),
                    0,
                )),
                // Handled above, before the catalog is loaded.
                Some(Command::Completions { .. } | Command::Man | Command::Catalog(_)) => {
                    Ok((String::new(), 0))
                }
            }
        }
    }
}

fn completions(shell: Shell) -> String {
    use clap_complete::Shell as S;
    let shell = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
        Shell::Elvish => S::Elvish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "pick", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

fn man() -> Result<String> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn list_cmd(catalog: &Catalog, a: &ListArgs, style: Style) -> Result<(String, u8)> {
    let allow = a
        .license
        .as_ref()
        .map(|l| Allow::parse(catalog, std::slice::from_ref(l)))
        .transpose()
        .map_err(|e| anyhow!(e))?;
    let models: Vec<_> = catalog
        .models
        .iter()
        .filter(|m| match a.weights {
            Some(WeightsArg::Open) => m.weights == Weights::Open,
            Some(WeightsArg::Api) => m.weights == Weights::Api,
            Some(WeightsArg::None) => m.weights == Weights::None,
            None => m.weights != Weights::None,
        })
        .filter(|m| {
            a.class
                .is_none_or(|c| m.architecture.is_some_and(|x| x.matches(c.into())))
        })
        .filter(|m| {
            allow.as_ref().is_none_or(|al| {
                m.license_ids()
                    .all(|id| catalog.license(id).is_some_and(|l| al.allows(l)))
            })
        })
        .collect();
    let format = match a.format {
        OutputFormat::Table => ListFormat::Table,
        OutputFormat::Json => ListFormat::Json,
        OutputFormat::Csv => ListFormat::Csv,
        OutputFormat::Tsv => ListFormat::Tsv,
        OutputFormat::Ids => ListFormat::Ids,
    };
    Ok((render::catalog::list(catalog, &models, format, style), 0))
}

fn task(t: TaskArg) -> Task {
    match t {
        TaskArg::Serve => Task::Serve,
        TaskArg::Lora => Task::Lora,
        TaskArg::Qlora => Task::Qlora,
        TaskArg::Full => Task::Full,
        TaskArg::Pretrain => Task::Pretrain,
    }
}

fn fit_request(s: &SizingArgs) -> Request {
    let task = task(s.task);
    let default_ctx = if task.is_training() {
        fit::DEFAULT_TRAIN_CONTEXT
    } else {
        fit::DEFAULT_SERVE_CONTEXT
    };
    Request {
        task,
        precision: match s.precision {
            PrecisionArg::Auto => None,
            PrecisionArg::Bf16 => Some(Precision::Bf16),
            PrecisionArg::Fp8 => Some(Precision::Fp8),
            PrecisionArg::Int8 => Some(Precision::Int8),
            PrecisionArg::Int4 => Some(Precision::Int4),
        },
        context: s.context.unwrap_or(default_ctx),
        concurrency: s.concurrency,
        kv_dtype: match s.kv_dtype {
            KvArg::Auto => KvDtype::Auto,
            KvArg::Bf16 => KvDtype::Bf16,
            KvArg::Fp8 => KvDtype::Fp8,
        },
        input_ratio: s.input_ratio,
        gpus_per_node: s.gpus_per_node,
        ..Request::serve(default_ctx)
    }
}

impl From<EngineArg> for Engine {
    fn from(e: EngineArg) -> Engine {
        match e {
            EngineArg::Vllm => Engine::Vllm,
            EngineArg::Sglang => Engine::Sglang,
            EngineArg::Trtllm => Engine::Trtllm,
            EngineArg::Llamacpp => Engine::Llamacpp,
            EngineArg::Ollama => Engine::Ollama,
            EngineArg::Tgi => Engine::Tgi,
        }
    }
}

fn gpus<'c>(catalog: &'c Catalog, spec: &str) -> Result<hardware::GpuSet<'c>> {
    let r = if spec.trim().eq_ignore_ascii_case("auto") {
        hardware::detect_local(catalog)
    } else {
        hardware::parse_spec(catalog, spec)
    };
    r.map_err(|e| anyhow!("--gpus: {e}"))
}

fn fit_cmd(catalog: &Catalog, a: &FitArgs, style: Style) -> Result<(String, u8)> {
    let spec = a
        .sizing
        .gpus
        .as_deref()
        .ok_or_else(|| anyhow!("pick fit needs --gpus SPEC, e.g. --gpus 4xH100"))?;
    let set = gpus(catalog, spec)?;
    let path = std::path::Path::new(&a.model);
    let shape = if path.join("config.json").is_file() {
        localmodel::load(path)?
    } else {
        let m = catalog.model_or_suggest(&a.model).map_err(|e| {
            if path.is_dir() {
                anyhow!("{} has no config.json, and {e}", path.display())
            } else {
                e
            }
        })?;
        fit::Shape::from_model(m).ok_or_else(|| {
            anyhow!(
                "`{}` is {}: there are no weights to size",
                m.id,
                if m.weights == Weights::Api {
                    "API-only"
                } else {
                    "not released"
                }
            )
        })?
    };
    let mut req = fit_request(&a.sizing);
    req.micro_batch = a.micro_batch;
    req.lora_rank = a.lora_rank;
    req.zero_stage = a.zero;
    req.grad_checkpointing = !a.no_grad_checkpointing;
    req.engine = a.engine.into();
    req.trainer = match a.trainer {
        TrainerArg::Hf => Trainer::Hf,
        TrainerArg::Unsloth => Trainer::Unsloth,
        TrainerArg::Torchtune => Trainer::Torchtune,
        TrainerArg::Deepspeed => Trainer::Deepspeed,
        TrainerArg::Megatron => Trainer::Megatron,
    };
    req.optimizer = match a.optimizer {
        OptimizerArg::Adamw => Optimizer::AdamW,
        OptimizerArg::Adamw8bit => Optimizer::AdamW8bit,
        OptimizerArg::PagedAdamw8bit => Optimizer::PagedAdamW8bit,
        OptimizerArg::Sgd => Optimizer::Sgd,
    };
    req.offload = match a.offload {
        OffloadArg::None => Offload::None,
        OffloadArg::Optimizer => Offload::Optimizer,
        OffloadArg::Params => Offload::Params,
    };
    let report = fit::fit_explained(&shape, set.gpu, set.count, &req);
    let code = if report.plans.iter().any(|p| p.fits) {
        0
    } else {
        1
    };
    let text = match a.format {
        TableOrJson::Json => render::fit::report_json(&report),
        TableOrJson::Table => render::fit::report_table(&report, style),
    };
    Ok((text, code))
}

fn recommend_cmd(catalog: &Catalog, a: &RecommendArgs, style: Style) -> Result<(String, u8)> {
    let allow = if a.license.is_empty() {
        Allow::any()
    } else {
        Allow::parse(catalog, &a.license).map_err(|e| anyhow!("--license: {e}"))?
    };
    let usage = Usage {
        commercial: !a.research,
        mau: a.mau,
        region: a.region.as_ref().map(|r| r.trim().to_ascii_lowercase()),
        hosted: a.hosted,
        redistribute: a.redistribute,
        distill: a.distill,
    };
    let hardware = match &a.sizing.gpus {
        Some(spec) => {
            let set = gpus(catalog, spec)?;
            Hardware {
                gpu: set.gpu,
                count: set.count,
                given: true,
            }
        }
        None => {
            let gpu = catalog
                .gpu(recommend::YARDSTICK_GPU)
                .ok_or_else(|| anyhow!("the GPU catalog lacks {}", recommend::YARDSTICK_GPU))?;
            Hardware {
                gpu,
                count: 1,
                given: false,
            }
        }
    };
    let query = Query {
        allow,
        usage,
        hardware,
        fit: Request {
            engine: a.engine.map_or(Engine::Vllm, Into::into),
            ..fit_request(&a.sizing)
        },
        min_context: a.sizing.context,
        tokens_per_hour: a
            .tokens_per_hour
            .map_or(recommend::DEFAULT_TOKENS_PER_HOUR, |t| t as f64),
        gpu_price: a.gpu_price,
        modality: a.modality.map(|m| match m {
            ModalityArg::Text => catalog::Modality::Text,
            ModalityArg::Vision => catalog::Modality::Vision,
        }),
        class: a.class.map(Into::into),
        checkpoint: match a.checkpoint {
            CheckpointArg::Any => None,
            CheckpointArg::Base => Some(catalog::CheckpointKind::Base),
            CheckpointArg::Instruct => Some(catalog::CheckpointKind::Instruct),
        },
        engine: a.engine.map(|e| Engine::from(e).as_str().to_string()),
        finetune_with: a
            .finetune_with
            .map(|f| format!("{f:?}").to_ascii_lowercase()),
        include_api: a.include_api,
        prefer: match a.prefer {
            PreferArg::Balanced => Prefer::Balanced,
            PreferArg::Quality => Prefer::Quality,
            PreferArg::Cost => Prefer::Cost,
            PreferArg::Ecosystem => Prefer::Ecosystem,
        },
        top: usize::try_from(a.top).unwrap_or(usize::MAX),
        all_reasons: a.explain || a.format == OutputFormat::Json,
    };
    let report = recommend::recommend(catalog, &query);
    let code = if report.candidates.is_empty() { 1 } else { 0 };
    let text = match a.format {
        OutputFormat::Table => render::recommend::report_table(&report, &query, a.explain, style),
        OutputFormat::Json => render::recommend::report_json(&report, &query),
        OutputFormat::Csv => render::recommend::report_delimited(&report, false),
        OutputFormat::Tsv => render::recommend::report_delimited(&report, true),
        OutputFormat::Ids => render::recommend::report_ids(&report),
    };
    Ok((text, code))
}

/// Days after which the embedded catalog counts as stale.
pub const STALE_AFTER_DAYS: i64 = 90;

/// A warning when the embedded catalog is more than `STALE_AFTER_DAYS` older than `today`, unless
/// PICK_STALE_OK is set.
fn stale_catalog_warning(today: Date) -> Option<String> {
    if std::env::var_os("PICK_STALE_OK").is_some_and(|v| !v.is_empty()) {
        return None;
    }
    let as_of = catalog::embedded_as_of()?;
    let age = today.days() - as_of.days();
    (age > STALE_AFTER_DAYS).then(|| {
        format!("pick: warning: the embedded catalog is from {as_of}, {age} days old: newer models, prices and retirements are missing; update pick (PICK_STALE_OK=1 silences this)\n")
    })
}

/// Today (UTC), or PICK_TODAY (YYYY-MM-DD) when set: tests and reproducible runs fix the date.
fn today() -> Date {
    std::env::var("PICK_TODAY")
        .ok()
        .and_then(|t| Date::parse(&t))
        .unwrap_or_else(today_utc)
}

fn today_utc() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    Date { year, month, day }
}

fn gate_cmd(catalog: &Catalog, a: &GateArgs, style: Style) -> Result<(String, u8)> {
    let today = match &a.today {
        Some(t) => {
            Date::parse(t).ok_or_else(|| anyhow!("--today: `{t}` is not a date (YYYY-MM-DD)"))?
        }
        None => today(),
    };
    let policy = gate::load_policy(&a.policy, catalog)?;
    let report = gate::run(catalog, &policy, &a.scan, today)?;
    let text = match a.format {
        GateFormat::Human => render::gate::report_human(&report, style),
        GateFormat::Json => render::gate::report_json(&report),
        GateFormat::Github => render::gate::report_github(&report),
        GateFormat::Sarif => render::gate::report_sarif(&report),
        GateFormat::Markdown => render::gate::report_markdown(&report),
    };
    Ok((text, if report.passed { 0 } else { 1 }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn today_is_a_real_date() {
        let d = today_utc();
        assert!(d.year >= 2024 && Date::parse(&d.to_string()) == Some(d));
    }

    #[test]
    fn tiers_parse() {
        use crate::catalog::Tier;
        assert_eq!(Tier::parse("non-commercial"), Some(Tier::NonCommercial));
    }
}
