//! The request layer: what a command line says, turned into validated domain requests in one
//! place. Defaults (the context per task, the yardstick GPU when `--gpus` is absent), model
//! references (a local folder or a catalog id), GPU specs and dates are resolved here, so `cli`
//! keeps only clap and dispatch and the gate shares the same rules.

use crate::catalog::{self, Catalog, Date, Weights};
use crate::fit::{self, KvDtype, Precision, Request, Shape, Task};
use crate::recommend::{self, Hardware};
use crate::{hardware, localmodel};
use anyhow::{anyhow, Result};
use std::path::Path;

/// Exit codes, the same for every command.
pub mod exit {
    /// Success: candidates found, the gate passed, a plan fits.
    pub const SUCCESS: u8 = 0;
    /// A valid request with a negative answer: no model qualifies, the gate failed, nothing fits.
    pub const NO_RESULT: u8 = 1;
    /// Bad input or an error: nothing was decided.
    pub const BAD_INPUT: u8 = 2;
}

/// What to size: the task's default context unless one is given.
pub fn sizing(
    task: Task,
    precision: Option<Precision>,
    context: Option<u64>,
    concurrency: u64,
    kv_dtype: KvDtype,
    input_ratio: f64,
) -> Request {
    let default_context = if task.is_training() {
        fit::DEFAULT_TRAIN_CONTEXT
    } else {
        fit::DEFAULT_SERVE_CONTEXT
    };
    Request {
        task,
        precision,
        context: context.unwrap_or(default_context),
        concurrency,
        kv_dtype,
        input_ratio,
        ..Request::serve(default_context)
    }
}

/// GPUs from a `--gpus` spec (`4xH100`, `auto` for nvidia-smi).
pub fn gpus<'c>(catalog: &'c Catalog, spec: &str) -> Result<hardware::GpuSet<'c>> {
    let r = if spec.trim().eq_ignore_ascii_case("auto") {
        hardware::detect_local(catalog)
    } else {
        hardware::parse_spec(catalog, spec)
    };
    r.map_err(|e| anyhow!("--gpus: {e}"))
}

/// The hardware a ranking is made against: the given GPUs, or one yardstick GPU (each model is
/// then sized on as many as it needs).
pub fn hardware<'c>(catalog: &'c Catalog, spec: Option<&str>) -> Result<Hardware<'c>> {
    match spec {
        Some(spec) => {
            let set = gpus(catalog, spec)?;
            Ok(Hardware {
                gpu: set.gpu,
                count: set.count,
                given: true,
            })
        }
        None => {
            let gpu = catalog
                .gpu(recommend::YARDSTICK_GPU)
                .ok_or_else(|| anyhow!("the GPU catalog lacks {}", recommend::YARDSTICK_GPU))?;
            Ok(Hardware {
                gpu,
                count: 1,
                given: false,
            })
        }
    }
}

/// The shape to size for a model reference: a local folder holding config.json, else a catalog
/// id or Hugging Face repo id, else a repository resolved into the catalog (`crate::resolve`:
/// the Hugging Face cache or the Hub), sized from its config.json and safetensors index.
pub fn shape(catalog: &Catalog, reference: &str) -> Result<Shape> {
    let path = Path::new(reference);
    // Anything named config.json in the folder (even a FIFO or a device behind a symlink) makes it
    // a local model: `localmodel::load` then reads it safely or says what is wrong with it.
    if path.is_dir() && std::fs::symlink_metadata(path.join("config.json")).is_ok() {
        return localmodel::load(path);
    }
    if catalog.model(reference).is_none() {
        if let Some(repo) = catalog.repo(reference) {
            return repo_shape(repo);
        }
    }
    let m = catalog.model_or_suggest(reference).map_err(|e| {
        if path.is_dir() {
            anyhow!("{} has no config.json, and {e}", path.display())
        } else {
            e
        }
    })?;
    Shape::from_model(m).ok_or_else(|| {
        anyhow!(
            "`{}` is {}: there are no weights to size",
            m.id,
            if m.weights == Weights::Api {
                "API-only"
            } else {
                "not released"
            }
        )
    })
}

/// The shape of a resolved repository: its config.json (sized as a local folder's would be) and the
/// exact weight bytes of its safetensors index. A repository read back from pick.lock has no
/// config.json to size.
pub fn repo_shape(repo: &catalog::Repo) -> Result<Shape> {
    let Some(config) = &repo.config else {
        return Err(anyhow!(
            "{} at {} ({}) has no config.json to size{}",
            repo.id,
            repo.short_revision(),
            repo.resolved_from().describe(),
            if repo.from_lock {
                ": pick.lock keeps an architecture summary only; download the repository into the Hugging Face cache or pass --online"
            } else {
                " (a GGUF-only or adapter repository): size its base model instead"
            }
        ));
    };
    let file = format!("{}@{}/config.json", repo.id, repo.short_revision());
    let mut shape = localmodel::parse_config(&file, config)?;
    shape.id = format!("{}@{}", repo.id, repo.short_revision());
    shape.native_bytes = repo.weight_bytes.map(|b| b as f64);
    Ok(shape)
}

/// A date argument (`--today`), strictly YYYY-MM-DD.
pub fn date(flag: &str, text: &str) -> Result<Date> {
    Date::parse(text).ok_or_else(|| anyhow!("{flag}: `{text}` is not a date (YYYY-MM-DD)"))
}

/// Today (UTC), or PICK_TODAY (YYYY-MM-DD) when set: tests and reproducible runs fix the date.
pub fn today() -> Date {
    std::env::var("PICK_TODAY")
        .ok()
        .and_then(|t| Date::parse(&t))
        .unwrap_or_else(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            Date::from_days((secs / 86_400) as i64)
        })
}

/// Days after which the embedded catalog counts as stale.
pub const STALE_AFTER_DAYS: i64 = 90;

/// A warning when the embedded catalog is more than `STALE_AFTER_DAYS` older than `today`, unless
/// PICK_STALE_OK is set.
pub fn stale_catalog_warning(today: Date) -> Option<String> {
    if std::env::var_os("PICK_STALE_OK").is_some_and(|v| !v.is_empty()) {
        return None;
    }
    let as_of = catalog::embedded_as_of()?;
    let age = today.days() - as_of.days();
    (age > STALE_AFTER_DAYS).then(|| {
        format!("pick: warning: the embedded catalog is from {as_of}, {age} days old: newer models, prices and retirements are missing; update pick (PICK_STALE_OK=1 silences this)\n")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_real_date() {
        let d = today();
        assert!(d.year >= 2024 && Date::parse(&d.to_string()) == Some(d));
    }

    #[test]
    fn default_context_follows_the_task() {
        let serve = sizing(Task::Serve, None, None, 1, KvDtype::Auto, 1.0);
        assert_eq!(serve.context, fit::DEFAULT_SERVE_CONTEXT);
        let lora = sizing(Task::Lora, None, None, 1, KvDtype::Auto, 1.0);
        assert_eq!(lora.context, fit::DEFAULT_TRAIN_CONTEXT);
        assert_eq!(
            sizing(Task::Lora, None, Some(77), 1, KvDtype::Auto, 1.0).context,
            77
        );
    }
}
