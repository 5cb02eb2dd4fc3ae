//! `pick list`, `pick show`, `pick licenses`, `pick gpus`, `pick catalog check` output.

use super::license as words;
use super::{delimited, json, num, Pairs, Style, SCHEMA_VERSION};
use crate::catalog::{
    ArchClass, CapabilityProtocol, Catalog, Checkpoint, CheckpointKind, DataOpenness, Date, Dtype,
    Duty, Effect, Gpu, Grant, HostingTerms, License, Modality, Model, ModelCard, ModelScope,
    Outputs, Party, Redistribution, Restriction, Status, Support, Territory, Text, Threshold, Tier,
    ToolSupport, Version, Via, Weights,
};
use serde::Serialize;

/// A model's list entry (the `pick list --format json` contract), also the head of `show`'s.
#[derive(Serialize)]
struct ModelJson<'a> {
    id: &'a str,
    name: &'a str,
    vendor: &'a str,
    family: &'a str,
    /// The base checkpoint's repo, else the first released one.
    hf_repo: Option<&'a str>,
    hf_repo_instruct: Option<&'a str>,
    checkpoints: &'a [Checkpoint],
    base_released: bool,
    /// Why no base checkpoint is listed (the evidence), when none is.
    base_note: Option<&'a str>,
    /// What a model built for one narrow job is for (not ranked by the recommender).
    specialized: Option<&'a str>,
    status: Status,
    status_date: Option<Date>,
    superseded_by: Option<&'a str>,
    weights: Weights,
    architecture: Option<ArchClass>,
    /// Null for an API model whose vendor does not disclose its size.
    params_total_b: Option<f64>,
    params_active_b: Option<f64>,
    context_tokens: u64,
    context_usable_tokens: Option<u64>,
    license: ModelLicenseJson<'a>,
    released: Date,
    modalities: &'a [Modality],
    capability_mmlu: Option<f64>,
    capability_protocol: Option<CapabilityProtocol>,
    price_input_per_m: Option<f64>,
    price_output_per_m: Option<f64>,
    /// Open weights only.
    arch: Option<ArchJson>,
    catalog_file: &'a str,
}

#[derive(Serialize)]
struct ModelLicenseJson<'a> {
    id: &'a str,
    /// Null when the catalog has no terms for the license.
    tier: Option<Tier>,
    also_bound_by: &'a [Text],
}

/// The config.json facts of an open model (0 where a feature is absent: experts of a dense model).
#[derive(Serialize)]
struct ArchJson {
    layers: u64,
    hidden_size: u64,
    attention_heads: u64,
    kv_heads: u64,
    head_dim: u64,
    vocab_size: u64,
    intermediate_size: u64,
    tied_embeddings: bool,
    experts: u64,
    experts_per_token: u64,
    shared_experts: u64,
    moe_intermediate_size: u64,
    /// Leading dense layers of a MoE model.
    dense_layers: u64,
    kv_lora_rank: u64,
    /// MLA's decoupled RoPE dimension, cached beside the latent.
    qk_rope_head_dim: u64,
    sliding_window: u64,
    sliding_window_layers: u64,
}

impl<'a> ModelJson<'a> {
    /// `tier`: the tier of the model's own license, when the catalog knows its terms; `status`:
    /// the model's on the day asked about.
    fn new(m: &'a Model, tier: Option<Tier>, status: Status) -> ModelJson<'a> {
        let params = |v: f64| {
            (m.weights == Weights::Open || v > 0.0)
                .then(|| num(v))
                .flatten()
        };
        ModelJson {
            id: &m.id,
            name: &m.name,
            vendor: &m.vendor,
            family: &m.family,
            hf_repo: m.primary_repo(),
            hf_repo_instruct: m
                .checkpoint(CheckpointKind::Instruct)
                .map(|c| c.hf_repo.as_str()),
            checkpoints: &m.checkpoints,
            base_released: m.base_released(),
            base_note: m.base_note.as_deref(),
            specialized: m.specialized.as_deref(),
            status,
            status_date: m.status_date,
            superseded_by: m.superseded_by.as_deref(),
            weights: m.weights,
            architecture: m.architecture,
            params_total_b: params(m.params_total_b),
            params_active_b: params(m.params_active_b),
            context_tokens: m.context_tokens,
            context_usable_tokens: m.context_usable_tokens,
            license: ModelLicenseJson {
                id: &m.license,
                tier,
                also_bound_by: &m.also_bound_by,
            },
            released: m.released,
            modalities: &m.modalities,
            capability_mmlu: m.capability_mmlu,
            capability_protocol: m.capability_protocol,
            price_input_per_m: m.price_input_per_m,
            price_output_per_m: m.price_output_per_m,
            arch: m
                .arch
                .as_ref()
                .filter(|_| m.weights == Weights::Open)
                .map(|a| ArchJson {
                    layers: a.layers,
                    hidden_size: a.hidden_size,
                    attention_heads: a.attention_heads,
                    kv_heads: a.kv_heads,
                    head_dim: a.head_dim,
                    vocab_size: a.vocab_size,
                    intermediate_size: a.intermediate_size,
                    tied_embeddings: a.tied_embeddings,
                    experts: a.experts,
                    experts_per_token: a.experts_per_token,
                    shared_experts: a.shared_experts,
                    moe_intermediate_size: a.moe_intermediate_size,
                    dense_layers: a.dense_layers,
                    kv_lora_rank: a.kv_lora_rank,
                    qk_rope_head_dim: a.qk_rope_head_dim,
                    sliding_window: a.sliding_window,
                    sliding_window_layers: a.sliding_window_layers,
                }),
            catalog_file: &m.origin,
        }
    }
}

/// `pick list --format json`.
#[derive(Serialize)]
struct ListJson<'a> {
    schema_version: u32,
    /// When the catalog's facts were last reviewed.
    catalog_as_of: Option<Date>,
    models: Vec<ModelJson<'a>>,
}

fn params_text(m: &Model) -> String {
    match (m.weights, m.is_moe()) {
        (Weights::Api, _) if m.params_total_b <= 0.0 => "undisclosed".into(),
        (_, true) => format!(
            "{}B ({}B active)",
            trim(m.params_total_b),
            trim(m.params_active_b)
        ),
        _ => format!("{}B", trim(m.params_total_b)),
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn context_text(m: &Model) -> String {
    match m.context_usable_tokens {
        Some(u) if u != m.context_tokens => format!("{} ({} usable)", m.context_tokens, u),
        _ => m.context_tokens.to_string(),
    }
}

pub enum ListFormat {
    Table,
    Json,
    Csv,
    Tsv,
    Ids,
}

/// The models listed, with their status on `today`.
pub fn list(
    c: &Catalog,
    models: &[&Model],
    format: ListFormat,
    today: Date,
    style: Style,
) -> String {
    let header = [
        "id", "name", "vendor", "weights", "class", "params", "context", "license", "tier",
        "released",
    ];
    let row = |m: &Model| {
        vec![
            m.id.to_string(),
            m.name.to_string(),
            m.vendor.to_string(),
            m.weights.as_str().to_string(),
            m.architecture.map_or("-", |a| a.as_str()).to_string(),
            params_text(m),
            context_text(m),
            m.license.to_string(),
            c.license(&m.license)
                .map_or("?", |l| l.tier.as_str())
                .to_string(),
            m.released.to_string(),
        ]
    };
    match format {
        ListFormat::Json => json(&ListJson {
            schema_version: SCHEMA_VERSION,
            catalog_as_of: c.as_of,
            models: models
                .iter()
                .map(|m| {
                    let tier = c.license(&m.license).map(|l| l.tier);
                    ModelJson::new(m, tier, m.status_on(today))
                })
                .collect(),
        }),
        // Data, not the display table: raw values under the JSON field names.
        ListFormat::Csv | ListFormat::Tsv => {
            let header = [
                "id",
                "name",
                "vendor",
                "family",
                "weights",
                "architecture",
                "params_total_b",
                "params_active_b",
                "context_tokens",
                "context_usable_tokens",
                "license_id",
                "license_tier",
                "released",
                "base_released",
                "status",
            ];
            let number = |v: f64| {
                if v > 0.0 {
                    v.to_string()
                } else {
                    String::new()
                }
            };
            let rows: Vec<Vec<String>> = models
                .iter()
                .map(|m| {
                    vec![
                        m.id.to_string(),
                        m.name.to_string(),
                        m.vendor.to_string(),
                        m.family.to_string(),
                        m.weights.as_str().to_string(),
                        m.architecture.map_or("", |a| a.as_str()).to_string(),
                        number(m.params_total_b),
                        number(m.params_active_b),
                        m.context_tokens.to_string(),
                        m.context_usable_tokens
                            .map_or(String::new(), |u| u.to_string()),
                        m.license.to_string(),
                        c.license(&m.license)
                            .map_or("", |l| l.tier.as_str())
                            .to_string(),
                        m.released.to_string(),
                        m.base_released().to_string(),
                        m.status_on(today).as_str().to_string(),
                    ]
                })
                .collect();
            delimited(&header, &rows, matches!(format, ListFormat::Tsv))
        }
        // Written straight into one string: a formatted string a model was a tenth of listing a
        // 100,000-model compiled catalog.
        ListFormat::Ids => {
            let mut out = String::with_capacity(models.iter().map(|m| m.id.len() + 1).sum());
            for m in models {
                out.push_str(&m.id);
                out.push('\n');
            }
            out
        }
        ListFormat::Table => {
            let rows: Vec<Vec<String>> = models.iter().map(|m| row(m)).collect();
            // On a terminal, the columns that identify and size a model first, prose last.
            let keep = style.columns_that_fit(&header, &rows, &[0, 5, 6, 7, 3, 4, 9, 8, 2, 1]);
            let t = style.draw(&header, rows, &keep, 0);
            // The recommender counts every catalog entry ("31 of 199 models qualify"): say what
            // this list leaves out, so the two counts can be read together.
            let total = c.models.len();
            let count = if models.len() == total {
                format!("{total} models")
            } else {
                format!("{} of {total} models", models.len())
            };
            let hidden = c
                .models
                .iter()
                .filter(|m| m.weights == Weights::None)
                .count();
            let announced = if hidden > 0 && !models.iter().any(|m| m.weights == Weights::None) {
                format!("{hidden} announced and never released: --weights none lists them\n")
            } else {
                String::new()
            };
            format!(
                "{t}\n{count} (catalog as of {})\n{announced}",
                c.as_of.map_or("unknown".to_string(), |d| d.to_string())
            )
        }
    }
}

/// The card a practitioner reads before committing to a model.
pub fn show(card: &ModelCard, style: Style) -> String {
    let m = card.model;
    let mut s = String::new();
    // Pad before styling, so escape codes do not shift the values' column.
    let mut line =
        |k: &str, v: String| s.push_str(&format!("{} {v}\n", style.bold(&format!("{k:<22}"))));
    line("model", format!("{} ({})", m.name, m.id));
    if card.status != Status::Current {
        line(
            "status",
            format!(
                "{}{}{}{}",
                card.status.as_str(),
                m.status_date.map_or(String::new(), |d| format!(" {d}")),
                if card.status != m.status {
                    " (the shutdown its deprecation announced)"
                } else {
                    ""
                },
                m.superseded_by
                    .as_deref()
                    .map_or(String::new(), |s| format!(", successor {s}"))
            ),
        );
    }
    line(
        "vendor / family",
        format!("{} / {}", m.vendor, card.family_name),
    );
    match m.weights {
        Weights::Open => {
            let repos: Vec<String> = m
                .checkpoints
                .iter()
                .map(|c| format!("{} ({})", c.hf_repo, c.kind.as_str()))
                .collect();
            line("weights", format!("open: {}", repos.join(", ")));
            if !m.base_released() {
                line(
                    "base checkpoint",
                    format!(
                        "none released: {}",
                        m.base_note.as_deref().unwrap_or("no evidence recorded")
                    ),
                );
            }
        }
        Weights::Api => line("weights", "API only".into()),
        Weights::None => line("weights", "announced, never released".into()),
    }
    if let Some(purpose) = &m.specialized {
        line(
            "specialized",
            format!("{purpose} (not ranked as a model to build on)"),
        );
    }
    for binding in &card.licenses {
        let via = match binding.via {
            Via::Own => String::new(),
            other => format!(" -- binds via {}", other.as_str()),
        };
        match binding.terms {
            Some(l) => {
                line(
                    "license",
                    format!(
                        "{} [{}] {} ({}){via}",
                        l.name,
                        l.id,
                        l.spdx,
                        l.tier.as_str()
                    ),
                );
                let granted = words::grant(l);
                line(
                    "  grants",
                    if l.commercial {
                        granted
                    } else {
                        style.red(&granted)
                    },
                );
                for t in &l.threshold {
                    let text = words::threshold(t);
                    line(
                        "  threshold",
                        if t.effect == Effect::NoRights {
                            style.yellow(&text)
                        } else {
                            text
                        },
                    );
                }
                for t in &l.territory {
                    let applies = match (t.models, m.is_multimodal()) {
                        (ModelScope::Multimodal, false) => " (not applicable: text-only)",
                        (ModelScope::Multimodal, true) => " (applies: this model is multimodal)",
                        _ => "",
                    };
                    let parties: Vec<&str> = t
                        .parties
                        .iter()
                        .map(|p| match p {
                            Party::Domicile => "the licensee's domicile",
                            Party::Users => "its users",
                            Party::Hosting => "where it runs",
                        })
                        .collect();
                    line(
                        "  territory",
                        style.yellow(&format!(
                            "no rights in {} for {}{applies} ({})",
                            t.excluded.join(", ").to_ascii_uppercase(),
                            parties.join(", "),
                            t.clause
                        )),
                    );
                }
                line("  fine-tune redistrib.", words::redistribution(l).into());
                line("  outputs to train", words::outputs(l));
                line(
                    "  hosting",
                    if l.hosting.allowed {
                        words::hosting(l)
                    } else {
                        style.yellow(&words::hosting(l))
                    },
                );
                for d in &l.duty {
                    line(
                        "  duty",
                        format!("{} ({}; {})", d.text, d.clause, words::when(d.when)),
                    );
                }
                if let Some(n) = &l.notice {
                    line("  notice", n.to_string());
                }
                for r in &l.restriction {
                    let domains: Vec<&str> = r.domains.iter().map(|d| d.as_str()).collect();
                    line(
                        "  restricted use",
                        format!(
                            "{}{}: {} \"{}\"",
                            domains.join(", "),
                            if r.conditional { " (conditional)" } else { "" },
                            r.clause,
                            r.quote
                        ),
                    );
                }
                if let Some(aup) = &l.aup {
                    let read = if l.aup_transcribed {
                        ""
                    } else {
                        " (not transcribed: check it)"
                    };
                    line("  acceptable use", format!("{aup}{read}"));
                }
                if let Some(v) = l.version.last() {
                    let hash = v.sha256.as_deref().map_or(String::new(), |h| {
                        format!(", sha256 {}", &h[..h.len().min(12)])
                    });
                    line(
                        "  text version",
                        format!("{}{hash} ({} recorded)", v.date, l.version.len()),
                    );
                }
            }
            None => line(
                "license",
                style.red(&format!("{} (no known terms){via}", binding.id)),
            ),
        }
    }
    line("parameters", params_text(m));
    if let Some(a) = &m.arch {
        let mut arch = format!(
            "{} layers, hidden {}, {} heads / {} KV heads x {}, FFN {}, vocab {}{}",
            a.layers,
            a.hidden_size,
            a.attention_heads,
            a.kv_heads,
            a.head_dim,
            a.intermediate_size,
            a.vocab_size,
            if a.tied_embeddings {
                ", tied embeddings"
            } else {
                ""
            }
        );
        if a.experts > 0 {
            arch.push_str(&format!(
                "; MoE {} experts, {} per token, {} shared, expert FFN {}, {} dense layers",
                a.experts,
                a.experts_per_token,
                a.shared_experts,
                a.moe_intermediate_size,
                a.dense_layers
            ));
        }
        if a.kv_lora_rank > 0 {
            arch.push_str(&format!(
                "; MLA kv_lora_rank {}, rope {}",
                a.kv_lora_rank, a.qk_rope_head_dim
            ));
        }
        if a.sliding_window > 0 {
            arch.push_str(&format!(
                "; sliding window {} on {} of {} layers",
                a.sliding_window, a.sliding_window_layers, a.layers
            ));
        }
        line("architecture", arch);
    }
    if let Some(kv) = card.kv_bytes_per_token_bf16 {
        line(
            "KV cache",
            format!("{kv} bytes/token in bf16 (all layers, before window caps)"),
        );
    }
    if m.context_tokens > 0 {
        line(
            "context",
            format!(
                "{} claimed{}",
                m.context_tokens,
                m.context_usable_tokens
                    .map_or(String::new(), |u| format!(", {u} usable"))
            ),
        );
    }
    if let Some(n) = &m.context_note {
        line("  context note", n.to_string());
    }
    for (k, v) in [
        ("position encoding", &m.position_encoding),
        ("tokenizer", &m.tokenizer),
        ("languages", &m.languages),
    ] {
        if let Some(v) = v {
            line(k, v.to_string());
        }
    }
    if let Some(d) = m.native_dtype {
        line("native dtype", d.as_str().into());
    }
    line(
        "modalities",
        crate::catalog::Modality::join(&m.modalities, ", "),
    );
    if let Some(p) = m.price_output_per_m {
        line(
            "API price",
            format!(
                "${} in / ${p} out per 1M tokens (as of {})",
                m.price_input_per_m.unwrap_or(0.0),
                m.price_as_of.map(|d| d.to_string()).unwrap_or_default()
            ),
        );
    }
    let eco = |levels: &[ToolSupport]| {
        levels
            .iter()
            .map(|(t, s)| format!("{t} {}", s.map_or("unknown", |s| s.as_str())))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if m.weights == Weights::Open {
        line("serving", eco(&card.serving));
        line("fine-tuning", eco(&card.finetune));
        line("quantization", eco(&card.quant));
    }
    line(
        "training data",
        format!(
            "{}{}{}",
            card.training_tokens_t
                .map_or("tokens unknown".into(), |t| format!("{t}T tokens")),
            card.data_openness
                .map_or(String::new(), |o| format!(", {}", o.as_str())),
            card.data_note.map_or(String::new(), |n| format!(" ({n})"))
        ),
    );
    line("released", m.released.to_string());
    if let Some(cadence) = card.cadence {
        line("family cadence", cadence.to_string());
    }
    if let Some(safety) = card.safety {
        line("safety", safety.to_string());
    }
    match m.capability_mmlu {
        Some(v) => line(
            "capability",
            format!(
                "MMLU {v} [{}] ({})",
                m.capability_protocol.map_or("?", |p| p.as_str()),
                m.capability_note.as_deref().unwrap_or("")
            ),
        ),
        None => line("capability", "MMLU unknown (not published)".into()),
    }
    if let Some(n) = &m.params_note {
        line("parameter note", n.to_string());
    }
    if let Some(n) = &m.notes {
        line("notes", n.to_string());
    }
    for (k, v) in card.sources.entries() {
        line(&format!("source: {k}"), v.to_string());
    }
    line(
        "catalog file",
        format!(
            "{} (catalog as of {})",
            m.origin,
            card.catalog_as_of
                .map_or("unknown".to_string(), |d| d.to_string())
        ),
    );
    if let Some(o) = card.overridden {
        line(
            "override",
            style.yellow(&format!(
                "this entry from {} replaces the one in {}",
                o.by, o.replaced
            )),
        );
    }
    s
}

/// `pick show MODEL --format json`: the list entry, then the rest of the card.
#[derive(Serialize)]
struct ShowJson<'a> {
    schema_version: u32,
    catalog_as_of: Option<Date>,
    #[serde(flatten)]
    model: ModelJson<'a>,
    /// The family's display name (`family` is its id).
    family_name: &'a str,
    /// The terms of every binding license the catalog knows, the model's own first, each with why
    /// it binds (`via`: own, also-bound-by, base, teacher).
    licenses: Vec<BoundLicenseJson<'a>>,
    /// Fact group → URL, only the groups with a source.
    sources: Pairs<&'static str, &'a str>,
    params_note: Option<&'a str>,
    context_note: Option<&'a str>,
    position_encoding: Option<&'a str>,
    tokenizer: Option<&'a str>,
    languages: Option<&'a str>,
    native_dtype: Option<Dtype>,
    /// All layers, before sliding-window caps; null without an architecture.
    kv_bytes_per_token_bf16: Option<f64>,
    capability_note: Option<&'a str>,
    /// The date of `price_input_per_m` / `price_output_per_m`.
    price_as_of: Option<Date>,
    training_tokens_t: Option<f64>,
    data_openness: Option<DataOpenness>,
    data_note: Option<&'a str>,
    safety: Option<&'a str>,
    cadence: Option<&'a str>,
    ecosystem: EcosystemJson,
    overridden: Option<OverriddenJson<'a>>,
    notes: Option<&'a str>,
}

/// Tool → support level, null when unknown; every known tool is present.
#[derive(Serialize)]
struct EcosystemJson {
    serving: Pairs<&'static str, Option<Support>>,
    finetune: Pairs<&'static str, Option<Support>>,
    quant: Pairs<&'static str, Option<Support>>,
}

/// The user catalog file that replaced the embedded entry, and the file it replaced.
#[derive(Serialize)]
struct OverriddenJson<'a> {
    replaced: &'a str,
    by: &'a str,
}

pub fn show_json(card: &ModelCard) -> String {
    let m = card.model;
    // The model's own license comes first among the binding ones.
    let tier = card.licenses.first().and_then(|l| l.terms).map(|l| l.tier);
    json(&ShowJson {
        schema_version: SCHEMA_VERSION,
        catalog_as_of: card.catalog_as_of,
        model: ModelJson::new(m, tier, card.status),
        family_name: card.family_name,
        licenses: card
            .licenses
            .iter()
            .filter_map(|b| {
                b.terms.map(|l| BoundLicenseJson {
                    via: b.via,
                    terms: LicenseJson::new(l),
                })
            })
            .collect(),
        sources: Pairs(card.sources.entries()),
        params_note: m.params_note.as_deref(),
        context_note: m.context_note.as_deref(),
        position_encoding: m.position_encoding.as_deref(),
        tokenizer: m.tokenizer.as_deref(),
        languages: m.languages.as_deref(),
        native_dtype: m.native_dtype,
        kv_bytes_per_token_bf16: card.kv_bytes_per_token_bf16.and_then(num),
        capability_note: m.capability_note.as_deref(),
        price_as_of: m.price_as_of,
        training_tokens_t: card.training_tokens_t,
        data_openness: card.data_openness,
        data_note: card.data_note,
        safety: card.safety,
        cadence: card.cadence,
        ecosystem: EcosystemJson {
            serving: Pairs(card.serving.clone()),
            finetune: Pairs(card.finetune.clone()),
            quant: Pairs(card.quant.clone()),
        },
        overridden: card.overridden.map(|o| OverriddenJson {
            replaced: &o.replaced,
            by: &o.by,
        }),
        notes: m.notes.as_deref(),
    })
}

/// A license's terms (`pick licenses --format json`, and `show`'s `licenses`). The first fields
/// summarize (as schema version 1 had them); the clause-level terms follow.
#[derive(Serialize)]
struct LicenseJson<'a> {
    id: &'a str,
    name: &'a str,
    spdx: &'a str,
    hf_license: Option<&'a str>,
    hf_license_names: &'a [Text],
    tier: Tier,
    commercial: bool,
    /// The first user threshold (any effect).
    mau_limit: Option<u64>,
    /// The first threshold's effect: license-required | attribution.
    mau_effect: Option<&'static str>,
    /// The first revenue threshold, per month.
    revenue_limit_usd_month: Option<u64>,
    redistribute_finetunes: Redistribution,
    /// allowed | allowed-with-naming | derivative | non-commercial | forbidden.
    outputs_training: &'static str,
    /// A territorial clause excludes EU-domiciled licensees (for some or all models).
    eu_multimodal_excluded: bool,
    /// allowed | separate-license.
    hosting: &'static str,
    /// Every duty's text with its clause.
    attribution: Vec<String>,
    notice: Option<&'a str>,
    aup: Option<&'a str>,
    source: &'a str,
    grant: &'a [Grant],
    thresholds: &'a [Threshold],
    territories: &'a [Territory],
    outputs: &'a Outputs,
    hosting_terms: &'a HostingTerms,
    duties: &'a [Duty],
    aup_transcribed: bool,
    restrictions: &'a [Restriction],
    versions: &'a [Version],
}

impl<'a> LicenseJson<'a> {
    fn new(l: &'a License) -> LicenseJson<'a> {
        let first = l.threshold.first();
        LicenseJson {
            id: &l.id,
            name: &l.name,
            spdx: &l.spdx,
            hf_license: l.hf_license.as_deref(),
            hf_license_names: &l.hf_license_names,
            tier: l.tier,
            commercial: l.commercial,
            mau_limit: l
                .threshold
                .iter()
                .find(|t| t.metric == crate::catalog::Metric::Mau)
                .map(|t| t.limit),
            mau_effect: first.map(|t| match t.effect {
                Effect::NoRights => "license-required",
                Effect::Display => "attribution",
            }),
            revenue_limit_usd_month: l.threshold.iter().find_map(|t| match t.metric {
                crate::catalog::Metric::RevenueUsdMonth => Some(t.limit),
                crate::catalog::Metric::RevenueUsdYear => Some(t.limit / 12),
                crate::catalog::Metric::Mau => None,
            }),
            redistribute_finetunes: l.redistribute_finetunes,
            outputs_training: words::outputs_word(l),
            eu_multimodal_excluded: l.territory.iter().any(|t| {
                t.excluded.iter().any(|p| p == "eu") && t.parties.contains(&Party::Domicile)
            }),
            hosting: if l.hosting.allowed {
                "allowed"
            } else {
                "separate-license"
            },
            attribution: l
                .duty
                .iter()
                .map(|d| format!("{} ({})", d.text, d.clause))
                .collect(),
            notice: l.notice.as_deref(),
            aup: l.aup.as_deref(),
            source: &l.source,
            grant: &l.grant,
            thresholds: &l.threshold,
            territories: &l.territory,
            outputs: &l.outputs,
            hosting_terms: &l.hosting,
            duties: &l.duty,
            aup_transcribed: l.aup_transcribed,
            restrictions: &l.restriction,
            versions: &l.version,
        }
    }
}

/// A license binding a model (`show`'s `licenses`): why it binds, then its terms.
#[derive(Serialize)]
struct BoundLicenseJson<'a> {
    via: Via,
    #[serde(flatten)]
    terms: LicenseJson<'a>,
}

/// `pick licenses --format json`.
#[derive(Serialize)]
struct LicensesJson<'a> {
    schema_version: u32,
    licenses: Vec<LicenseJson<'a>>,
}

pub fn licenses(c: &Catalog, as_json: bool, style: Style) -> String {
    if as_json {
        return json(&LicensesJson {
            schema_version: SCHEMA_VERSION,
            licenses: c.licenses.iter().map(LicenseJson::new).collect(),
        });
    }
    let mut t = style.table(&[
        "id",
        "name",
        "tier",
        "grants",
        "no rights above",
        "display above",
        "territory",
        "fine-tunes",
        "outputs",
        "hosting",
    ]);
    for l in &c.licenses {
        let grants = if l.grant.is_empty() {
            "all".to_string()
        } else {
            let mut uses: Vec<&str> = l
                .grant
                .iter()
                .flat_map(|g| g.uses.iter().map(|u| u.as_str()))
                .collect();
            uses.dedup();
            uses.join(", ")
        };
        t.add_row(vec![
            l.id.to_string(),
            l.name.to_string(),
            l.tier.as_str().into(),
            grants,
            words::limits(l, Effect::NoRights),
            words::limits(l, Effect::Display),
            words::territories(l),
            words::redistribution(l).into(),
            words::outputs_short(l),
            if l.hosting.allowed {
                "allowed"
            } else {
                "separate license"
            }
            .into(),
        ]);
    }
    format!("{t}\n")
}

/// A GPU (`pick gpus --format json`).
#[derive(Serialize)]
struct GpuJson<'a> {
    id: &'a str,
    name: &'a str,
    aliases: &'a [Text],
    vendor: &'a str,
    memory_gb: f64,
    usable_gib: Option<f64>,
    /// False when `usable_gib` is derived from the vendor's GB rather than measured.
    usable_measured: bool,
    bandwidth_tbs: f64,
    bf16_tflops: f64,
    fp8_tflops: f64,
    fp4_tflops: f64,
    interconnect: Option<&'a str>,
    price_low_usd_h: Option<f64>,
    price_high_usd_h: Option<f64>,
    price_as_of: Option<Date>,
    /// The default --gpu-price where a sourced typical rate exists.
    price_typical_usd_h: Option<f64>,
    price_typical_source: Option<&'a str>,
    price_typical_as_of: Option<Date>,
    /// What the ranking charges per GPU-hour without --gpu-price.
    price_default_usd_h: Option<f64>,
    sources: &'a [Text],
}

impl<'a> GpuJson<'a> {
    fn new(g: &'a Gpu) -> GpuJson<'a> {
        GpuJson {
            id: &g.id,
            name: &g.name,
            aliases: &g.aliases,
            vendor: &g.vendor,
            memory_gb: g.memory_gb,
            usable_gib: num(g.usable_gib()),
            usable_measured: g.usable_is_measured(),
            bandwidth_tbs: g.bandwidth_tbs,
            bf16_tflops: g.bf16_tflops,
            fp8_tflops: g.fp8_tflops,
            fp4_tflops: g.fp4_tflops,
            interconnect: g.interconnect.as_deref(),
            price_low_usd_h: g.price_low_usd_h,
            price_high_usd_h: g.price_high_usd_h,
            price_as_of: g.price_as_of,
            price_typical_usd_h: g.price_typical_usd_h,
            price_typical_source: g.price_typical_source.as_deref(),
            price_typical_as_of: g.price_typical_as_of,
            price_default_usd_h: g.price_usd_h().and_then(num),
            sources: &g.sources,
        }
    }
}

/// `pick gpus --format json`.
#[derive(Serialize)]
struct GpusListJson<'a> {
    schema_version: u32,
    gpus: Vec<GpuJson<'a>>,
}

pub fn gpus(c: &Catalog, as_json: bool, style: Style) -> String {
    if as_json {
        return json(&GpusListJson {
            schema_version: SCHEMA_VERSION,
            gpus: c.gpus.iter().map(GpuJson::new).collect(),
        });
    }
    let mut t = style.table(&[
        "id",
        "name",
        "GiB usable",
        "TB/s",
        "bf16 TF",
        "fp8 TF",
        "fp4 TF",
        "$/GPU-h range",
        "default $/h",
        "aliases",
    ]);
    for g in &c.gpus {
        t.add_row(vec![
            g.id.to_string(),
            g.name.to_string(),
            format!(
                "{:.1}{}",
                g.usable_gib(),
                if g.usable_is_measured() { "" } else { "*" }
            ),
            format!("{}", g.bandwidth_tbs),
            format!("{}", g.bf16_tflops),
            format!("{}", g.fp8_tflops),
            format!("{}", g.fp4_tflops),
            match (g.price_low_usd_h, g.price_high_usd_h) {
                (Some(l), Some(h)) if l != h => format!("{l}-{h}"),
                (Some(p), _) | (_, Some(p)) => format!("{p}"),
                _ => "-".into(),
            },
            match (g.price_usd_h(), g.price_typical_usd_h) {
                (Some(_), Some(t)) => format!("{t} typical"),
                (Some(p), None) => format!("{p:.3} mid"),
                (None, _) => "-".into(),
            },
            g.aliases.join(" "),
        ]);
    }
    format!("{t}\n* derived: vendor GB read as GiB less 1.5% (not measured)\ndefault $/h: the --gpu-price used when none is given: a sourced typical on-demand rate (`pick gpus --format json` gives source and date), else the middle of the range\n")
}
