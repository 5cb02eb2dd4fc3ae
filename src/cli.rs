//! The command line: clap types and their translation into domain requests. The only module that
//! knows clap; it returns text and an exit code (`Outcome`) and never prints.

use crate::capability::Axis;
use crate::catalog::{self, ArchClass, Catalog, Weights};
use crate::engines::Engine;
use crate::fit::{self, KvDtype, Precision, Request, Task};
use crate::license::{Allow, Domain, Licensee, Student, Usage, Use};
use crate::lock::{self, Lock};
use crate::places::Place;
use crate::recommend::{self, Prefer, Query};
use crate::render::{self, catalog::ListFormat, Style};
use crate::request::{self, exit};
use crate::training::{Offload, Optimizer, Trainer};
use crate::{gate, lineage, resolve, units};
use anyhow::{anyhow, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

/// `pick gate --help`: the policy file, every key.
const GATE_HELP: &str =
    "Policy file (pick.toml; TOML; unknown keys are errors, every problem reported at its line):
  [usage]      use = research|evaluation|poc|production (or commercial = true|false), licensee =
               individual|academic|nonprofit|company, mau, group_mau, revenue_usd_month, region,
               users_in = [...], hosted_in = [...], hosted, redistribute, distill = true|\"narrow\",
               domains = [...]
  [allow]      tiers = [...], licenses = [...]
  [[model]]    ref, revision, license
  [[exception]] model, reason, expires, codes = [...], license_version
  [scan]       allow_empty
The gate fails closed: an unknown model or license, an expired exception, an empty scan never pass.

Examples:
  pick gate
  pick gate --scan . --format github
  pick gate --format sarif > pick.sarif

Exit codes: 0 passed; 1 failed; 2 bad input or error.";

/// `pick --help`'s closing: examples of the main job, then the exit codes.
const MAIN_HELP: &str = "\
Examples:
  pick --license apache --gpus 4xH100
  pick --license permissive,llama3.1 --gpus 8xH200 --explain
  pick --license commercial --mau 800M --region de
  pick --checkpoint base --gpus 1xH100 --task lora
  pick --include-api --format json

Exit codes: 0 success; 1 no model qualifies, the gate failed, or nothing fits; 2 bad input or error.";

/// Pick the open-weight LLM checkpoint to build on: license terms, hardware fit and cost, explained.
///
/// With no subcommand, ranks the catalog for your license needs, GPUs and load (examples below).
#[derive(Debug, Parser)]
#[command(name = "pick", version, about, long_about, after_help = MAIN_HELP)]
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
    /// Ask the Hugging Face Hub for repositories the catalog, pick.lock and the local cache lack
    /// (also PICK_ONLINE=1; HF_ENDPOINT, HF_TOKEN). Without it pick never uses the network.
    #[arg(long, global = true)]
    pub online: bool,
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
    #[command(
        after_help = "Examples:\n  pick list --weights open --class moe\n  pick list --license apache --format ids\n  pick list --format csv > models.csv"
    )]
    List(ListArgs),
    /// The card of one model: license clauses, architecture, context, ecosystem, sources.
    #[command(
        after_help = "Examples:\n  pick show qwen3-8b\n  pick show meta-llama/Llama-3.1-70B-Instruct --format json"
    )]
    Show(ShowArgs),
    /// Size a model on GPUs: memory per GPU, plans, throughput, assumptions.
    #[command(
        override_usage = "pick fit <MODEL> --gpus <SPEC> [OPTIONS]",
        after_help = "Examples:\n  pick fit llama-3.1-70b --gpus 2xH100\n  pick fit qwen3.5-9b --gpus 1xL4 --context 32k --precision fp8\n  pick fit ./my-model --gpus auto            (a folder with config.json)\n  pick fit qwen3-8b --gpus 1xRTX4090 --task qlora"
    )]
    Fit(FitArgs),
    /// CI license gate: check the models a project uses against a policy file.
    #[command(after_help = GATE_HELP)]
    Gate(GateArgs),
    /// Write pick.lock: the facts every model reference resolves to, for `pick gate` in CI.
    #[command(
        after_help = "Examples:\n  pick lock                        (the models pick.toml names)\n  pick lock --scan src/ --online   (also those named in src/, via the Hub)\n  pick lock --check                (in CI: exit 1 when pick.lock is stale)"
    )]
    Lock(LockArgs),
    /// Catalog maintenance.
    #[command(
        subcommand,
        after_help = "Examples:\n  pick catalog check my-models/\n  pick catalog compile my-models/ -o my-models.pickcat"
    )]
    Catalog(CatalogCommand),
    /// List the licenses and their clauses.
    #[command(after_help = "Examples:\n  pick licenses\n  pick licenses --format json")]
    Licenses(SimpleFormat),
    /// List the GPUs and their specs.
    #[command(after_help = "Examples:\n  pick gpus\n  pick gpus --format json")]
    Gpus(SimpleFormat),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  pick completions bash > ~/.local/share/bash-completion/completions/pick\n  pick completions zsh > ~/.zfunc/_pick        (a folder on $fpath)\n  pick completions fish > ~/.config/fish/completions/pick.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "Examples:\n  pick man > pick.1 && man ./pick.1")]
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
    /// Validate the embedded catalog with the given files and folders (and --catalog / PICK_CATALOG);
    /// every problem with its line, exit 2 if any.
    #[command(
        after_help = "Examples:\n  pick catalog check\n  pick catalog check my-models/\n  PICK_CATALOG=my-models pick catalog check"
    )]
    Check {
        /// Catalog files or folders to check.
        paths: Vec<PathBuf>,
    },
    /// Check catalog files or folders once and write them in a compiled form that loads in a
    /// fraction of the time (for very large user catalogs): pass FILE to --catalog / PICK_CATALOG.
    #[command(
        after_help = "Examples:\n  pick catalog compile my-models/ -o my-models.pickcat\n  PICK_CATALOG=my-models.pickcat pick --license apache"
    )]
    Compile {
        /// Catalog files or folders (TOML).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Where to write the compiled catalog (replaced only when the compile succeeds).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
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
    /// Catalog id or Hugging Face repo id (e.g. meta-llama/Llama-3.1-70B-Instruct); a repo the
    /// catalog lacks is read from the Hugging Face cache (or the Hub with --online).
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
    /// 4-bit microscaling (native in gpt-oss and DeepSeek-V4 experts).
    Mxfp4,
    /// 4-bit NormalFloat (QLoRA).
    Nf4,
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
    /// Sequences served at once.
    #[arg(long, value_name = "N", value_parser = parse_positive, default_value = "1", help_heading = "Hardware")]
    pub concurrency: u64,
    /// KV cache dtype (auto = bf16).
    #[arg(long, value_enum, default_value_t = KvArg::Auto, help_heading = "Hardware")]
    pub kv_dtype: KvArg,
    /// Prompt tokens per generated token, for throughput and cost.
    #[arg(long, value_name = "R", default_value = "1", value_parser = parse_ratio, help_heading = "Hardware")]
    pub input_ratio: f64,
    /// GPUs per node (default: the GPU table's, 8 for HGX boards): tensor parallelism stays inside
    /// a node, and beyond one node plans take whole nodes.
    #[arg(long, value_name = "N", value_parser = parse_positive, help_heading = "Hardware")]
    pub gpus_per_node: Option<u64>,
}

#[derive(Debug, Args)]
pub struct FitArgs {
    /// Catalog id, Hugging Face repo id (the catalog's, else from the Hugging Face cache or, with
    /// --online, the Hub), or a local folder holding config.json.
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
pub enum ForArg {
    General,
    Code,
    Math,
    Reasoning,
    Multilingual,
    LongContext,
    Agentic,
    Chat,
}

impl From<ForArg> for Axis {
    fn from(f: ForArg) -> Axis {
        match f {
            ForArg::General => Axis::General,
            ForArg::Code => Axis::Code,
            ForArg::Math => Axis::Math,
            ForArg::Reasoning => Axis::Reasoning,
            ForArg::Multilingual => Axis::Multilingual,
            ForArg::LongContext => Axis::LongContext,
            ForArg::Agentic => Axis::Agentic,
            ForArg::Chat => Axis::Chat,
        }
    }
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
    /// What the model is used for, as the licenses draw the line: research, evaluation, poc (a
    /// proof of concept or test environment, serving no real users) or production (default).
    #[arg(
        long = "use",
        value_enum,
        value_name = "USE",
        conflicts_with = "research",
        help_heading = "License"
    )]
    pub purpose: Option<UseArg>,
    /// Who the licensee is; research licenses grant differently to each.
    #[arg(long, value_enum, default_value_t = LicenseeArg::Company, help_heading = "License")]
    pub licensee: LicenseeArg,
    /// Shorthand for --use research.
    #[arg(long, help_heading = "License")]
    pub research: bool,
    /// Monthly active users of the product (Qwen's 100M and Kimi's display thresholds count these).
    #[arg(long, value_name = "N", value_parser = units::parse_count, help_heading = "License")]
    pub mau: Option<u64>,
    /// Monthly active users of every product of the licensee and its affiliates (Llama's and DBRX's
    /// 700M and Tencent's 100M count these, whatever the use). Default: --mau, a lower bound.
    #[arg(long, value_name = "N", value_parser = units::parse_count, help_heading = "License")]
    pub group_mau: Option<u64>,
    /// Monthly revenue of the licensee (or its employer), US dollars (Mistral's modified MIT: no
    /// rights above $20M; Kimi and MiniMax display duties).
    #[arg(long, value_name = "USD", value_parser = units::parse_count, help_heading = "License")]
    pub revenue: Option<u64>,
    /// Where the licensee is domiciled: an ISO country code or name (de, Germany), eu or eea.
    #[arg(long, value_name = "PLACE", value_parser = Place::parse, help_heading = "License")]
    pub region: Option<Place>,
    /// Where the end users are (places, comma-separated or repeated).
    #[arg(long, value_name = "PLACES", value_parser = Place::parse, value_delimiter = ',', help_heading = "License")]
    pub users_in: Vec<Place>,
    /// Where the model is hosted (places, comma-separated or repeated).
    #[arg(long, value_name = "PLACES", value_parser = Place::parse, value_delimiter = ',', help_heading = "License")]
    pub hosted_in: Vec<Place>,
    /// You offer the model to others as a hosted service (an API; Falcon-180B needs a separate
    /// license, and Gemma, DeepSeek and Mistral count hosting as distribution).
    #[arg(long, help_heading = "License")]
    pub hosted: bool,
    /// You ship fine-tuned weights.
    #[arg(long, help_heading = "License")]
    pub redistribute: bool,
    /// You train another model on its outputs: general (an LLM trained to perform like it, the
    /// default) or narrow (a task model such as a classifier).
    #[arg(long, value_enum, value_name = "STUDENT", num_args = 0..=1, default_missing_value = "general", help_heading = "License")]
    pub distill: Option<StudentArg>,
    /// Fields of use, checked against each license's restricted uses (comma-separated or repeated).
    #[arg(
        long,
        value_enum,
        value_name = "DOMAINS",
        value_delimiter = ',',
        help_heading = "License"
    )]
    pub domain: Vec<DomainArg>,
    /// Rank students for this teacher (catalog or Hugging Face id): the teacher's terms on its
    /// outputs apply to each student (a ban excludes them all; a derivative student is bound by the
    /// teacher's license; naming duties carry over). The teacher and larger models are no students.
    #[arg(long, value_name = "MODEL", help_heading = "License")]
    pub teacher: Option<String>,
    #[command(flatten)]
    pub sizing: SizingArgs,
    /// Expected load in generated tokens per hour (default 1M). Suffixes k, M.
    #[arg(long, value_name = "N", value_parser = parse_positive, help_heading = "Economics")]
    pub tokens_per_hour: Option<u64>,
    /// The plan must carry the load times this factor (traffic peaks), with replicas added until it
    /// does; on the given GPUs a model that cannot is excluded (capacity-below-load).
    #[arg(long, value_name = "X", default_value = "1.5", value_parser = parse_peak, help_heading = "Economics")]
    pub peak_factor: f64,
    /// Plans whose single-stream decode is slower than this (tokens/s) are not deployable.
    #[arg(long, value_name = "N", value_parser = parse_speed, help_heading = "Economics")]
    pub min_tokens_per_s: Option<f64>,
    /// Price per GPU-hour in USD (default: the GPU table's typical on-demand rate, with its source
    /// and date; else the middle of its on-demand range).
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
    /// The task capability is rated on. Benchmarks per task: general (mmlu, mmlu-pro, mmlu-redux,
    /// bbh, agieval, ...), code (humaneval, mbpp, evalplus, livecodebench, swe-bench-verified, ...),
    /// math (math, gsm8k, aime, hmmt, ...), reasoning (gpqa, supergpqa, hle, zebralogic),
    /// multilingual (mgsm, mmmlu, include, global-mmlu), long-context (ruler, longbench-v2, mrcr),
    /// agentic (tau2-bench, bfcl, terminal-bench, browsecomp, ...), chat (arena-hard, ifeval,
    /// alpacaeval2-lc, ...).
    ///
    /// Rule: a figure is compared only with figures of the same benchmark in the same vendor table;
    /// tables chain through the models they share by a least-squares fit on the log-odds scale,
    /// logit(score) = model strength plus table difficulty; figures on another checkpoint kind than
    /// --checkpoint, or on a base that was never released, weigh half. The rating is the score
    /// expected where the strongest rated model scores 90%. A model its tables cannot place is
    /// unrated: ranked on its other components, never scored as the weakest.
    #[arg(long = "for", value_name = "TASK", value_enum, default_value_t = ForArg::General, help_heading = "Capability")]
    pub for_task: ForArg,
    /// Quality floor: exclude candidates rated below this share of the best qualifying model's
    /// capability on the --for task (default 0.85; 0 turns it off), and unrated models smaller than
    /// the median rated candidate above the floor (below-quality-floor).
    #[arg(long, value_name = "SHARE", value_parser = parse_share, help_heading = "Capability")]
    pub min_capability: Option<f64>,
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
pub enum UseArg {
    Research,
    Evaluation,
    Poc,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LicenseeArg {
    Individual,
    Academic,
    Nonprofit,
    Company,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StudentArg {
    General,
    Narrow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DomainArg {
    Military,
    Weapons,
    CriticalInfrastructure,
    LegalDecisions,
    Medical,
    Biometric,
    Surveillance,
}

impl From<UseArg> for Use {
    fn from(u: UseArg) -> Use {
        match u {
            UseArg::Research => Use::Research,
            UseArg::Evaluation => Use::Evaluation,
            UseArg::Poc => Use::Poc,
            UseArg::Production => Use::Production,
        }
    }
}

impl From<LicenseeArg> for Licensee {
    fn from(l: LicenseeArg) -> Licensee {
        match l {
            LicenseeArg::Individual => Licensee::Individual,
            LicenseeArg::Academic => Licensee::Academic,
            LicenseeArg::Nonprofit => Licensee::Nonprofit,
            LicenseeArg::Company => Licensee::Company,
        }
    }
}

impl From<DomainArg> for Domain {
    fn from(d: DomainArg) -> Domain {
        match d {
            DomainArg::Military => Domain::Military,
            DomainArg::Weapons => Domain::Weapons,
            DomainArg::CriticalInfrastructure => Domain::CriticalInfrastructure,
            DomainArg::LegalDecisions => Domain::LegalDecisions,
            DomainArg::Medical => Domain::Medical,
            DomainArg::Biometric => Domain::Biometric,
            DomainArg::Surveillance => Domain::Surveillance,
        }
    }
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
    /// Lock file (default: pick.lock beside the policy, used when it exists). With a lock, every
    /// reference must be in it and a Hugging Face cache that disagrees fails.
    #[arg(long, value_name = "FILE")]
    pub lock: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LockFormat {
    /// pick.lock (TOML), written to --lock.
    Toml,
    /// A CycloneDX 1.6 JSON BOM of the models, on stdout (nothing is written).
    Cyclonedx,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    /// Policy file whose [[model]] references are locked (default: pick.toml, when it exists).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Files or folders to scan for model references (repeatable).
    #[arg(long, value_name = "PATH")]
    pub scan: Vec<PathBuf>,
    /// Lock file to write or check (default: pick.lock beside the policy).
    #[arg(long, value_name = "FILE")]
    pub lock: Option<PathBuf>,
    /// Write nothing; exit 1 when the lock on disk is stale (for CI).
    #[arg(long)]
    pub check: bool,
    #[arg(long, value_enum, default_value_t = LockFormat::Toml)]
    pub format: LockFormat,
}

fn parse_positive(s: &str) -> Result<u64, String> {
    match units::parse_count(s)? {
        0 => Err("must be at least 1".into()),
        n => Ok(n),
    }
}

fn parse_share(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    };
    match v {
        Ok(v) if v.is_finite() && (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a share between 0 and 1 (e.g. 0.85 or 85%)"
        )),
    }
}

fn parse_peak(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (1.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a peak factor between 1 and 100 (peak load / mean load)"
        )),
    }
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v < 1e7 => Ok(v),
        _ => Err(format!(
            "`{s}` is not a speed in tokens per second (e.g. 30)"
        )),
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
            let code = u8::try_from(e.exit_code()).unwrap_or(exit::BAD_INPUT);
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
        _ => request::stale_catalog_warning(request::today()),
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
            code: exit::BAD_INPUT,
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
    let width = if terminal { terminal_width() } else { 0 };
    Style {
        color,
        terminal,
        width,
    }
}

/// The terminal's width: COLUMNS when set, else what the terminal says, else 80.
fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|&c| c >= 20)
        .or_else(|| comfy_table::Table::new().width())
        .unwrap_or(80)
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
        Some(Command::Catalog(CatalogCommand::Compile { paths, output })) => {
            let (bytes, models) = Catalog::compile(&paths)?;
            write_replacing(&output, &bytes)?;
            Ok((
                format!(
                    "compiled {models} models into {} ({} bytes)\n",
                    output.display(),
                    bytes.len()
                ),
                exit::SUCCESS,
            ))
        }
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
            // Not freed: the process ends right after, and dropping a few hundred small
            // allocations one by one is measurable next to the whole query.
            let mut catalog = std::mem::ManuallyDrop::new(Catalog::load(&paths)?);
            let online = cli.global.online || resolve::online_from_env(env);
            match command {
                None => {
                    resolve_user_lineage(&mut catalog, online)?;
                    recommend_cmd(&catalog, &cli.recommend, style)
                }
                Some(Command::List(a)) => list_cmd(&catalog, &a, style),
                Some(Command::Show(a)) => show_cmd(&mut catalog, &a, online, style),
                Some(Command::Fit(a)) => fit_cmd(&mut catalog, &a, online, style),
                Some(Command::Gate(a)) => gate_cmd(&mut catalog, &a, online, style),
                Some(Command::Lock(a)) => lock_cmd(&mut catalog, &a, online),
                Some(Command::Licenses(f)) => Ok((
                    render::catalog::licenses(&catalog, f.format == TableOrJson::Json, style),
                    0,
                )),
                Some(Command::Gpus(f)) => Ok((
                    render::catalog::gpus(&catalog, f.format == TableOrJson::Json, style),
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

/// Writes a file whole or not at all: a temporary file beside it, renamed over it.
fn write_replacing(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    if path.is_dir() {
        return Err(anyhow!(
            "{} is a folder: give a file name with -o",
            path.display()
        ));
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            anyhow!("cannot write {}: {e}", path.display())
        })
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
    let today = request::today();
    Ok((
        render::catalog::list(catalog, &models, format, today, style),
        0,
    ))
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
    let mut r = request::sizing(
        task(s.task),
        match s.precision {
            PrecisionArg::Auto => None,
            PrecisionArg::Bf16 => Some(Precision::Bf16),
            PrecisionArg::Fp8 => Some(Precision::Fp8),
            PrecisionArg::Int8 => Some(Precision::Int8),
            PrecisionArg::Int4 => Some(Precision::Int4),
            PrecisionArg::Mxfp4 => Some(Precision::Mxfp4),
            PrecisionArg::Nf4 => Some(Precision::Nf4),
        },
        s.context,
        s.concurrency,
        match s.kv_dtype {
            KvArg::Auto => KvDtype::Auto,
            KvArg::Bf16 => KvDtype::Bf16,
            KvArg::Fp8 => KvDtype::Fp8,
        },
        s.input_ratio,
    );
    r.gpus_per_node = s.gpus_per_node;
    r
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

/// Reads an environment variable (the one place the resolver's environment comes from).
fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// Where references are resolved beyond the catalog: the cache and, when online, the Hub.
fn places(online: bool) -> Result<resolve::Places> {
    resolve::Places::from_env(online, env).map_err(|e| anyhow!(e))
}

/// Resolves a reference the catalog lacks (from the cache, the Hub when online, else ./pick.lock)
/// into the catalog.
fn resolve_one(catalog: &mut Catalog, reference: &str, online: bool) -> Result<()> {
    if catalog.model(reference).is_some() || std::path::Path::new(reference).is_dir() {
        return Ok(());
    }
    let mut places = places(online)?;
    places.fallback = Lock::read(std::path::Path::new(lock::FILE_NAME))?;
    let wanted = [resolve::Wanted {
        reference: reference.to_string(),
        revision: None,
    }];
    resolve::resolve(catalog, &wanted, &places);
    Ok(())
}

/// Resolves the upstreams user-catalog entries name by Hugging Face repo id, so the recommender
/// weighs their terms as the gate does.
fn resolve_user_lineage(catalog: &mut Catalog, online: bool) -> Result<()> {
    let wanted: Vec<resolve::Wanted> = catalog
        .models
        .iter()
        .filter(|m| m.user)
        .flat_map(|m| m.lineage.iter())
        .map(|l| resolve::Wanted {
            reference: l.upstream.to_string(),
            revision: None,
        })
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    resolve::resolve(catalog, &wanted, &places(online)?);
    Ok(())
}

fn show_cmd(
    catalog: &mut Catalog,
    a: &ShowArgs,
    online: bool,
    style: Style,
) -> Result<(String, u8)> {
    resolve_one(catalog, &a.model, online)?;
    if catalog.model(&a.model).is_none() {
        if let Some(repo) = catalog.repo(&a.model) {
            let bound = lineage::of_repo(catalog, repo);
            return Ok((
                if a.format == TableOrJson::Json {
                    render::repo::show_json(repo, &bound)
                } else {
                    render::repo::show(repo, &bound, style)
                },
                0,
            ));
        }
    }
    let m = catalog
        .model_or_suggest(&a.model)
        .map_err(|e| unresolved(catalog, &a.model, e))?;
    let card = catalog.card(m, request::today());
    Ok((
        if a.format == TableOrJson::Json {
            render::catalog::show_json(&card)
        } else {
            render::catalog::show(&card, style)
        },
        0,
    ))
}

/// An unknown-model error with why the reference was not found beyond the catalog.
fn unresolved(catalog: &Catalog, reference: &str, e: anyhow::Error) -> anyhow::Error {
    match catalog.unresolved.get(&catalog::reference_key(reference)) {
        Some(why) => anyhow!("{e}\n(as a Hugging Face repository: {why})"),
        None => e,
    }
}

fn fit_cmd(catalog: &mut Catalog, a: &FitArgs, online: bool, style: Style) -> Result<(String, u8)> {
    let spec = a
        .sizing
        .gpus
        .as_deref()
        .ok_or_else(|| anyhow!("pick fit needs --gpus SPEC, e.g. --gpus 4xH100"))?;
    resolve_one(catalog, &a.model, online)?;
    let catalog: &Catalog = catalog;
    let set = request::gpus(catalog, spec)?;
    let shape = request::shape(catalog, &a.model).map_err(|e| unresolved(catalog, &a.model, e))?;
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
    let mut report = fit::fit_explained(&shape, set.gpu, set.count, &req);
    // A catalog model has a usable context (maybe below its claim); a local config only its own.
    let (usable, claimed) = match catalog
        .model(&a.model)
        .filter(|_| !std::path::Path::new(&a.model).is_dir())
    {
        Some(m) => (
            m.context_usable_tokens.unwrap_or(m.context_tokens),
            m.context_tokens,
        ),
        None => (shape.max_context, shape.max_context),
    };
    fit::check_context(&mut report, usable, claimed);
    let code = if report.feasible() {
        exit::SUCCESS
    } else {
        exit::NO_RESULT
    };
    let mut text = match a.format {
        TableOrJson::Json => render::fit::report_json(&report),
        TableOrJson::Table => render::fit::report_table(&report, style),
    };
    // A repository the catalog lacks: say where the sized facts came from.
    if a.format == TableOrJson::Table && catalog.model(&a.model).is_none() {
        if let Some(repo) = catalog.repo(&a.model) {
            let index = if repo.weight_bytes.is_some() {
                " and model.safetensors.index.json"
            } else {
                ""
            };
            text = format!(
                "facts: config.json{index} of {} at revision {}, from {}\n{text}",
                repo.id,
                repo.revision,
                repo.resolved_from().describe()
            );
        }
    }
    Ok((text, code))
}

fn recommend_cmd(catalog: &Catalog, a: &RecommendArgs, style: Style) -> Result<(String, u8)> {
    let allow = if a.license.is_empty() {
        Allow::any()
    } else {
        Allow::parse(catalog, &a.license).map_err(|e| anyhow!("--license: {e}"))?
    };
    let mut domains: Vec<Domain> = a.domain.iter().map(|d| (*d).into()).collect();
    domains.sort();
    domains.dedup();
    let usage = Usage {
        purpose: match (a.purpose, a.research) {
            (Some(u), _) => u.into(),
            (None, true) => Use::Research,
            (None, false) => Use::Production,
        },
        licensee: a.licensee.into(),
        mau: a.mau,
        group_mau: a.group_mau,
        revenue_usd_month: a.revenue,
        region: a.region,
        users_in: a.users_in.clone(),
        hosted_in: a.hosted_in.clone(),
        hosted: a.hosted,
        redistribute: a.redistribute,
        distill: a.distill.map(|s| match s {
            StudentArg::General => Student::General,
            StudentArg::Narrow => Student::Narrow,
        }),
        domains,
    };
    let teacher = a
        .teacher
        .as_deref()
        .map(|t| catalog.model_or_suggest(t))
        .transpose()
        .map_err(|e| anyhow!("--teacher: {e}"))?;
    let hardware = request::hardware(catalog, a.sizing.gpus.as_deref())?;
    let query = Query {
        allow,
        usage,
        hardware,
        fit: Request {
            engine: a.engine.map_or(Engine::Vllm, Into::into),
            ..fit_request(&a.sizing)
        },
        tokens_per_hour: a
            .tokens_per_hour
            .map_or(recommend::DEFAULT_TOKENS_PER_HOUR, |t| t as f64),
        peak_factor: a.peak_factor,
        min_tokens_per_s: a.min_tokens_per_s,
        axis: a.for_task.into(),
        min_capability: a.min_capability,
        teacher,
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
        today: request::today(),
    };
    // Not freed, like the catalog: the process ends once the text is written.
    let report = std::mem::ManuallyDrop::new(recommend::recommend(catalog, &query));
    let code = if report.candidates.is_empty() {
        exit::NO_RESULT
    } else {
        exit::SUCCESS
    };
    let text = match a.format {
        OutputFormat::Table => render::recommend::report_table(&report, &query, a.explain, style),
        OutputFormat::Json => render::recommend::report_json(&report, &query),
        OutputFormat::Csv => render::recommend::report_delimited(&report, false),
        OutputFormat::Tsv => render::recommend::report_delimited(&report, true),
        OutputFormat::Ids => render::recommend::report_ids(&report),
    };
    Ok((text, code))
}

/// The lock beside a policy file, or the one given.
fn lock_path(policy: &std::path::Path, given: Option<&PathBuf>) -> PathBuf {
    given.cloned().unwrap_or_else(|| {
        policy
            .parent()
            .unwrap_or(std::path::Path::new(""))
            .join(lock::FILE_NAME)
    })
}

fn wanted(refs: &[gate::PolicyModel]) -> Vec<resolve::Wanted> {
    refs.iter()
        .map(|r| resolve::Wanted {
            reference: r.reference.clone(),
            revision: r.revision.clone(),
        })
        .collect()
}

fn gate_cmd(
    catalog: &mut Catalog,
    a: &GateArgs,
    online: bool,
    style: Style,
) -> Result<(String, u8)> {
    let today = match &a.today {
        Some(t) => request::date("--today", t)?,
        None => request::today(),
    };
    let policy = gate::load_policy(&a.policy, catalog)?;
    let (refs, summary) = gate::references(catalog, &policy, &a.scan)?;
    let path = lock_path(&a.policy, a.lock.as_ref());
    let mut places = places(online)?;
    places.lock = match Lock::read(&path)? {
        Some(l) => Some(l),
        None if a.lock.is_some() => {
            return Err(anyhow!(
                "--lock {}: no such file (write it with `pick lock`)",
                path.display()
            ))
        }
        None => None,
    };
    let resolution = resolve::resolve(catalog, &wanted(&refs), &places);
    let report = gate::run_refs(catalog, &policy, refs, summary, today, &resolution);
    let text = match a.format {
        GateFormat::Human => render::gate::report_human(&report, style),
        GateFormat::Json => render::gate::report_json(&report),
        GateFormat::Github => render::gate::report_github(&report),
        GateFormat::Sarif => render::gate::report_sarif(&report),
        GateFormat::Markdown => render::gate::report_markdown(&report),
    };
    Ok((
        text,
        if report.passed {
            exit::SUCCESS
        } else {
            exit::NO_RESULT
        },
    ))
}

fn lock_cmd(catalog: &mut Catalog, a: &LockArgs, online: bool) -> Result<(String, u8)> {
    let default_policy = PathBuf::from("pick.toml");
    let policy_path = a.policy.clone().unwrap_or(default_policy);
    let policy = if a.policy.is_some() || policy_path.exists() {
        Some(gate::load_policy(&policy_path, catalog)?)
    } else {
        None
    };
    let refs = match &policy {
        Some(p) => gate::references(catalog, p, &a.scan)?.0,
        None => {
            let resolves = |r: &str| catalog.model(r).is_some();
            let found =
                crate::scan::scan(&a.scan, &resolves).map_err(|e| anyhow!("--scan: {e}"))?;
            found
                .found
                .into_iter()
                .map(|f| gate::PolicyModel {
                    reference: f.reference,
                    revision: None,
                    license: None,
                    location: gate::Location {
                        file: f.file,
                        line: f.line,
                    },
                })
                .collect()
        }
    };
    if refs.is_empty() {
        return Err(anyhow!(
            "nothing to lock: no [[model]] in {} and no reference found by --scan",
            policy_path.display()
        ));
    }
    let path = lock_path(&policy_path, a.lock.as_ref());
    let old = Lock::read(&path)?;
    let mut places = places(online)?;
    // What the cache and the Hub no longer have stays as it was locked.
    places.fallback = old.clone();
    resolve::resolve(catalog, &wanted(&refs), &places);
    let mut references: Vec<String> = Vec::new();
    for r in &refs {
        if !references.contains(&r.reference) {
            references.push(r.reference.clone());
        }
    }
    let unresolved: Vec<String> = references
        .iter()
        .filter(|r| catalog.model(r).is_none() && catalog.repo(r).is_none())
        .map(|r| {
            let why = catalog
                .unresolved
                .get(&catalog::reference_key(r))
                .map_or(String::new(), |w| format!(": {w}"));
            format!("  {r}{why}\n")
        })
        .collect();
    let fresh = lock::build(catalog, &references);
    if a.format == LockFormat::Cyclonedx {
        let bom = render::bom::cyclonedx(catalog, &fresh);
        return Ok((
            bom,
            if unresolved.is_empty() {
                0
            } else {
                exit::NO_RESULT
            },
        ));
    }
    let unresolved_note = if unresolved.is_empty() {
        String::new()
    } else {
        format!(
            "{} reference(s) could not be resolved (the gate fails on them):\n{}",
            unresolved.len(),
            unresolved.concat()
        )
    };
    if a.check {
        let Some(old) = old else {
            return Ok((
                format!("{} is missing: run `pick lock`\n", path.display()),
                exit::NO_RESULT,
            ));
        };
        let diffs = lock::differences(&old, &fresh);
        if diffs.is_empty() && unresolved.is_empty() {
            return Ok((format!("{} is up to date\n", path.display()), exit::SUCCESS));
        }
        let mut out = String::new();
        if !diffs.is_empty() {
            out.push_str(&format!(
                "{} is stale: run `pick lock` and review the change\n",
                path.display()
            ));
            for d in diffs {
                out.push_str(&format!("  {d}\n"));
            }
        }
        out.push_str(&unresolved_note);
        return Ok((out, exit::NO_RESULT));
    }
    let text = fresh.to_toml()?;
    std::fs::write(&path, text).map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
    let mut out = format!(
        "wrote {}: {} catalog model(s), {} repositor{}\n",
        path.display(),
        fresh.models.len(),
        fresh.repos.len(),
        if fresh.repos.len() == 1 { "y" } else { "ies" }
    );
    for r in &fresh.repos {
        out.push_str(&format!(
            "  {} @ {} ({}) {}\n",
            r.id,
            r.short_revision(),
            r.source.as_str(),
            r.hash
        ));
    }
    out.push_str(&unresolved_note);
    Ok((
        out,
        if unresolved.is_empty() {
            exit::SUCCESS
        } else {
            exit::NO_RESULT
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn tiers_parse() {
        use crate::catalog::Tier;
        assert_eq!(Tier::parse("non-commercial"), Some(Tier::NonCommercial));
    }
}
