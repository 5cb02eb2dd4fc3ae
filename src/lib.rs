//! `pick`: which open-weight base checkpoint to build on, and why.
//!
//! The library holds the domain; `cli` turns command-line arguments into calls on it and `render`
//! turns its reports into text. Domain modules never see clap and never print.
//!
//! - `request`: command-line words turned into validated requests: defaults, GPUs, model
//!   references, dates, exit codes
//! - `capability`: task axes, benchmark map and the rating of published evidence
//! - `catalog`: families, models, licenses and GPUs with sources; `pick catalog check`
//! - `arch`: parameter counts and KV-cache layout derived from config.json values
//! - `hardware`: `--gpus` specs (`4xH100`), nvidia-smi detection
//! - `hf`: Hugging Face repositories: the local cache, the Hub (only when asked), model cards
//! - `engines`: serving-engine profiles (memory reservation, overheads, KV default, kernels)
//! - `sizing`: what fit and throughput share: the request, weight formats, a model's shape
//! - `fit`: serving and fine-tuning memory, parallel plans
//! - `throughput`: decode/prefill estimates and plan capacity
//! - `training`: fine-tuning stacks (trainer, optimizer, offload): bytes per parameter, sharding
//! - `economics`: cost per 1M tokens at a load, API break-even
//! - `findings`: every finding code with its levels and meaning (README and SARIF come from it)
//! - `license`: license clauses evaluated against a usage context (shared by recommender and gate):
//!   grants by use and licensee, thresholds, territories, outputs, hosting, restricted uses,
//!   duties, the text version in force
//! - `places`: ISO 3166-1 countries, EU and EEA membership (`--region`, `--users-in`, `--hosted-in`)
//! - `recommend`: filters, scores and ranks candidates with reasons
//! - `gate`: the CI license gate: policy file, model references, exceptions, findings
//! - `scan`: model references in a source tree (`refs`), which files are read and which skipped
//!   (`walk`, `.gitignore`-aware), paths relative to the repository root
//! - `lineage`: the licenses a model inherits from what it derives from (quantized, adapter,
//!   fine-tune, merge, trained on outputs)
//! - `resolve`: model references resolved in order: catalogs, pick.lock, the Hugging Face cache,
//!   the Hub (only when asked); repositories' upstreams recursively
//! - `lock`: `pick.lock`, the resolved facts CI gates with
//! - `input`: reading user files safely (regular files only, size limits, folder walks)
//! - `render`: tables, JSON, CSV, SARIF, ... as pure functions of reports

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod capability;
pub mod catalog;
/// Derived architecture quantities live with the catalog types they derive from (no module cycle).
pub use catalog::arch;
pub mod cli;
pub mod economics;
pub mod engines;
pub mod fasthash;
pub mod findings;
pub mod fit;
pub mod gate;
pub mod hardware;
pub mod hf;
pub mod input;
pub mod license;
pub mod lineage;
pub mod localmodel;
pub mod lock;
pub mod places;
pub mod problem;
pub mod recommend;
pub mod render;
pub mod request;
pub mod resolve;
pub mod scan;
pub mod sizing;
pub mod suggest;
pub mod throughput;
pub mod training;
pub mod units;
