//! The main job: filter the catalog by license, hardware, context, modality and tooling, price each
//! survivor at the expected load, score it, and explain every inclusion and exclusion.

use crate::catalog::{ArchClass, Catalog, Gpu, Model, Support, Tier, Weights, ENGINES, FINETUNERS};
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
    pub modality: Option<String>,
    pub class: Option<ArchClass>,
    pub engine: Option<String>,
    pub finetune_with: Option<String>,
    pub include_api: bool,
    pub prefer: Prefer,
    pub top: usize,
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

#[derive(Debug, Clone)]
pub struct Excluded {
    pub id: String,
    pub reasons: Vec<Finding>,
    /// How far it missed on memory (GiB per GPU), when that was a reason.
    pub short_by_gib: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub candidates: Vec<Candidate>,
    pub excluded: Vec<Excluded>,
    /// Index in `candidates` of the primary and the fallback (another vendor and license).
    pub primary: Option<usize>,
    pub fallback: Option<usize>,
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
            .filter(|e| !e.reasons.iter().any(|r| r.code == "no-weights"))
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

struct Draft<'m> {
    model: &'m Model,
    reasons: Vec<Finding>,
    plan: Option<Plan>,
    gpu: Option<String>,
    economics: Option<Economics>,
    cost: Option<f64>,
    break_even: Option<f64>,
    headroom: f64,
}

pub fn recommend(catalog: &Catalog, q: &Query) -> Report {
    let ratio = q.fit.input_ratio;
    let cheapest_api = catalog
        .models
        .iter()
        .filter(|m| m.weights == Weights::Api)
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
        let mut reasons = Vec::new();
        let mut short_by = None;
        filter_model(catalog, q, m, &mut fails);
        for f in license::evaluate(catalog, m, &q.usage, &q.allow) {
            if f.level == Level::Fail {
                fails.push(f);
            } else {
                reasons.push(f);
            }
        }
        let mut draft = Draft {
            model: m,
            reasons,
            plan: None,
            gpu: None,
            economics: None,
            cost: None,
            break_even: None,
            headroom: 0.5,
        };
        if m.weights == Weights::Open {
            size(
                q,
                m,
                &mut draft,
                &mut fails,
                &mut short_by,
                cheapest_api.as_ref(),
            );
        } else if m.weights == Weights::Api {
            if let (Some(i), Some(o)) = (m.price_input_per_m, m.price_output_per_m) {
                let c = economics::api_cost_per_million(i, o, ratio);
                draft.cost = Some(c);
                draft.reasons.push(Finding::new("api-price", Level::Info, format!("API: ${i}/1M in, ${o}/1M out = ${c:.2} per 1M generated tokens at {ratio} input tokens each (as of {})", m.price_as_of.map(|d| d.to_string()).unwrap_or_default())));
            }
            draft.reasons.push(Finding::new(
                "api-only",
                Level::Warn,
                "API only: no self-hosting, fine-tuning only through the vendor",
            ));
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
        .filter_map(|d| d.model.capability_mmlu)
        .collect();
    let median_cap = median(&known_caps).unwrap_or(50.0);
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
    let mut candidates: Vec<Candidate> = drafts
        .into_iter()
        .map(|mut d| {
            let m = d.model;
            let cap = cap_score(m.capability_mmlu.unwrap_or(median_cap));
            if m.capability_mmlu.is_none() {
                d.reasons.push(Finding::new("capability-unknown", Level::Warn, format!("no published MMLU: scored at the field's median ({median_cap:.1})")));
            } else {
                d.reasons.push(Finding::new("capability", Level::Info, format!("MMLU {:.1} ({})", m.capability_mmlu.unwrap_or(0.0), m.capability_note.as_deref().unwrap_or("as published"))));
            }
            let cost = match d.cost {
                Some(c) if c.is_finite() && c > 0.0 && best_cost.is_finite() => best_cost / c,
                _ => 0.0,
            };
            let eco = ecosystem(catalog, m);
            let tier = catalog.license(&m.license).map_or(Tier::Proprietary, |l| l.tier);
            let freedom = m.license_ids().filter_map(|id| catalog.license(id)).map(|l| license::freedom(l.tier)).fold(1.0, f64::min);
            let age_days = (newest - m.released.days()).max(0) as f64;
            let fresh = (1.0 - age_days / (3.0 * 365.0)).clamp(0.0, 1.0);
            let components = [cap, cost, eco, freedom, d.headroom, fresh];
            let score = components.iter().zip(weights).map(|(c, w)| c * w).sum::<f64>() * 100.0;
            d.reasons.push(Finding::new(
                "score",
                Level::Info,
                format!(
                    "score {score:.1} ({}): capability {:.2}, cost {:.2}, ecosystem {:.2}, license {:.2}, headroom {:.2}, freshness {:.2}",
                    q.prefer.as_str(),
                    cap, cost, eco, freedom, d.headroom, fresh
                ),
            ));
            let why = short_why(m, &d, tier);
            Candidate {
                rank: 0,
                id: m.id.clone(),
                name: m.name.clone(),
                vendor: m.vendor.clone(),
                license_id: m.license.clone(),
                license_tier: tier,
                weights: m.weights,
                score: (score * 1000.0).round() / 1000.0,
                components,
                plan: d.plan,
                gpu: d.gpu,
                economics: d.economics,
                cost_per_million: d.cost,
                break_even_tokens_per_hour: d.break_even,
                reasons: d.reasons,
                why,
            }
        })
        .collect();
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    for (i, c) in candidates.iter_mut().enumerate() {
        c.rank = i + 1;
    }
    let total_considered = catalog.models.len();
    let primary = (!candidates.is_empty()).then_some(0);
    let fallback = primary.and_then(|p| {
        let first = &candidates[p];
        let other = |c: &&Candidate| c.vendor != first.vendor;
        candidates
            .iter()
            .position(|c| other(&c) && c.license_id != first.license_id)
            .or_else(|| candidates.iter().position(|c| other(&c)))
    });
    excluded.sort_by(|a, b| a.id.cmp(&b.id));
    Report {
        candidates,
        excluded,
        primary,
        fallback,
        cheapest_api,
        exclusion_counts,
        total_considered,
    }
}

fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
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
    if let Some(class) = q.class {
        if m.weights != Weights::Api && m.architecture != Some(class) {
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
        if !m.has_modality(modality) {
            fail(
                "modality-missing",
                format!("inputs are {}, no {modality}", m.modalities.join("+")),
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
/// prices its best plan.
fn size<'m>(
    q: &Query,
    m: &'m Model,
    d: &mut Draft<'m>,
    fails: &mut Vec<Finding>,
    short_by: &mut Option<f64>,
    cheapest_api: Option<&(String, f64)>,
) {
    let Some(shape) = Shape::from_model(m) else {
        fails.push(Finding::new(
            "fit-unknown-architecture",
            Level::Fail,
            "no architecture in the catalog: cannot size it",
        ));
        return;
    };
    let hw = &q.hardware;
    let report = if hw.given {
        fit::fit(&shape, hw.gpu, hw.count, &q.fit)
    } else {
        // The smallest yardstick count that fits (powers of two, then exact).
        let mut n = 1;
        loop {
            let r = fit::fit(&shape, hw.gpu, n, &q.fit);
            if r.best().is_some() || n >= YARDSTICK_MAX {
                break r;
            }
            n *= 2;
        }
    };
    let Some(best) = report.best() else {
        let closest = report
            .plans
            .iter()
            .min_by(|a, b| a.short_by_gib().total_cmp(&b.short_by_gib()));
        let (msg, short) = match closest {
            Some(p) => (
                format!(
                    "does not fit {}x {} at any precision: {} {}",
                    report.count,
                    hw.gpu.id,
                    p.precision.as_str(),
                    fit::remedies(&shape, hw.gpu, report.count, &q.fit, p).join("; ")
                ),
                Some(p.short_by_gib()),
            ),
            None => ("no precision applies".to_string(), None),
        };
        *short_by = short;
        fails.push(Finding::new("fit-insufficient-memory", Level::Fail, msg));
        return;
    };
    let price = q.gpu_price.or_else(|| hw.gpu.price_usd_h());
    // At the stated load the cheapest layout wins (fewer GPUs per replica when one replica is
    // enough); without a price, or for fine-tuning, the planner's best.
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
    let plan = if q.fit.task.is_training() || price.is_none() {
        best.clone()
    } else {
        fit::serve_layouts(&shape, hw.gpu, report.count, &q.fit, best.precision)
            .into_iter()
            .chain(std::iter::once(best.clone()))
            .min_by(|a, b| {
                cost_of(a).total_cmp(&cost_of(b)).then(
                    b.perf
                        .capacity_tokens_per_hour
                        .total_cmp(&a.perf.capacity_tokens_per_hour),
                )
            })
            .unwrap_or_else(|| best.clone())
    };
    let per_replica = plan.perf.capacity_per_replica_tokens_per_hour;
    // Room to spare scores 1 from a third of the budget up: more is not better, less is risk.
    d.headroom = (plan.headroom_gib() / plan.budget_gib / HEADROOM_ENOUGH).clamp(0.0, 1.0);
    let placement = format!(
        "{} TP{}{} x{} replica{} on {}x {}",
        plan.precision.as_str(),
        plan.tensor_parallel,
        if plan.pipeline_parallel > 1 {
            format!(" PP{}", plan.pipeline_parallel)
        } else {
            String::new()
        },
        plan.replicas,
        if plan.replicas == 1 { "" } else { "s" },
        report.count,
        hw.gpu.id
    );
    let fit_msg = format!(
        "{placement}: {:.1} of {:.1} GiB per GPU ({:.1} GiB headroom), up to {} sequences of {} tokens",
        plan.memory.total(),
        plan.budget_gib,
        plan.headroom_gib(),
        plan.max_concurrency,
        q.fit.context
    );
    d.reasons.push(Finding::new(
        if hw.given { "fit" } else { "fit-needs" },
        Level::Pass,
        if hw.given {
            fit_msg
        } else {
            format!("needs {fit_msg} (no --gpus: sized on {})", hw.gpu.name)
        },
    ));
    if let Some(price) = price {
        if let Some(e) = economics::self_hosted(
            q.tokens_per_hour,
            per_replica,
            plan.replicas,
            plan.gpus_per_replica(),
            price,
        ) {
            let mut msg = format!(
                "${:.3} per 1M tokens at {} tokens/h: {} GPU(s) x ${price:.2}/h = ${:.2}/h, capacity {}/h ({:.0}% used)",
                e.cost_per_million,
                crate::license::human(q.tokens_per_hour as u64),
                e.gpus_used,
                e.hourly_cost,
                crate::license::human((e.capacity_tokens_per_hour / 1000.0).round() as u64 * 1000),
                e.utilization * 100.0
            );
            if let Some((api, api_cost)) = cheapest_api {
                let be = economics::break_even(
                    plan.gpus_per_replica() as f64 * price,
                    per_replica,
                    *api_cost,
                );
                d.break_even = be;
                msg.push_str(&match be {
                    Some(load) => format!(
                        "; cheaper than {api} (${api_cost:.2}/1M) above {}/h",
                        crate::license::human((load / 1000.0).round() as u64 * 1000)
                    ),
                    None => {
                        format!("; never cheaper than {api} (${api_cost:.2}/1M) on one replica")
                    }
                });
            }
            let level = if e.headroom < 0.0 {
                Level::Warn
            } else {
                Level::Info
            };
            if e.headroom < 0.0 {
                d.reasons.push(Finding::new(
                    "load-exceeds-capacity",
                    Level::Warn,
                    format!(
                        "the load exceeds the plan's capacity by {:.0}%",
                        -e.headroom / (1.0 + e.headroom) * 100.0
                    ),
                ));
            }
            d.reasons.push(Finding::new("cost", level, msg));
            d.cost = Some(e.cost_per_million);
            d.economics = Some(e);
        }
    } else {
        d.reasons.push(Finding::new(
            "cost-unknown",
            Level::Warn,
            format!("no price for {} (give --gpu-price)", hw.gpu.id),
        ));
    }
    d.gpu = Some(hw.gpu.id.clone());
    d.plan = Some(plan);
}

fn short_why(m: &Model, d: &Draft, tier: Tier) -> String {
    let mut parts = vec![format!("{} license", tier.as_str())];
    if m.is_moe() {
        parts.push(format!(
            "MoE {:.0}B/{:.0}B active",
            m.params_total_b, m.params_active_b
        ));
    }
    if let Some(mmlu) = m.capability_mmlu {
        parts.push(format!("MMLU {mmlu:.0}"));
    }
    if let Some(p) = &d.plan {
        parts.push(format!("{:.0} GiB free/GPU", p.headroom_gib()));
    }
    if d.reasons.iter().any(|r| r.code == "load-exceeds-capacity") {
        parts.push("load > capacity".into());
    }
    parts.join(", ")
}
