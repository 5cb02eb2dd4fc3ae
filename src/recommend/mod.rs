//! The main job: filter the catalog by license, hardware, context, modality and tooling, size
//! each survivor for the stated load with room for its peaks, rate it on the requested task from
//! published evidence, drop what falls far below the best candidate, score the rest, and explain
//! every inclusion and exclusion.

use crate::capability::{self, Axis, Ratings, Unrated};
use crate::catalog::{
    ArchClass, Catalog, CheckpointKind, Date, Gpu, Modality, Model, Status, Support, Text, Tier,
    Weights, ENGINES, FINETUNERS,
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
use filter::{filter_model, teacher_lifecycle, teacher_terms};
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

    /// The weights for a task. A fine-tuning run is a one-off cost (tens to hundreds of dollars for
    /// LoRA) while what the base model knows bounds what the tuned one can do, so for training
    /// tasks all but 0.05 of the cost weight moves to capability: otherwise the cheapest small
    /// model to train would win on a single card where a larger one fits.
    pub fn weights_for(self, training: bool) -> [f64; 6] {
        let mut w = self.weights();
        if training {
            let moved = (w[1] - 0.05).max(0.0);
            w[0] += moved;
            w[1] -= moved;
        }
        w
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
    /// The request sized for; its context is also the minimum usable context a model needs.
    pub fit: Request,
    /// Mean load in generated tokens per hour.
    pub tokens_per_hour: f64,
    /// The plan must carry `tokens_per_hour x peak_factor`.
    pub peak_factor: f64,
    /// Plans whose single-stream decode is slower are not deployable.
    pub min_tokens_per_s: Option<f64>,
    pub gpu_price: Option<f64>,
    pub modality: Option<Modality>,
    pub class: Option<ArchClass>,
    /// The kind of checkpoint the user builds on (`--checkpoint`); None: any.
    pub checkpoint: Option<CheckpointKind>,
    pub engine: Option<String>,
    pub finetune_with: Option<String>,
    pub include_api: bool,
    /// The task whose benchmarks rate capability (`--for`).
    pub axis: Axis,
    /// The quality floor as a share of the best qualifying model's capability (None: the default;
    /// 0 turns it off).
    pub min_capability: Option<f64>,
    /// `--teacher`: candidates are students trained on this model's outputs.
    pub teacher: Option<&'c Model>,
    pub prefer: Prefer,
    pub top: usize,
    /// Give excluded models every reason (sizing them too), not just the first filter they fail,
    /// with what would fit where nothing does: for `--explain` and JSON; the table skips the
    /// sizing of models already out and shows excluded models as counts (without it, a filter's
    /// or the floor's reason carries its code's meaning, not a message written for the model).
    pub all_reasons: bool,
    /// The date the ranking is for (`PICK_TODAY`, else today): a deprecated model whose shutdown
    /// date has come is retired.
    pub today: Date,
}

impl Query<'_> {
    /// The quality floor in effect (a share of the best qualifying capability; 0 = off).
    pub fn floor(&self) -> f64 {
        self.min_capability.unwrap_or(DEFAULT_MIN_CAPABILITY)
    }

    /// Why a model is excluded. Its message is written only when every reason is wanted
    /// (`--explain`, JSON): the table shows excluded models as counts by code, so the code's
    /// meaning stands in for the messages of the hundred-odd models it excludes.
    fn fail(&self, code: Code, message: impl FnOnce() -> String) -> Finding {
        if self.all_reasons {
            Finding::new(code, Level::Fail, message())
        } else {
            Finding::new(code, Level::Fail, code.description())
        }
    }
}

/// A shutdown date with the days left: "on 2026-12-11, in 8 days".
fn shutdown_on(date: Date, today: Date) -> String {
    let days = date.days() - today.days();
    format!(
        "on {date}, in {days} day{}",
        if days == 1 { "" } else { "s" }
    )
}

/// Default load: 1M generated tokens an hour (~280 tokens/s), a small production service.
pub const DEFAULT_TOKENS_PER_HOUR: f64 = 1_000_000.0;
/// Default quality floor: a candidate rated below 85% of the best qualifying model's capability
/// on the requested axis is excluded. With a frontier model as the best (0.86-0.90), the floor is
/// about one log-odds unit below it: on general knowledge, the gap between MMLU 85 and 72.
pub const DEFAULT_MIN_CAPABILITY: f64 = 0.85;
/// GPU used as a yardstick when no --gpus is given.
pub const YARDSTICK_GPU: &str = "h100-sxm";
/// The most yardstick GPUs tried when sizing what a model needs.
const YARDSTICK_MAX: u64 = 64;
/// Share of the memory budget left free that counts as full marks for headroom.
const HEADROOM_ENOUGH: f64 = 1.0 / 3.0;

/// A candidate's capability on the requested axis, with the figures it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct CapabilityView {
    pub axis: Axis,
    /// The rating (expected score where the strongest rated model scores 90%); None: unrated.
    pub value: Option<f64>,
    pub unrated: Option<Unrated>,
    /// value / the best qualifying model's value: the score component.
    pub share_of_best: Option<f64>,
    pub figures: Vec<FigureView>,
}

/// One published figure behind a rating.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureView {
    pub benchmark: String,
    pub value: f64,
    pub checkpoint: CheckpointKind,
    pub protocol: Option<String>,
    pub group: String,
    pub source: String,
    pub as_of: Date,
    pub weight: f64,
}

/// A per-token offer for the same model by a hosting provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub provider: Text,
    pub offer: Option<Text>,
    pub cost_per_million: f64,
    pub as_of: Date,
    pub source: Text,
    pub note: Option<Text>,
}

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
    pub params_total_b: f64,
    pub score: f64,
    /// Component values in [0, 1], in `COMPONENTS` order; capability is None when unrated.
    pub components: [Option<f64>; 6],
    pub capability: CapabilityView,
    /// The plan priced: `replicas` are the replicas kept running for the load.
    pub plan: Option<Plan>,
    /// Replicas of that layout the GPUs could hold.
    pub replicas_available: Option<u64>,
    /// The user's GPUs the plan leaves free (None without --gpus).
    pub gpus_free: Option<u64>,
    pub gpu: Option<String>,
    pub economics: Option<Economics>,
    pub cost_per_million: Option<f64>,
    /// Against the cheapest API model.
    pub break_even_tokens_per_hour: Option<f64>,
    /// The cheapest per-token offer of this same model, and the load above which self-hosting
    /// costs less.
    pub serverless: Option<Offer>,
    pub break_even_serverless_tokens_per_hour: Option<f64>,
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
    pub id: Text,
    pub reasons: Vec<Finding>,
    /// How far it missed on memory (GiB per GPU), when that was a reason.
    pub short_by_gib: Option<f64>,
}

/// The quality floor as applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Floor {
    /// Share of the best qualifying capability required (0 = off).
    pub share: f64,
    /// The best qualifying rated model and its capability.
    pub best: Option<(Text, f64)>,
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
    pub cheapest_api: Option<(Text, f64)>,
    /// The strongest rated model on the axis (the reference of capability values).
    pub strongest: Option<String>,
    pub floor: Floor,
    /// Findings about the teacher itself (`--teacher`): its outputs clause, its own license.
    pub teacher_findings: Vec<Finding>,
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
                    .then_with(|| a.id.cmp(&b.id))
            })
    }
}

/// A model that passed the filters, before scoring. Its reasons are written only if it is shown.
struct Draft<'m> {
    /// Position in the catalog (ratings are indexed by it).
    index: usize,
    model: &'m Model,
    /// License duties and other non-failing findings.
    findings: Vec<Finding>,
    /// Boxed: drafts are moved from list to list (filtered, floored, scored), and a plan is large.
    sized: Option<Box<Priced>>,
    /// Cost per 1M generated tokens (self-hosted at the load, or the API price).
    cost: Option<f64>,
    headroom: f64,
    /// Not sized yet: sized after the loop, best rated first, then the unrated, unless the quality
    /// floor excludes it first (`size_by_capability`).
    deferred: bool,
}

impl Draft<'_> {
    /// Takes the plan sizing found.
    fn priced(&mut self, sized: Priced) {
        self.headroom =
            (sized.plan.headroom_gib() / sized.plan.budget_gib / HEADROOM_ENOUGH).clamp(0.0, 1.0);
        self.cost = sized
            .economics
            .map(|e| e.cost_per_million)
            .or(sized.train_cost);
        self.sized = Some(Box::new(sized));
    }
}

/// An open model's chosen plan and its economics.
struct Priced {
    /// The layout priced, with `replicas` = the replicas kept running.
    plan: Plan,
    gpu: String,
    /// GPUs the plan was sized on (the query's, or the yardstick count).
    count: u64,
    replicas_available: u64,
    price: Option<f64>,
    economics: Option<Economics>,
    break_even: Option<f64>,
    serverless: Option<(Offer, Option<f64>)>,
    /// Fine-tuning: USD per 1M training tokens with every GPU of the plan busy.
    train_cost: Option<f64>,
}

/// The references a self-hosted cost is compared with.
struct References<'a> {
    cheapest_api: Option<&'a (Text, f64)>,
    /// The same model bought per token: the cheapest offer for each model, by model id.
    offers: &'a crate::fasthash::FastMap<&'a str, (&'a crate::catalog::Serverless, f64)>,
}

pub fn recommend(catalog: &Catalog, q: &Query) -> Report {
    let report = rank(catalog, q);
    // No candidate: the nearest miss must be nearest on every criterion, so every excluded model
    // is weighed in full (sized too), not only by the first filter it failed.
    if report.candidates.is_empty() && !q.all_reasons {
        return rank(
            catalog,
            &Query {
                all_reasons: true,
                ..q.clone()
            },
        );
    }
    report
}

fn rank(catalog: &Catalog, q: &Query) -> Report {
    let ratio = q.fit.input_ratio;
    let cheapest_api = catalog
        .models
        .iter()
        // The break-even reference is a model one can still buy: not retired, not being shut down.
        .filter(|m| {
            m.weights == Weights::Api
                && !matches!(m.status_on(q.today), Status::Retired | Status::Deprecated)
        })
        .filter_map(|m| {
            Some((
                m.id.clone(),
                economics::api_cost_per_million(m.price_input_per_m?, m.price_output_per_m?, ratio),
            ))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    let offers = catalog.cheapest_offers(ratio);
    let refs = References {
        cheapest_api: cheapest_api.as_ref(),
        offers: &offers,
    };
    let newest = catalog.newest_release().map_or(0, |d| d.days());
    let ratings = catalog.ratings(q.axis, q.checkpoint);
    let teacher_findings = q
        .teacher
        .map(|t| {
            let mut found = license::teacher_findings(catalog, t, &q.usage);
            found.extend(teacher_lifecycle(t, q.today));
            found
        })
        .unwrap_or_default();

    // Each model is weighed on its own: a catalog of many thousands is shared out among the
    // cores in runs, each with its own license memo (100,000 models took 0.6 s on one core).
    const MODELS_WORTH_A_THREAD: usize = 4096;
    let threads = crate::catalog::cores_up_to(catalog.models.len() / MODELS_WORTH_A_THREAD);
    // A model below the quality floor is out whatever its plan: on one thread, sizing waits until
    // the floor is known (sizing the embedded catalog's 50 rated models under it was a quarter of
    // the query, the unrated ones smaller than the median rated candidate a sixth). Every reason
    // wanted: all are sized, and the floor is added to their reasons.
    let share = q.floor();
    let defer = threads == 1 && !q.all_reasons && share > 0.0;
    let runs = crate::catalog::on_runs(&catalog.models, threads, |start, models| {
        let mut verdicts = license::Verdicts::new(catalog, &q.usage, &q.allow);
        let mut drafts = Vec::with_capacity(models.len());
        let mut excluded = Vec::with_capacity(models.len());
        // Models that passed every filter but sizing, and failed it.
        let mut sized_out = Vec::new();
        for (index, m) in (start..).zip(models) {
            let mut fails = Vec::new();
            filter_model(catalog, q, m, &mut fails);
            // A model a filter already excluded is out whatever its licenses say: they are read
            // only when every reason is wanted (the table shows it as excluded either way, and a
            // query nothing qualifies for is ranked again with every reason).
            let verdict: &[Finding] = if fails.is_empty() || q.all_reasons {
                verdicts.violations(m)
            } else {
                &[]
            };
            fails.extend(verdict.iter().filter(|f| f.level == Level::Fail).cloned());
            // Duties and cautions matter only to a model that stays in.
            let mut findings: Vec<Finding> = if fails.is_empty() {
                verdict
                    .iter()
                    .filter(|f| f.level != Level::Fail)
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
            if let Some(teacher) = q.teacher {
                let (failed, notes): (Vec<Finding>, Vec<Finding>) =
                    teacher_terms(catalog, q, teacher, &teacher_findings, m)
                        .into_iter()
                        .partition(|f| f.level == Level::Fail);
                fails.extend(failed);
                findings.extend(notes);
            }
            let mut draft = Draft {
                index,
                model: m,
                findings,
                sized: None,
                cost: None,
                headroom: 0.5,
                deferred: false,
            };
            let mut short_by = None;
            let open = m.weights == Weights::Open;
            if defer && open && fails.is_empty() {
                draft.deferred = true;
            } else if (fails.is_empty() || q.all_reasons) && open {
                // Sizing is the expensive step: skip it for a model already out unless every
                // reason is wanted.
                match size(q, m, &refs) {
                    Ok(sized) => draft.priced(sized),
                    Err((finding, short)) => {
                        if fails.is_empty() {
                            sized_out.push(index);
                        }
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
                excluded.push(Excluded {
                    id: m.id.clone(),
                    reasons: fails,
                    short_by_gib: short_by,
                });
            }
        }
        (drafts, excluded, sized_out)
    });
    let (mut drafts, mut excluded, sized_out) = match <[_; 1]>::try_from(runs) {
        Ok([one]) => one,
        Err(runs) => {
            let (d, e) = runs
                .iter()
                .fold((0, 0), |(d, e), run| (d + run.0.len(), e + run.1.len()));
            let (mut drafts, mut excluded) = (Vec::with_capacity(d), Vec::with_capacity(e));
            let mut sized_out = Vec::new();
            for (d, e, s) in runs {
                drafts.extend(d);
                excluded.extend(e);
                sized_out.extend(s);
            }
            (drafts, excluded, sized_out)
        }
    };
    size_by_capability(q, &ratings, &refs, &mut drafts, &mut excluded);
    let mut exclusion_counts = BTreeMap::new();

    // The quality floor, relative to the best model that passed every other filter.
    let floor = apply_floor(q, &ratings, &mut drafts, &mut excluded);
    // With every reason wanted, a model that failed only at sizing and is below the floor (rated
    // under it, or unrated and smaller than the median rated candidate) has both reasons, as the
    // table, which never sized it, counts it below the floor.
    if let Some((best_id, best_value)) = floor.best.as_ref().filter(|_| floor.share > 0.0) {
        let median = median_rated_size(&drafts, &ratings, floor.share, *best_value);
        for index in sized_out {
            let Some(m) = catalog.models.get(index) else {
                continue;
            };
            let reason = match ratings.get(index) {
                Ok(r) if !clears_floor(r.value, floor.share, *best_value) => {
                    Some(below_floor(q, r.value, floor.share, *best_value, best_id))
                }
                Ok(_) => None,
                Err(_) => median
                    .as_ref()
                    .filter(|median| smaller_than(m, median))
                    .map(|median| unrated_below_floor(q, m, median)),
            };
            if let Some(reason) = reason {
                if let Some(e) = excluded.iter_mut().find(|e| e.id == m.id) {
                    e.reasons.push(reason);
                }
            }
        }
    }
    for e in &excluded {
        for f in &e.reasons {
            *exclusion_counts.entry(f.code.as_str()).or_insert(0) += 1;
        }
    }

    // Score relative to the field that survived.
    let best_cost = drafts
        .iter()
        .filter_map(|d| d.cost)
        .filter(|c| c.is_finite() && *c > 0.0)
        .fold(f64::INFINITY, f64::min);
    // The best qualifying model's strength (log-odds), the reference of the capability component.
    let best_strength = drafts
        .iter()
        .filter_map(|d| ratings.get(d.index).ok().map(|r| r.strength))
        .reduce(f64::max);
    let weights = q.prefer.weights_for(q.fit.task.is_training());
    let mut scored: Vec<(f64, [Option<f64>; 6], Draft)> = drafts
        .into_iter()
        .map(|d| {
            let m = d.model;
            // What the candidate gets right, as a share of what the best candidate gets right, on
            // a test hard enough to tell them apart (one the best scores 50% on):
            // 2 x sigmoid(strength - best). Near-saturated benchmarks (MMLU) make every strong
            // model look alike; this scale does not, and it keeps rated models on the footing an
            // unrated one gets (its weight spread over components that are mostly 0.8-1).
            let cap = ratings
                .get(d.index)
                .ok()
                .zip(best_strength)
                .map(|(r, best)| (2.0 / (1.0 + (best - r.strength).exp())).min(1.0));
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
            // Serving engines, fine-tuning frameworks and GPU memory do not apply to a model
            // bought per token: those components are not scored for API models.
            let open = m.weights == Weights::Open;
            let components = [
                cap,
                Some(cost),
                open.then(|| ecosystem(catalog, m)),
                Some(freedom),
                open.then_some(d.headroom),
                Some(fresh),
            ];
            (
                (score_of(&components, weights) * 1000.0).round() / 1000.0,
                components,
                d,
            )
        })
        .collect();
    // Ids break ties only: compared lazily (`then_with`), as they are strings.
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.2.model.id.cmp(&b.2.model.id))
    });
    let total_qualified = scored.len();
    let mut candidates: Vec<Candidate> = Vec::with_capacity(q.top.min(total_qualified));
    // Primary: the first-ranked candidate with evidence on the axis (an unrated one ranks on its
    // other components, but nothing shows it does the job: it is not the pick while a rated one
    // qualifies); fallback: the best of another vendor and license family, else of another vendor
    // (keeping two checkpoints ready is standard practice), rated too. Either may rank below --top.
    // Building on a base checkpoint, only figures measured on base checkpoints show that one does
    // the job (post-trained figures count at a reduced weight in the rating, not here).
    let rated = |d: &Draft| {
        ratings
            .get(d.index)
            .is_ok_and(|r| q.checkpoint != Some(CheckpointKind::Base) || r.base_figure)
    };
    let any_rated = scored.iter().any(|(_, _, d)| rated(d));
    let eligible = |d: &Draft| !any_rated || rated(d);
    let first = scored.iter().position(|(_, _, d)| eligible(d));
    let primary = first.map(|i| Choice {
        id: scored[i].2.model.id.to_string(),
        rank: i + 1,
        other_license: false,
    });
    let fallback = first.and_then(|f| {
        let first = &scored[f].2;
        let other = |d: &Draft| d.model.vendor != first.model.vendor && eligible(d);
        scored
            .iter()
            .position(|(_, _, d)| other(d) && d.model.license != first.model.license)
            .or_else(|| scored.iter().position(|(_, _, d)| other(d)))
            .map(|i| Choice {
                id: scored[i].2.model.id.to_string(),
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
            &ratings,
            &floor,
            &refs,
        ));
    }
    let excluded = in_id_order(excluded);
    Report {
        candidates,
        candidates_total: total_qualified,
        excluded,
        primary,
        fallback,
        cheapest_api,
        strongest: ratings.strongest.map(str::to_string),
        floor,
        teacher_findings,
        exclusion_counts,
        total_considered: catalog.models.len(),
    }
}

/// The excluded models in id order (the order reports list them in). Each id is read once, as its
/// first 16 bytes in one integer (which orders ids as their strings do, but for ties between ids
/// sharing them) and its string; sorting the models themselves read both strings again at each of
/// some 1,200 comparisons (5% of the main query's instructions).
fn in_id_order(excluded: Vec<Excluded>) -> Vec<Excluded> {
    let mut order: Vec<(u128, &str, usize)> = excluded
        .iter()
        .enumerate()
        .map(|(i, e)| (leading_bytes(&e.id), e.id.as_str(), i))
        .collect();
    order.sort_unstable();
    let order: Vec<usize> = order.into_iter().map(|(_, _, i)| i).collect();
    let mut slots: Vec<Option<Excluded>> = excluded.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// The first 16 bytes of `s` as a big-endian integer, zero-padded: for any strings, `a < b`
/// implies `leading_bytes(a) <= leading_bytes(b)`.
fn leading_bytes(s: &str) -> u128 {
    let mut bytes = [0u8; 16];
    let n = s.len().min(16);
    bytes[..n].copy_from_slice(&s.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

/// The weighted score (0-100). An unrated capability's weight is spread over the other components
/// in proportion to theirs: the model is ranked on what is known about it.
fn score_of(components: &[Option<f64>; 6], weights: [f64; 6]) -> f64 {
    let known: f64 = components
        .iter()
        .zip(weights)
        .filter(|(c, _)| c.is_some())
        .map(|(_, w)| w)
        .sum();
    if known <= 0.0 {
        return 0.0;
    }
    components
        .iter()
        .zip(weights)
        .filter_map(|(c, w)| c.map(|c| c * w))
        .sum::<f64>()
        / known
        * 100.0
}

/// Sizes the drafts whose sizing waited for the quality floor, best rated first: once one
/// qualifies (or a qualifying API model is rated higher), the floor is known, and a rated draft
/// below it stays unsized for `apply_floor` to exclude, with the same threshold. Then the unrated
/// ones, except those `apply_floor` excludes for being smaller than the median rated candidate.
fn size_by_capability(
    q: &Query,
    ratings: &Ratings,
    refs: &References,
    drafts: &mut Vec<Draft>,
    excluded: &mut Vec<Excluded>,
) {
    if !drafts.iter().any(|d| d.deferred) {
        return;
    }
    let value = |d: &Draft| ratings.get(d.index).map(|r| r.value);
    let mut rated: Vec<usize> = (0..drafts.len())
        .filter(|&i| drafts[i].deferred && value(&drafts[i]).is_ok())
        .collect();
    rated.sort_by(|&a, &b| {
        let v = |i: usize| value(&drafts[i]).unwrap_or(f64::NEG_INFINITY);
        v(b).total_cmp(&v(a))
            .then_with(|| drafts[a].model.id.cmp(&drafts[b].model.id))
    });
    // The best rating among the drafts that stay (sized ones, API models), as `apply_floor` takes it.
    let mut best = drafts
        .iter()
        .filter(|d| !d.deferred)
        .filter_map(|d| value(d).ok())
        .reduce(f64::max);
    let share = q.floor();
    let mut failed = Vec::new();
    for i in rated {
        let d = &mut drafts[i];
        d.deferred = false;
        let v = value(d).unwrap_or(f64::NEG_INFINITY);
        if best.is_some_and(|b| !clears_floor(v, share, b)) {
            continue;
        }
        match size(q, d.model, refs) {
            Ok(sized) => {
                d.priced(sized);
                best = Some(best.map_or(v, |b| b.max(v)));
            }
            Err(why) => failed.push((i, why)),
        }
    }
    let mut out = |drafts: &mut Vec<Draft>, mut failed: Vec<(usize, (Finding, Option<f64>))>| {
        failed.sort_by_key(|(i, _)| std::cmp::Reverse(*i));
        for (i, (finding, short)) in failed {
            let d = drafts.remove(i);
            excluded.push(Excluded {
                id: d.model.id.clone(),
                reasons: vec![finding],
                short_by_gib: short,
            });
        }
    };
    out(drafts, failed);
    // Positions moved with the removals: the unrated drafts still waiting are found again.
    let median = best.and_then(|b| median_rated_size(drafts, ratings, share, b));
    let mut failed = Vec::new();
    for (i, d) in drafts.iter_mut().enumerate().filter(|(_, d)| d.deferred) {
        d.deferred = false;
        if median
            .as_ref()
            .is_some_and(|median| smaller_than(d.model, median))
        {
            continue;
        }
        match size(q, d.model, refs) {
            Ok(sized) => d.priced(sized),
            Err(why) => failed.push((i, why)),
        }
    }
    out(drafts, failed);
}

/// Whether a rating clears the floor: at least `share` of the best qualifying model's. The one
/// test of it, so that the table's early exclusion (`size_by_capability`), `apply_floor` and the
/// reasons added where every reason is wanted all draw the line in the same place.
fn clears_floor(value: f64, share: f64, best_value: f64) -> bool {
    value >= share * best_value
}

/// Why a rated model is out: below `share` of the best qualifying model's capability.
fn below_floor(q: &Query, value: f64, share: f64, best_value: f64, best_id: &str) -> Finding {
    q.fail(Code::BelowQualityFloor, || {
        format!(
            "{} capability {value:.2} is below {:.0}% of the best qualifying model's ({best_value:.2}, {best_id}); --min-capability sets the floor",
            q.axis.as_str(),
            share * 100.0
        )
    })
}

/// Excludes the drafts far below the best qualifying model on the axis (see `Query::floor`), and
/// the unrated open models smaller than every rated draft that clears it.
fn apply_floor(
    q: &Query,
    ratings: &Ratings,
    drafts: &mut Vec<Draft>,
    excluded: &mut Vec<Excluded>,
) -> Floor {
    let share = q.floor();
    let best = drafts
        .iter()
        .filter_map(|d| ratings.get(d.index).ok().map(|r| (d, r.value)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.model.id.cmp(&a.0.model.id)))
        .map(|(d, v)| (d.model.id.clone(), v));
    let Some((best_id, best_value)) = best.clone() else {
        return Floor { share, best };
    };
    if share <= 0.0 {
        return Floor { share, best };
    }
    let mut out = |d: Draft, reason: Finding| {
        excluded.push(Excluded {
            id: d.model.id.clone(),
            reasons: vec![reason],
            short_by_gib: None,
        });
    };
    let (keep, low): (Vec<Draft>, Vec<Draft>) = std::mem::take(drafts).into_iter().partition(|d| {
        ratings
            .get(d.index)
            .map_or(true, |r| clears_floor(r.value, share, best_value))
    });
    for d in low {
        let v = ratings.get(d.index).map_or(0.0, |r| r.value);
        out(d, below_floor(q, v, share, best_value, &best_id));
    }
    let median = median_rated_size(&keep, ratings, share, best_value);
    for d in keep {
        match &median {
            Some(median) if ratings.get(d.index).is_err() && smaller_than(d.model, median) => {
                let reason = unrated_below_floor(q, d.model, median);
                out(d, reason);
            }
            _ => drafts.push(d),
        }
    }
    Floor { share, best }
}

/// Without evidence a model cannot show it clears the floor. Size is the one thing known of it
/// that tracks capability: an unrated model smaller than the median rated candidate that clears
/// the floor is not given the benefit of the doubt (the median, not the smallest, so that one
/// small model with strong figures does not let every small unrated one through). The median's
/// size and id, among the drafts rated at or above the floor.
fn median_rated_size(
    drafts: &[Draft],
    ratings: &Ratings,
    share: f64,
    best_value: f64,
) -> Option<(f64, Text)> {
    let mut sizes: Vec<(f64, Text)> = drafts
        .iter()
        .filter(|d| {
            ratings
                .get(d.index)
                .is_ok_and(|r| clears_floor(r.value, share, best_value))
                && d.model.params_total_b > 0.0
        })
        .map(|d| (d.model.params_total_b, d.model.id.clone()))
        .collect();
    sizes.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    (!sizes.is_empty()).then(|| sizes[(sizes.len() - 1) / 2].clone())
}

/// Whether an open model of known size is smaller than the median rated candidate (the test
/// `apply_floor` applies to the unrated ones).
fn smaller_than(m: &Model, (size, _): &(f64, Text)) -> bool {
    m.weights == Weights::Open && m.params_total_b > 0.0 && m.params_total_b < *size
}

/// Why an unrated open model is out: smaller than the median rated candidate above the floor.
fn unrated_below_floor(q: &Query, m: &Model, (size, id): &(f64, Text)) -> Finding {
    q.fail(Code::BelowQualityFloor, || {
        format!(
            "unrated on {}, and smaller ({}B) than the median rated candidate above the floor ({id}, {}B)",
            q.axis.as_str(),
            trim_b(m.params_total_b),
            trim_b(*size)
        )
    })
}

/// 8.2 → "8.2", 0.135 → "0.14", 235 → "235".
fn trim_b(b: f64) -> String {
    if b >= 10.0 {
        format!("{b:.0}")
    } else if b >= 1.0 {
        format!("{b:.1}")
    } else {
        format!("{b:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_moves_the_cost_weight_to_capability_and_keeps_the_sum() {
        for p in [
            Prefer::Balanced,
            Prefer::Quality,
            Prefer::Cost,
            Prefer::Ecosystem,
        ] {
            let (serve, train) = (p.weights_for(false), p.weights_for(true));
            assert_eq!(serve, p.weights());
            assert!((train.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{p:?}");
            assert!((train[1] - 0.05).abs() < 1e-12, "{p:?}: cost {}", train[1]);
            assert!((train[0] - (serve[0] + serve[1] - 0.05)).abs() < 1e-12);
            assert_eq!(train[2..], serve[2..]);
        }
    }

    #[test]
    fn excluded_models_are_listed_in_the_order_of_their_ids_as_strings() {
        // Ids sharing their first 16 bytes or more, prefixes of one another, a NUL, multi-byte
        // characters, and the order a catalog might hold them in.
        let ids = [
            "deepseek-r1-distill-qwen-32b",
            "deepseek-r1-distill-qwen-1.5b",
            "deepseek-r1-distill-qwen-14b",
            "deepseek-r1-distill-llama-8b",
            "qwen3",
            "qwen3-coder-30b-a3b",
            "qwen3-coder-480b-a35b",
            "qwen3-0.6b",
            "a",
            "a\0",
            "a\0b",
            "0123456789abcdef",
            "0123456789abcdef0",
            "0123456789abcde",
            "émile-7b",
            "zeta",
            "",
        ];
        let excluded: Vec<Excluded> = ids
            .iter()
            .map(|id| Excluded {
                id: Text::from(id.to_string()),
                reasons: Vec::new(),
                short_by_gib: None,
            })
            .collect();
        let mut expected: Vec<&str> = ids.to_vec();
        expected.sort();
        let got: Vec<String> = in_id_order(excluded)
            .into_iter()
            .map(|e| e.id.to_string())
            .collect();
        assert_eq!(got, expected);
        for a in ids {
            for b in ids {
                if a < b {
                    assert!(leading_bytes(a) <= leading_bytes(b), "{a:?} < {b:?}");
                }
            }
        }
    }
}
