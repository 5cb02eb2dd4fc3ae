//! The main job: filter the catalog by license, hardware, context, modality and tooling, price each
//! survivor at the expected load, score it, and explain every inclusion and exclusion.

use crate::catalog::{
    ArchClass, Catalog, CheckpointKind, Gpu, Modality, Model, Status, Support, Tier, Weights,
    ENGINES, FINETUNERS,
};
use crate::economics::{self, Economics};
use crate::findings::{Code, Finding, Level};
use crate::fit::{self, Plan, Request, Shape};
use crate::license::{self, Allow, Usage};
use std::collections::BTreeMap;

mod explain;
mod filter;
mod score;
mod size;

use explain::candidate;
use filter::filter_model;
pub use score::ecosystem;
use size::size;

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
    /// Every license that binds the model (its own first) with its tier and why it binds.
    pub licenses: Vec<(String, Tier, crate::license::Via)>,
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
                    .any(|r| matches!(r.code, Code::NoWeights | Code::ApiOnly))
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

/// A model that passed the filters, before scoring. Its reasons are written only if it is shown.
struct Draft<'m> {
    model: &'m Model,
    /// License duties and other non-failing findings.
    findings: Vec<Finding>,
    sized: Option<Priced>,
    /// Cost per 1M generated tokens (self-hosted at the load, or the API price).
    cost: Option<f64>,
    headroom: f64,
}

/// An open model's chosen plan and its economics.
struct Priced {
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
                *exclusion_counts.entry(f.code.as_str()).or_insert(0) += 1;
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
