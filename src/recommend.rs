//! The main job: filter the catalog by license, hardware, context, modality and tooling, price each
//! survivor at the expected load, score it, and explain every inclusion and exclusion.

use crate::catalog::{
    ArchClass, Catalog, CheckpointKind, Gpu, Modality, Model, Status, Support, Tier, Weights,
    ENGINES, FINETUNERS,
};
use crate::economics::{self, Economics};
use crate::fit::{self, Plan, Request, Shape};
use crate::license::{self, Allow, Finding, Level, Usage};
use std::collections::BTreeMap;

/// What to optimize for: the weights of the score components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefer {
    Balanced,
    Quality,
    Cost,
    Ecosystem,
}

impl Prefer {
    pub fn as_str(self) -> &'static str {
        match self {
            Prefer::Balanced => "balanced",
            Prefer::Quality => "quality",
            Prefer::Cost => "cost",
            Prefer::Ecosystem => "ecosystem",
        }
    }

    /// capability, cost, ecosystem, license freedom, memory headroom, freshness (sum 1).
    pub fn weights(self) -> [f64; 6] {
        match self {
            Prefer::Balanced => [0.30, 0.20, 0.15, 0.15, 0.10, 0.10],
            Prefer::Quality => [0.55, 0.10, 0.10, 0.10, 0.05, 0.10],
            Prefer::Cost => [0.20, 0.50, 0.10, 0.10, 0.05, 0.05],
            Prefer::Ecosystem => [0.20, 0.15, 0.45, 0.10, 0.05, 0.05],
        }
    }
}

pub const COMPONENTS: [&str; 6] = [
    "capability",
    "cost",
    "ecosystem",
    "license",
    "headroom",
    "freshness",
];

/// The hardware to rank against: given GPUs, or (without --gpus) H100s as a yardstick.
#[derive(Debug, Clone)]
pub struct Hardware<'c> {
    pub gpu: &'c Gpu,
    pub count: u64,
    /// False when no --gpus was given: plans then show what each model needs.
    pub given: bool,
}

#[derive(Debug, Clone)]
pub struct Query<'c> {
    pub allow: Allow,
    pub usage: Usage,
    pub hardware: Hardware<'c>,
    pub fit: Request,
    /// Whether --context was given (then it is also a minimum usable context).
    pub min_context: Option<u64>,
    pub tokens_per_hour: f64,
    pub gpu_price: Option<f64>,
    pub modality: Option<Modality>,
    pub class: Option<ArchClass>,
    /// The kind of checkpoint the user builds on (`--checkpoint`); None: any.
    pub checkpoint: Option<CheckpointKind>,
    pub engine: Option<String>,
    pub finetune_with: Option<String>,
    pub include_api: bool,
    pub prefer: Prefer,
    pub top: usize,
    /// Give excluded models every reason (sizing them too), not just the first filter they fail:
    /// for `--explain` and JSON; the table skips the sizing of models already out.
    pub all_reasons: bool,
}

/// Default load: 1M generated tokens an hour (~280 tokens/s), a small production service.
pub const DEFAULT_TOKENS_PER_HOUR: f64 = 1_000_000.0;
/// GPU used as a yardstick when no --gpus is given.
pub const YARDSTICK_GPU: &str = "h100-sxm";
/// The most yardstick GPUs tried when sizing what a model needs.
const YARDSTICK_MAX: u64 = 64;
/// Share of the memory budget left free that counts as full marks for headroom.
const HEADROOM_ENOUGH: f64 = 1.0 / 3.0;

#[derive(Debug, Clone)]
pub struct Candidate {
    pub rank: usize,
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub license_id: String,
    pub license_tier: Tier,
    pub weights: Weights,
    pub score: f64,
    /// Component values in [0, 1], in `COMPONENTS` order.
    pub components: [f64; 6],
    pub plan: Option<Plan>,
    pub gpu: Option<String>,
    pub economics: Option<Economics>,
    pub cost_per_million: Option<f64>,
    pub break_even_tokens_per_hour: Option<f64>,
    pub reasons: Vec<Finding>,
    pub why: String,
}

/// A named pick (primary or fallback), which may rank below `--top`.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub id: String,
    pub rank: usize,
    /// Under another license than the primary's (a fallback's aim).
    pub other_license: bool,
}

#[derive(Debug, Clone)]
pub struct Excluded {
    pub id: String,
    pub reasons: Vec<Finding>,
    /// How far it missed on memory (GiB per GPU), when that was a reason.
    pub short_by_gib: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Report {
    /// The top `Query::top` candidates, ranked, with their reasons.
    pub candidates: Vec<Candidate>,
    /// How many models qualified (`candidates` holds the first `top` of them).
    pub candidates_total: usize,
    pub excluded: Vec<Excluded>,
    /// The primary: the first-ranked candidate.
    pub primary: Option<Choice>,
    /// The fallback: the best of another vendor and license family, else of another vendor.
    pub fallback: Option<Choice>,
    /// The cheapest API model in the catalog at the query's input ratio (id, $ per 1M).
    pub cheapest_api: Option<(String, f64)>,
    /// Exclusion code → how many models it excluded.
    pub exclusion_counts: BTreeMap<&'static str, usize>,
    pub total_considered: usize,
}

impl Report {
    /// The code that excluded the most models.
    pub fn top_exclusion(&self) -> Option<(&'static str, usize)> {
        self.exclusion_counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(k, v)| (*k, *v))
    }

    /// The excluded model with the fewest failing reasons (then the smallest memory miss).
    pub fn nearest_miss(&self) -> Option<&Excluded> {
        self.excluded
            .iter()
            // Models with nothing to self-host are not near misses of a self-hosting question.
            .filter(|e| {
                !e.reasons
                    .iter()
                    .any(|r| matches!(r.code, "no-weights" | "api-only"))
            })
            .min_by(|a, b| {
                a.reasons
                    .len()
                    .cmp(&b.reasons.len())
                    .then(
                        a.short_by_gib
                            .unwrap_or(0.0)
                            .total_cmp(&b.short_by_gib.unwrap_or(0.0)),
                    )
                    .then(a.id.cmp(&b.id))
            })
    }
}

fn support_score(level: Option<Support>) -> f64 {
    match level {
        Some(Support::Full) => 1.0,
        Some(Support::Partial) => 0.6,
        Some(Support::Community) => 0.4,
        Some(Support::None) => 0.0,
        None => 0.25,
    }
}

/// Ecosystem maturity: mean support over serving engines and fine-tuning frameworks.
pub fn ecosystem(catalog: &Catalog, m: &Model) -> f64 {
    let serving: f64 = ENGINES
        .iter()
        .map(|e| support_score(catalog.serving(m, e)))
        .sum();
    let tuning: f64 = FINETUNERS
        .iter()
        .map(|t| support_score(catalog.finetune(m, t)))
        .sum();
    (serving + tuning) / (ENGINES.len() + FINETUNERS.len()) as f64
}

/// A model that passed the filters, before scoring. Its reasons are written only if it is shown.
struct Draft<'m> {
    model: &'m Model,
    /// License duties and other non-failing findings.
    findings: Vec<Finding>,
    sized: Option<Sized>,
    /// Cost per 1M generated tokens (self-hosted at the load, or the API price).
    cost: Option<f64>,
    headroom: f64,
}

/// An open model's chosen plan and its economics.
struct Sized {
    plan: Plan,
    gpu: String,
    /// GPUs the plan was sized on (the query's, or the yardstick count).
    count: u64,
    price: Option<f64>,
    economics: Option<Economics>,
    break_even: Option<f64>,
    /// Fine-tuning: USD per 1M training tokens with every GPU of the plan busy.
    train_cost: Option<f64>,
}

pub fn recommend(catalog: &Catalog, q: &Query) -> Report {
    let ratio = q.fit.input_ratio;
    let cheapest_api = catalog
        .models
        .iter()
        // The break-even reference is a model one can still buy: not retired, not being shut down.
        .filter(|m| {
            m.weights == Weights::Api && !matches!(m.status, Status::Retired | Status::Deprecated)
        })
        .filter_map(|m| {
            Some((
                m.id.clone(),
                economics::api_cost_per_million(m.price_input_per_m?, m.price_output_per_m?, ratio),
            ))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let newest = catalog.newest_release().map_or(0, |d| d.days());

    let mut drafts = Vec::new();
    let mut excluded = Vec::new();
    let mut exclusion_counts = BTreeMap::new();
    for m in &catalog.models {
        let mut fails = Vec::new();
        filter_model(catalog, q, m, &mut fails);
        let (failed, findings): (Vec<Finding>, Vec<Finding>) =
            license::violations(catalog, m, &q.usage, &q.allow)
                .into_iter()
                .partition(|f| f.level == Level::Fail);
        fails.extend(failed);
        let mut draft = Draft {
            model: m,
            findings,
            sized: None,
            cost: None,
            headroom: 0.5,
        };
        let mut short_by = None;
        // Sizing is the expensive step: skip it for a model already out unless every reason is wanted.
        if (fails.is_empty() || q.all_reasons) && m.weights == Weights::Open {
            match size(q, m, cheapest_api.as_ref()) {
                Ok(sized) => {
                    draft.headroom =
                        (sized.plan.headroom_gib() / sized.plan.budget_gib / HEADROOM_ENOUGH)
                            .clamp(0.0, 1.0);
                    draft.cost = sized
                        .economics
                        .map(|e| e.cost_per_million)
                        .or(sized.train_cost);
                    draft.sized = Some(sized);
                }
                Err((finding, short)) => {
                    short_by = short;
                    fails.push(finding);
                }
            }
        } else if m.weights == Weights::Api {
            draft.cost = m
                .price_input_per_m
                .zip(m.price_output_per_m)
                .map(|(i, o)| economics::api_cost_per_million(i, o, ratio));
        }
        if fails.is_empty() {
            drafts.push(draft);
        } else {
            for f in &fails {
                *exclusion_counts.entry(f.code).or_insert(0) += 1;
            }
            excluded.push(Excluded {
                id: m.id.clone(),
                reasons: fails,
                short_by_gib: short_by,
            });
        }
    }

    // Score relative to the field that survived the filters.
    let best_cost = drafts
        .iter()
        .filter_map(|d| d.cost)
        .filter(|c| c.is_finite() && *c > 0.0)
        .fold(f64::INFINITY, f64::min);
    let known_caps: Vec<f64> = drafts
        .iter()
        .filter_map(|d| d.model.credited_mmlu())
        .collect();
    // An unknown capability is scored as the weakest known one: missing data earns no credit.
    let floor_cap = known_caps.iter().copied().reduce(f64::min).unwrap_or(0.0);
    // Capability is scored across the field that qualified: the best MMLU gets 1, the worst 0.
    let (cap_lo, cap_hi) = known_caps
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    let cap_score = |mmlu: f64| {
        if cap_hi > cap_lo {
            (mmlu - cap_lo) / (cap_hi - cap_lo)
        } else {
            1.0
        }
    };
    let weights = q.prefer.weights();
    let mut scored: Vec<(f64, [f64; 6], Draft)> = drafts
        .into_iter()
        .map(|d| {
            let m = d.model;
            let cap = cap_score(m.credited_mmlu().unwrap_or(floor_cap));
            let cost = match d.cost {
                Some(c) if c.is_finite() && c > 0.0 && best_cost.is_finite() => best_cost / c,
                _ => 0.0,
            };
            let freedom = m
                .license_ids()
                .filter_map(|id| catalog.license(id))
                .map(|l| license::freedom(l.tier))
                .fold(1.0, f64::min);
            let age_days = (newest - m.released.days()).max(0) as f64;
            let fresh = (1.0 - age_days / (3.0 * 365.0)).clamp(0.0, 1.0);
            let components = [cap, cost, ecosystem(catalog, m), freedom, d.headroom, fresh];
            let score = components
                .iter()
                .zip(weights)
                .map(|(c, w)| c * w)
                .sum::<f64>()
                * 100.0;
            ((score * 1000.0).round() / 1000.0, components, d)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.model.id.cmp(&b.2.model.id)));
    let total_qualified = scored.len();
    let mut candidates: Vec<Candidate> = Vec::with_capacity(q.top.min(total_qualified));
    // Primary: the first; fallback: the best of another vendor and license family, else of another
    // vendor (keeping two checkpoints ready is standard practice). It may rank below --top.
    let primary = scored.first().map(|(_, _, d)| Choice {
        id: d.model.id.clone(),
        rank: 1,
        other_license: false,
    });
    let fallback = scored.first().and_then(|(_, _, first)| {
        let other = |d: &Draft| d.model.vendor != first.model.vendor;
        scored
            .iter()
            .position(|(_, _, d)| other(d) && d.model.license != first.model.license)
            .or_else(|| scored.iter().position(|(_, _, d)| other(d)))
            .map(|i| Choice {
                id: scored[i].2.model.id.clone(),
                rank: i + 1,
                other_license: scored[i].2.model.license != first.model.license,
            })
    });
    for (i, (score, components, d)) in scored.into_iter().enumerate().take(q.top) {
        candidates.push(candidate(
            catalog,
            q,
            i + 1,
            score,
            components,
            d,
            floor_cap,
            cheapest_api.as_ref(),
        ));
    }
    excluded.sort_by(|a, b| a.id.cmp(&b.id));
    Report {
        candidates,
        candidates_total: total_qualified,
        excluded,
        primary,
        fallback,
        cheapest_api,
        exclusion_counts,
        total_considered: catalog.models.len(),
    }
}

/// A shown candidate, with every reason written out.
#[allow(clippy::too_many_arguments)]
fn candidate(
    catalog: &Catalog,
    q: &Query,
    rank: usize,
    score: f64,
    components: [f64; 6],
    d: Draft,
    floor_cap: f64,
    cheapest_api: Option<&(String, f64)>,
) -> Candidate {
    let m = d.model;
    let mut reasons = d.findings;
    reasons.extend(license::duties(catalog, m, &q.usage));
    let tier = catalog
        .license(&m.license)
        .map_or(Tier::Proprietary, |l| l.tier);
    if m.weights == Weights::Api {
        if let (Some(i), Some(o), Some(c)) = (m.price_input_per_m, m.price_output_per_m, d.cost) {
            let as_of = m.price_as_of.map(|d| d.to_string()).unwrap_or_default();
            reasons.push(Finding::new("api-price", Level::Info, format!("API: ${i}/1M in, ${o}/1M out = ${c:.2} per 1M generated tokens at {} input tokens each (as of {as_of})", q.fit.input_ratio)));
        }
        reasons.push(Finding::new(
            "api-only",
            Level::Warn,
            "API only: no self-hosting, fine-tuning only through the vendor",
        ));
    }
    if let Some(s) = &d.sized {
        reasons.extend(sized_reasons(q, s, cheapest_api));
    }
    match m.credited_mmlu() {
        Some(v) => reasons.push(Finding::new(
            "capability",
            Level::Info,
            format!(
                "MMLU {v:.1} ({})",
                m.capability_note.as_deref().unwrap_or("as published")
            ),
        )),
        None => reasons.push(Finding::new(
            "capability-unknown",
            Level::Warn,
            match m.capability_mmlu {
                Some(v) => format!("MMLU {v:.1} was measured on a base checkpoint that was never released: not credited; scored as the weakest qualifying model ({floor_cap:.1})"),
                None => format!("no published MMLU: scored as the weakest qualifying model ({floor_cap:.1})"),
            },
        )),
    }
    if m.weights == Weights::Open && !m.base_released() {
        reasons.push(Finding::new(
            "no-base-checkpoint",
            Level::Warn,
            format!(
                "no base (pre-trained) checkpoint was released: {}",
                m.base_note
                    .as_deref()
                    .unwrap_or("only post-trained checkpoints")
            ),
        ));
    }
    match m.status {
        Status::Deprecated => reasons.push(Finding::new(
            "model-deprecated",
            Level::Warn,
            format!(
                "deprecated: shutdown {}{}",
                m.status_date
                    .map_or("announced".to_string(), |d| format!("on {d}")),
                m.superseded_by
                    .as_deref()
                    .map_or(String::new(), |s| format!("; successor {s}"))
            ),
        )),
        Status::Superseded => reasons.push(Finding::new(
            "model-superseded",
            Level::Info,
            format!(
                "superseded{}",
                m.superseded_by
                    .as_deref()
                    .map_or(String::new(), |s| format!(" by {s}"))
            ),
        )),
        _ => {}
    }
    if let Some(p) = m
        .capability_protocol
        .filter(|p| m.credited_mmlu().is_some() && !p.comparable())
    {
        reasons.push(Finding::new(
            "capability-protocol",
            Level::Warn,
            format!("MMLU measured {} ({}): reads higher than base 5-shot figures, not directly comparable", p.as_str(), if matches!(p, crate::catalog::CapabilityProtocol::Reasoning) { "a reasoning model" } else { "post-trained" }),
        ));
    }
    let [cap, cost, eco, freedom, headroom, fresh] = components;
    reasons.push(Finding::new(
        "score",
        Level::Info,
        format!("score {score:.1} ({}): capability {cap:.2}, cost {cost:.2}, ecosystem {eco:.2}, license {freedom:.2}, headroom {headroom:.2}, freshness {fresh:.2}", q.prefer.as_str()),
    ));
    let why = short_why(m, d.sized.as_ref().map(|s| &s.plan), &reasons, tier);
    Candidate {
        rank,
        id: m.id.clone(),
        name: m.name.clone(),
        vendor: m.vendor.clone(),
        license_id: m.license.clone(),
        license_tier: tier,
        weights: m.weights,
        score,
        components,
        gpu: d.sized.as_ref().map(|s| s.gpu.clone()),
        economics: d.sized.as_ref().and_then(|s| s.economics),
        break_even_tokens_per_hour: d.sized.as_ref().and_then(|s| s.break_even),
        plan: d.sized.map(|s| s.plan),
        cost_per_million: d.cost,
        reasons,
        why,
    }
}

/// The fit and cost reasons of a sized candidate.
fn sized_reasons(q: &Query, s: &Sized, cheapest_api: Option<&(String, f64)>) -> Vec<Finding> {
    let plan = &s.plan;
    let mut out = Vec::new();
    let placement = format!(
        "{} x{} replica{} on {}x {}",
        plan.layout(),
        plan.replicas,
        if plan.replicas == 1 { "" } else { "s" },
        s.count,
        s.gpu
    );
    let memory = format!(
        "{:.1} of {:.1} GiB per GPU ({:.1} GiB headroom)",
        plan.memory.total(),
        plan.budget_gib,
        plan.headroom_gib()
    );
    let fit_msg = if q.fit.task.is_training() {
        format!(
            "{} {} data-parallel on {}x {}: {memory} at {} tokens x micro-batch {}",
            q.fit.task.as_str(),
            plan.precision.as_str(),
            s.count,
            s.gpu,
            q.fit.context,
            q.fit.micro_batch
        )
    } else {
        format!(
            "{placement}: {memory}, up to {} sequences of {} tokens",
            plan.max_concurrency, q.fit.context
        )
    };
    if q.hardware.given {
        out.push(Finding::new("fit", Level::Pass, fit_msg));
    } else {
        out.push(Finding::new(
            "fit-needs",
            Level::Pass,
            format!(
                "needs {fit_msg} (no --gpus: sized on {})",
                q.hardware.gpu.name
            ),
        ));
    }
    if q.fit.task.is_training() {
        let tps = s.plan.perf.train_tokens_per_s;
        out.push(match (tps, s.train_cost, s.price) {
            (Some(tps), Some(cost), Some(price)) => Finding::new(
                "cost",
                Level::Info,
                format!(
                    "{}: ~{} training tokens/s on {} GPU(s) (6 x active params per token at {:.0}% MFU): ${cost:.3} per 1M training tokens at ${price:.2}/GPU-h",
                    q.fit.task.as_str(),
                    crate::render::short(tps),
                    s.plan.gpus_used(),
                    crate::throughput::Constants::MFU_TRAIN * 100.0
                ),
            ),
            (None, _, _) => Finding::new("cost-unknown", Level::Warn, format!("{} training throughput has no sourced estimate (QLoRA dequantization cost): cost unknown", q.fit.task.as_str())),
            _ => Finding::new("cost-unknown", Level::Warn, format!("no price for {} (give --gpu-price)", s.gpu)),
        });
        return out;
    }
    match (s.economics, s.price) {
        (Some(e), Some(price)) => {
            let mut msg = format!(
                "${:.3} per 1M tokens at {} tokens/h: {} GPU(s) x ${price:.2}/h = ${:.2}/h, capacity {}/h ({:.0}% used)",
                e.cost_per_million,
                license::human(q.tokens_per_hour as u64),
                e.gpus_used,
                e.hourly_cost,
                license::human(((e.capacity_tokens_per_hour / 1000.0).round() as u64).saturating_mul(1000)),
                e.utilization * 100.0
            );
            if let Some((api, api_cost)) = cheapest_api {
                msg.push_str(&match s.break_even {
                    Some(load) => format!(
                        "; cheaper than {api} (${api_cost:.2}/1M) above {}/h",
                        license::human(((load / 1000.0).round() as u64).saturating_mul(1000))
                    ),
                    None => {
                        format!("; never cheaper than {api} (${api_cost:.2}/1M) on one replica")
                    }
                });
            }
            if e.headroom < 0.0 {
                out.push(Finding::new(
                    "load-exceeds-capacity",
                    Level::Warn,
                    format!(
                        "the load exceeds the plan's capacity by {:.0}%",
                        -e.headroom / (1.0 + e.headroom) * 100.0
                    ),
                ));
                out.push(Finding::new("cost", Level::Warn, msg));
            } else {
                out.push(Finding::new("cost", Level::Info, msg));
            }
        }
        _ => out.push(Finding::new(
            "cost-unknown",
            Level::Warn,
            format!("no price for {} (give --gpu-price)", s.gpu),
        )),
    }
    out
}

/// Filters that do not need sizing: weights, class, modality, context, tooling.
fn filter_model(catalog: &Catalog, q: &Query, m: &Model, fails: &mut Vec<Finding>) {
    let mut fail =
        |code: &'static str, msg: String| fails.push(Finding::new(code, Level::Fail, msg));
    match m.weights {
        Weights::None => fail(
            "no-weights",
            format!(
                "{} was announced but its weights were never released",
                m.name
            ),
        ),
        Weights::Api if !q.include_api => fail(
            "api-only",
            "API only: no weights to self-host (add --include-api to compare)".into(),
        ),
        _ => {}
    }
    if m.status == Status::Retired {
        fail(
            "model-retired",
            format!(
                "retired{}{}: no longer served or supported",
                m.status_date.map_or(String::new(), |d| format!(" on {d}")),
                m.superseded_by
                    .as_deref()
                    .map_or(String::new(), |s| format!(" (successor {s})"))
            ),
        );
    }
    if m.weights == Weights::Open {
        match q.checkpoint {
            Some(CheckpointKind::Base) if !m.base_released() => fail(
                "no-base-checkpoint",
                "no base (pre-trained) checkpoint was released (--checkpoint base)".into(),
            ),
            Some(kind @ (CheckpointKind::Instruct | CheckpointKind::Reasoning))
                if m.checkpoint(CheckpointKind::Instruct).is_none()
                    && m.checkpoint(CheckpointKind::Reasoning).is_none() =>
            {
                fail(
                    "no-instruct-checkpoint",
                    format!(
                        "no post-trained checkpoint was released (--checkpoint {})",
                        kind.as_str()
                    ),
                )
            }
            _ => {}
        }
    }
    if let Some(class) = q.class {
        if m.weights != Weights::Api && !m.architecture.is_some_and(|a| a.matches(class)) {
            fail(
                "class-mismatch",
                format!(
                    "{} model, --class {} asked",
                    m.architecture.map_or("unknown", ArchClass::as_str),
                    class.as_str()
                ),
            );
        }
    }
    if let Some(modality) = &q.modality {
        if !m.has_modality(*modality) {
            fail(
                "modality-missing",
                format!(
                    "inputs are {}, no {}",
                    Modality::join(&m.modalities, "+"),
                    modality.as_str()
                ),
            );
        }
    }
    if let Some(min) = q.min_context {
        let usable = m.context_usable_tokens.unwrap_or(m.context_tokens);
        if usable < min {
            let claim = if usable == m.context_tokens {
                String::new()
            } else {
                format!(" (claims {})", m.context_tokens)
            };
            fail(
                "context-too-short",
                format!("usable context {usable} tokens{claim} < {min} asked"),
            );
        }
    }
    if m.weights == Weights::Open {
        if let Some(engine) = &q.engine {
            match catalog.serving(m, engine) {
                Some(Support::Full | Support::Partial | Support::Community) => {}
                Some(Support::None) => fail(
                    "engine-unsupported",
                    format!("{engine} does not support it"),
                ),
                None => fail(
                    "engine-unsupported",
                    format!("{engine} support is not recorded in the catalog"),
                ),
            }
        }
        if let Some(tool) = &q.finetune_with {
            match catalog.finetune(m, tool) {
                Some(Support::Full | Support::Partial | Support::Community) => {}
                Some(Support::None) => fail(
                    "finetune-unsupported",
                    format!("{tool} does not support it"),
                ),
                None => fail(
                    "finetune-unsupported",
                    format!("{tool} support is not recorded in the catalog"),
                ),
            }
        }
    }
}

/// Sizes an open model on the query's hardware (or finds how many yardstick GPUs it needs) and
/// prices the cheapest plan at the stated load. Err: why it does not fit, and by how much.
fn size(
    q: &Query,
    m: &Model,
    cheapest_api: Option<&(String, f64)>,
) -> Result<Sized, (Finding, Option<f64>)> {
    let Some(shape) = Shape::from_model(m) else {
        return Err((
            Finding::new(
                "fit-unknown-architecture",
                Level::Fail,
                "no architecture in the catalog: cannot size it",
            ),
            None,
        ));
    };
    let hw = &q.hardware;
    // Without --gpus: the smallest power-of-two count of yardstick GPUs that fits at a lossless
    // precision (bf16, fp8, native); only when none does up to the limit, the first lossy fit.
    let enough = |p: &Plan| q.tokens_per_hour <= p.perf.capacity_per_replica_tokens_per_hour;
    let lossless = |options: &[Plan]| options.iter().any(|p| p.precision.loss_rank() == 0);
    let mut count = if hw.given { hw.count } else { 1 };
    let mut lossy: Option<(u64, Vec<Plan>)> = None;
    let options = loop {
        let options = fit::serve_options(&shape, hw.gpu, count, &q.fit, enough);
        if hw.given || lossless(&options) {
            break options;
        }
        if lossy.is_none() && !options.is_empty() {
            lossy = Some((count, options));
        }
        if count >= YARDSTICK_MAX {
            match lossy.take() {
                Some((n, options)) => {
                    count = n;
                    break options;
                }
                None => break Vec::new(),
            }
        }
        count *= 2;
    };
    let price = q.gpu_price.or_else(|| hw.gpu.price_usd_h());
    let cost_of = |p: &Plan| {
        price
            .and_then(|price| {
                economics::self_hosted(
                    q.tokens_per_hour,
                    p.perf.capacity_per_replica_tokens_per_hour,
                    p.replicas,
                    p.gpus_per_replica(),
                    price,
                )
            })
            .map_or(f64::INFINITY, |e| e.cost_per_million)
    };
    // Among the least lossy layouts that fit: the cheapest at the load, then the most capacity.
    let plan = options.into_iter().min_by(|a, b| {
        cost_of(a).total_cmp(&cost_of(b)).then(
            b.perf
                .capacity_tokens_per_hour
                .total_cmp(&a.perf.capacity_tokens_per_hour),
        )
    });
    let Some(plan) = plan else {
        let report = fit::fit(&shape, hw.gpu, count, &q.fit);
        let closest = report
            .plans
            .iter()
            .min_by(|a, b| a.short_by_gib().total_cmp(&b.short_by_gib()));
        return Err(match closest {
            Some(p) => (
                Finding::new(
                    "fit-insufficient-memory",
                    Level::Fail,
                    format!(
                        "does not fit {count}x {} at any precision: {} {}",
                        hw.gpu.id,
                        p.precision.as_str(),
                        fit::remedies(&shape, hw.gpu, count, &q.fit, p).join("; ")
                    ),
                ),
                Some(p.short_by_gib()),
            ),
            None => (
                Finding::new(
                    "fit-insufficient-memory",
                    Level::Fail,
                    "no precision applies",
                ),
                None,
            ),
        });
    };
    let per_replica = plan.perf.capacity_per_replica_tokens_per_hour;
    let economics = price.and_then(|price| {
        economics::self_hosted(
            q.tokens_per_hour,
            per_replica,
            plan.replicas,
            plan.gpus_per_replica(),
            price,
        )
    });
    let break_even = match (price, cheapest_api) {
        (Some(price), Some((_, api_cost))) => economics::break_even(
            plan.gpus_per_replica() as f64 * price,
            per_replica,
            *api_cost,
        ),
        _ => None,
    };
    // Fine-tuning is priced per training token with the GPUs fully busy (a job, not a service).
    let train_cost = price
        .zip(plan.perf.train_tokens_per_s)
        .filter(|_| q.fit.task.is_training())
        .map(|(price, tps)| plan.gpus_used() as f64 * price / (tps * 3600.0) * 1e6);
    Ok(Sized {
        plan,
        gpu: hw.gpu.id.clone(),
        count,
        price,
        economics,
        break_even,
        train_cost,
    })
}

fn short_why(m: &Model, plan: Option<&Plan>, reasons: &[Finding], tier: Tier) -> String {
    let mut parts = vec![format!("{} license", tier.as_str())];
    if m.is_moe() {
        parts.push(format!(
            "MoE {:.0}B/{:.0}B active",
            m.params_total_b, m.params_active_b
        ));
    }
    if let Some(mmlu) = m.credited_mmlu() {
        parts.push(format!("MMLU {mmlu:.0}"));
    }
    if let Some(p) = plan {
        parts.push(format!("{:.0} GiB free/GPU", p.headroom_gib()));
    }
    if reasons.iter().any(|r| r.code == "load-exceeds-capacity") {
        parts.push("load > capacity".into());
    }
    parts.join(", ")
}
