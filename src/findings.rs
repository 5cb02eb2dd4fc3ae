//! One vocabulary of findings: every code the recommender and the gate emit, with its kebab-case
//! name, the levels it appears at and a one-line description. The README's table of codes and the
//! SARIF rule descriptions are made from this list (a test keeps the README in sync), so a code
//! cannot be added, renamed or dropped in one place only.

use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// Finding levels; `Fail` excludes a model (recommender) or denies it (gate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Pass,
    Info,
    Warn,
    Fail,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Pass => "pass",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Fail => "fail",
        }
    }
}

/// Declares `Code` with its names, levels and descriptions in one table.
macro_rules! codes {
    ($($variant:ident = $name:literal, [$($level:ident),+], $description:literal;)*) => {
        /// A finding code (kebab-case in every output).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the README's order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The levels this code is emitted at.
            pub fn levels(self) -> &'static [Level] {
                match self {
                    $(Code::$variant => &[$(Level::$level),+],)*
                }
            }

            /// What the code means, in one line.
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
            }
        }
    };
}

codes! {
    LicenseNotAllowed = "license-not-allowed", [Fail], "a binding license is not in the allowed licenses / tiers";
    LicenseNonCommercial = "license-non-commercial", [Fail], "the license does not grant this use (`--use`) to this licensee (`--licensee`), in its own definitions (research-only, non-production and non-commercial licenses)";
    LicenseMauLimit = "license-mau-limit", [Fail], "a user or revenue threshold withholds the rights (Llama and DBRX 700M MAU of the licensee and affiliates whatever the use, Tencent 100M, Qwen 100M commercial, Mistral's $20M monthly revenue)";
    LicenseRegion = "license-region", [Fail, Warn], "a territorial exclusion: no rights where the licensee is domiciled, the users are or the model runs (Tencent Hunyuan: EU, UK, South Korea; multimodal Llama 3.2 / 4: EU domicile); a warning when the place is not declared";
    LicenseHosting = "license-hosting", [Fail], "offering the model to others as a hosted service needs a separate license (Falcon-180B; API terms)";
    LicenseDistillForbidden = "license-distill-forbidden", [Fail], "outputs may not train the kind of model `--distill` names (DBRX, Llama 2/3, Tongyi Qianwen: other LLMs; xAI: general-purpose models; Tencent: any model; research licenses outside their grant)";
    LicenseUseRestricted = "license-use-restricted", [Fail, Warn], "a `--domain` the license or its acceptable-use policy bars (the clause is quoted); a warning when it bars it under a condition, or the policy was not transcribed";
    LicenseRedistribution = "license-redistribution", [Fail], "fine-tuned weights may not be shipped (API terms; research licenses outside their grant)";
    LicenseUnknown = "license-unknown", [Fail], "a license without known terms";
    LicenseMissing = "license-missing", [Fail], "a repository (or one of its upstreams) declares no license: its terms are unknown";
    LineageMissing = "lineage-missing", [Fail], "a user-catalog entry in a family with non-permissive licenses states no lineage (nor the family's license)";
    LineageUnresolved = "lineage-unresolved", [Fail], "an upstream cannot be resolved (offline and not cached, a cycle, deeper than 8 levels): its terms are unknown";
    FitInsufficientMemory = "fit-insufficient-memory", [Fail], "no plan fits the GPUs (the message says by how much and what would fit)";
    FitUnknownArchitecture = "fit-unknown-architecture", [Fail], "the catalog has no architecture to size";
    ContextTooShort = "context-too-short", [Fail], "usable context below the context served (`--context`, default 8192 for serving); `pick fit` exits 1 with it";
    ModalityMissing = "modality-missing", [Fail], "the model lacks the `--modality` input";
    EngineUnsupported = "engine-unsupported", [Fail], "the `--engine` does not support it (or support is not recorded)";
    FinetuneUnsupported = "finetune-unsupported", [Fail], "the `--finetune-with` framework does not support it (or not recorded)";
    ClassMismatch = "class-mismatch", [Fail], "dense vs MoE (`--class`)";
    ApiOnly = "api-only", [Fail, Warn], "no weights to self-host (a warning when `--include-api` admits it)";
    NoWeights = "no-weights", [Fail], "announced, weights never released";
    ModelRetired = "model-retired", [Fail, Warn], "the model is no longer served or supported (or its announced shutdown date has come); a warning for a `--teacher`, whose terms still bind the outputs collected";
    NoBaseCheckpoint = "no-base-checkpoint", [Fail, Warn], "no base (pre-trained) checkpoint was released (fail with `--checkpoint base`)";
    NoInstructCheckpoint = "no-instruct-checkpoint", [Fail], "`--checkpoint instruct`: no post-trained checkpoint was released";
    SpecializedModel = "specialized-model", [Fail], "built for one narrow job (a safety classifier, a theorem prover, an environment simulator): not ranked as a model to build on; `pick show` and `pick fit` still answer for it";
    CapacityBelowLoad = "capacity-below-load", [Fail], "the GPUs cannot carry the load times the peak factor (`--peak-factor`, default 1.5); the message says how many would";
    SpeedBelowMinimum = "speed-below-minimum", [Fail], "no plan decodes one stream as fast as `--min-tokens-per-s`";
    BelowQualityFloor = "below-quality-floor", [Fail], "capability on the `--for` axis below the floor (`--min-capability`, default 85% of the best qualifying model's); an unrated model smaller than the median rated one above the floor";
    NotAStudent = "not-a-student", [Fail], "`--teacher`: the teacher itself, or a model at least as large as the teacher";
    ModelUnknown = "model-unknown", [Fail], "gate: the reference is not in the catalog, pick.lock or the Hugging Face cache (nor on the Hub with `--online`)";
    ExceptionExpired = "exception-expired", [Fail], "gate: the exception's `expires` date has passed";
    LockMissing = "lock-missing", [Fail], "gate: pick.lock is in use and does not list the reference (run `pick lock`)";
    LockMismatch = "lock-mismatch", [Fail], "gate: the Hugging Face cache holds other files or another revision than pick.lock recorded";
    NoModels = "no-models", [Fail, Warn], "gate: nothing was gated (a warning with `allow_empty = true` in `[scan]`)";
    ScanEmpty = "scan-empty", [Fail, Warn], "gate: `--scan` found no model reference, so a mistyped path cannot pass (a warning with `allow_empty = true`)";
    ExceptionUnused = "exception-unused", [Warn], "gate: an exception matches no model";
    ExceptionVersion = "exception-version", [Warn], "gate: an exception reviewed another version of the license text than the one in force, so it waives nothing";
    ModelDeprecated = "model-deprecated", [Warn], "shutdown announced (the date is in the message)";
    LicenseDistillDerivative = "license-distill-derivative", [Warn], "a model trained on outputs is a derivative bound by the license (Gemma, DeepSeek v1, Tencent: when trained to perform similarly)";
    CapabilityUnrated = "capability-unrated", [Warn], "no comparable evidence on the `--for` axis: ranked on its other components (capability weight redistributed), marked in the table";
    LicenseUnpinned = "license-unpinned", [Warn], "gate: no revision is pinned, so the license text checked may not be the one shipped (texts change in place)";
    CostUnknown = "cost-unknown", [Warn], "no GPU price known (give `--gpu-price`)";
    ExceptionApplied = "exception-applied", [Info], "gate: an exception waived the finding codes it names (and nothing else)";
    ExceptionNotNeeded = "exception-not-needed", [Info], "gate: none of the codes an exception names fails for its model";
    ModelSuperseded = "model-superseded", [Info], "a newer model of the family replaces it";
    LicenseObligation = "license-obligation", [Info], "duties that remain under the license for this use, each with its clause (attribution, naming, notices, passing restrictions on)";
    LicenseNotice = "license-notice", [Info], "the notice text to ship with redistributed weights";
    LicenseAup = "license-aup", [Info], "an acceptable-use policy applies";
    LicenseAttribution = "license-attribution", [Info], "above a user or revenue threshold, a commercial product must display the attribution (Kimi K2, MiniMax M2)";
    LicenseVersion = "license-version", [Info, Warn], "gate: the version of the license text in force at the pinned revision (a warning when the revision is not in the recorded history of a text that changed)";
    LicenseDistillNaming = "license-distill-naming", [Info], "a model trained on its outputs must carry the naming / attribution duty";
    LicenseInherited = "license-inherited", [Info], "an upstream's license binds the model (quantized, adapter, fine-tune, merge, or outputs the license covers)";
    Fit = "fit", [Pass], "the plan that fits: precision, layout, memory per GPU, concurrency";
    FitNeeds = "fit-needs", [Pass], "without `--gpus`: how many yardstick GPUs the model needs";
    Cost = "cost", [Info], "cost per 1M tokens at the load, GPUs kept running and free, break-even against the same model bought per token and the cheapest API";
    ApiPrice = "api-price", [Info], "an API model's price per 1M generated tokens";
    Capability = "capability", [Info], "the capability rating on the `--for` axis and the figures it rests on (benchmark, table, date)";
    Score = "score", [Info], "the score and its components";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad` honours width and alignment (`{:<22}` in the reason columns).
        f.pad(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One reason, with a stable code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    /// Borrowed when the text is fixed (a code's meaning, a set phrase): the ranking makes one
    /// for every model a filter excludes, and most are.
    pub message: Cow<'static, str>,
}

impl Finding {
    pub fn new(code: Code, level: Level, message: impl Into<Cow<'static, str>>) -> Finding {
        debug_assert!(
            code.levels().contains(&level),
            "{code} is not emitted at {level:?}: add the level to the codes table"
        );
        Finding {
            code,
            level,
            message: message.into(),
        }
    }
}

/// A place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
}

/// The README's table of codes (between its `codes:start` and `codes:end` markers).
pub fn markdown_table() -> String {
    let mut out = String::from("| code | level | meaning |\n|---|---|---|\n");
    for code in Code::ALL {
        let levels: Vec<&str> = code.levels().iter().map(|l| l.as_str()).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            code.as_str(),
            levels.join(" / "),
            code.description()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                    && !name.starts_with('-')
                    && !name.ends_with('-'),
                "{name}"
            );
            assert!(!code.levels().is_empty() && !code.description().is_empty());
        }
    }

    #[test]
    fn the_readme_table_is_this_list() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("<!-- codes:start -->\n")
            .expect("README has the codes:start marker")
            + "<!-- codes:start -->\n".len();
        let end = readme[start..]
            .find("<!-- codes:end -->")
            .expect("README has the codes:end marker")
            + start;
        assert_eq!(
            &readme[start..end],
            markdown_table(),
            "README's code table is out of date: paste findings::markdown_table() between the markers"
        );
    }
}
