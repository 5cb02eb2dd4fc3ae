//! The recommender's output: ranked table with a short why per row, primary and fallback, the
//! exclusions (`--explain`), and the JSON / CSV / TSV / ids forms.

use super::{delimited, json, num, short, GpusJson, Pairs, Style, SCHEMA_VERSION};
use crate::catalog::{ArchClass, CheckpointKind, Date, Modality, Tier, Weights};
use crate::findings::{Code, Finding, Level};
use crate::recommend::{Candidate, Query, Report, COMPONENTS};
use crate::units::fixed;
use serde::Serialize;
// Lines are written straight into the report (`write!` into a `String` cannot fail: `let _`).
use std::fmt::Write as _;

/// A reason a candidate ranks where it does, or a model is excluded.
#[derive(Serialize)]
struct ReasonJson<'a> {
    code: Code,
    level: Level,
    message: &'a str,
}

fn reasons_json(r: &[Finding]) -> Vec<ReasonJson<'_>> {
    r.iter()
        .map(|f| ReasonJson {
            code: f.code,
            level: f.level,
            message: &f.message,
        })
        .collect()
}

/// The plan as priced: layout and replicas kept running.
fn plan_text(c: &Candidate) -> String {
    match &c.plan {
        Some(p) => format!("{} x{}", p.layout(), p.replicas),
        None => "API".into(),
    }
}

/// GPUs kept running, of the GPUs given (`2/8`), or the count needed without --gpus.
fn gpus_text(c: &Candidate) -> String {
    match (&c.plan, c.gpus_free) {
        (Some(p), Some(free)) => format!("{}/{}", p.gpus_used(), p.gpus_used() + free),
        (Some(p), None) => p.gpus_used().to_string(),
        (None, _) => "-".into(),
    }
}

/// `pick [OPTIONS] --format json`.
#[derive(Serialize)]
struct RecommendJson<'a> {
    schema_version: u32,
    query: QueryJson<'a>,
    /// The first `--top` candidates, ranked.
    candidates: Vec<CandidateJson<'a>>,
    /// How many models qualified.
    candidates_total: usize,
    primary: Option<&'a str>,
    /// The primary's rank: the best-ranked candidate with evidence on the axis (1 unless unrated
    /// candidates rank above it).
    primary_rank: Option<usize>,
    fallback: Option<&'a str>,
    fallback_rank: Option<usize>,
    cheapest_api: Option<CheapestApiJson<'a>>,
    /// The strongest rated model on the axis: capability values are relative to it.
    capability_reference: Option<&'a str>,
    quality_floor: FloorJson<'a>,
    /// `--teacher`: the teacher and what its licenses say about training on its outputs.
    teacher: Option<TeacherJson<'a>>,
    /// Every excluded model, with every reason, whether or not `--explain` was given.
    excluded: Vec<ExcludedJson<'a>>,
}

/// The question asked, defaults filled in.
#[derive(Serialize)]
struct QueryJson<'a> {
    /// The `--license` words as written.
    license: &'a str,
    usage: UsageJson<'a>,
    /// Null without `--gpus`; `yardstick_gpu` then names the GPU each model was sized on.
    gpus: Option<GpusJson<'a>>,
    yardstick_gpu: Option<&'a str>,
    task: &'static str,
    context: u64,
    concurrency: u64,
    precision: Option<&'static str>,
    tokens_per_hour: f64,
    peak_factor: f64,
    min_tokens_per_s: Option<f64>,
    input_ratio: f64,
    gpu_price: Option<f64>,
    #[serde(rename = "for")]
    for_task: &'static str,
    /// The quality floor in effect (share of the best qualifying capability; 0 = off).
    min_capability: f64,
    checkpoint: Option<CheckpointKind>,
    teacher: Option<&'a str>,
    modality: Option<Modality>,
    class: Option<ArchClass>,
    engine: Option<&'a str>,
    finetune_with: Option<&'a str>,
    include_api: bool,
    prefer: &'static str,
    top: usize,
    /// The date the ranking is for (`PICK_TODAY`, else today): lifecycle depends on it.
    today: Date,
}

/// The usage the licenses were read against. `commercial` (use is production) and `distill` (a
/// student is trained) summarize `use` and `student`.
#[derive(Serialize)]
struct UsageJson<'a> {
    commercial: bool,
    mau: Option<u64>,
    region: Option<crate::places::Place>,
    hosted: bool,
    redistribute: bool,
    distill: bool,
    #[serde(rename = "use")]
    purpose: crate::license::Use,
    licensee: crate::license::Licensee,
    group_mau: Option<u64>,
    revenue_usd_month: Option<u64>,
    users_in: &'a [crate::places::Place],
    hosted_in: &'a [crate::places::Place],
    /// general | narrow; null without --distill.
    student: Option<&'static str>,
    domains: &'a [crate::license::Domain],
}

#[derive(Serialize)]
struct CandidateJson<'a> {
    rank: usize,
    id: &'a str,
    name: &'a str,
    vendor: &'a str,
    params_total_b: Option<f64>,
    score: Option<f64>,
    /// Component → value in [0, 1], in `COMPONENTS` order (capability null when unrated).
    score_components: Pairs<&'static str, Option<f64>>,
    capability: CapabilityJson<'a>,
    /// The model's own license.
    license: CandidateLicenseJson<'a>,
    /// Every license that binds the model, its own first.
    licenses: Vec<BoundLicenseJson<'a>>,
    weights: Weights,
    /// Null for an API-only model.
    plan: Option<CandidatePlanJson<'a>>,
    cost_per_million_tokens_usd: Option<f64>,
    hourly_cost_usd: Option<f64>,
    utilization: Option<f64>,
    break_even_tokens_per_hour: Option<f64>,
    /// The cheapest per-token offer of the same model (like-for-like alternative to self-hosting).
    serverless: Option<OfferJson<'a>>,
    break_even_serverless_tokens_per_hour: Option<f64>,
    why: &'a str,
    reasons: Vec<ReasonJson<'a>>,
}

#[derive(Serialize)]
struct CandidateLicenseJson<'a> {
    id: &'a str,
    tier: Tier,
}

/// A license binding a candidate, and why (`own`, `also-bound-by`, `base`, `teacher`).
#[derive(Serialize)]
struct BoundLicenseJson<'a> {
    id: &'a str,
    tier: Tier,
    via: crate::license::Via,
}

/// The plan a candidate is priced at: `replicas` are the replicas kept running (enough for the load
/// times the peak factor), `gpus_used` = TP x PP x replicas, `capacity_tokens_per_hour` what they
/// serve; `replicas_available` what the GPUs hold, `gpus_free` the given GPUs left over.
#[derive(Serialize)]
struct CandidatePlanJson<'a> {
    precision: &'static str,
    tensor_parallel: u64,
    pipeline_parallel: u64,
    /// GPUs the routed experts are split over, with data-parallel attention (1: none).
    expert_parallel: u64,
    replicas: u64,
    replicas_available: u64,
    gpus_used: u64,
    gpus_free: Option<u64>,
    gpu: Option<&'a str>,
    memory_per_gpu_gib: Option<f64>,
    headroom_gib: Option<f64>,
    max_concurrency: u64,
    decode_tokens_per_s_single: Option<f64>,
    capacity_tokens_per_hour: Option<f64>,
}

/// Capability on the requested axis: the rating (null when unrated) and the figures behind it.
#[derive(Serialize)]
struct CapabilityJson<'a> {
    axis: &'static str,
    value: Option<f64>,
    /// value / the best qualifying model's: the score component.
    share_of_best: Option<f64>,
    /// Why there is no rating (null when rated).
    unrated: Option<&'static str>,
    evidence: Vec<EvidenceJson<'a>>,
}

#[derive(Serialize)]
struct EvidenceJson<'a> {
    benchmark: &'a str,
    value: f64,
    checkpoint: CheckpointKind,
    protocol: Option<&'a str>,
    group: &'a str,
    source: &'a str,
    as_of: Date,
    /// 1 for direct evidence, 0.5 for another checkpoint kind.
    weight: f64,
}

#[derive(Serialize)]
struct OfferJson<'a> {
    provider: &'a str,
    offer: Option<&'a str>,
    cost_per_million_tokens_usd: Option<f64>,
    as_of: Date,
    source: &'a str,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct FloorJson<'a> {
    min_capability: f64,
    best_id: Option<&'a str>,
    best_capability: Option<f64>,
}

#[derive(Serialize)]
struct TeacherJson<'a> {
    id: &'a str,
    findings: Vec<ReasonJson<'a>>,
}

#[derive(Serialize)]
struct CheapestApiJson<'a> {
    id: &'a str,
    cost_per_million_tokens_usd: Option<f64>,
}

#[derive(Serialize)]
struct ExcludedJson<'a> {
    id: &'a str,
    reasons: Vec<ReasonJson<'a>>,
}

impl<'a> QueryJson<'a> {
    fn new(q: &'a Query) -> QueryJson<'a> {
        let given = q.hardware.given;
        QueryJson {
            license: &q.allow.label,
            usage: UsageJson {
                commercial: q.usage.commercial(),
                mau: q.usage.mau,
                region: q.usage.region,
                hosted: q.usage.hosted,
                redistribute: q.usage.redistribute,
                distill: q.usage.distill.is_some(),
                purpose: q.usage.purpose,
                licensee: q.usage.licensee,
                group_mau: q.usage.group_mau,
                revenue_usd_month: q.usage.revenue_usd_month,
                users_in: &q.usage.users_in,
                hosted_in: &q.usage.hosted_in,
                student: q.usage.distill.map(|s| s.as_str()),
                domains: &q.usage.domains,
            },
            gpus: given.then(|| GpusJson {
                gpu: &q.hardware.gpu.id,
                count: q.hardware.count,
            }),
            yardstick_gpu: (!given).then_some(q.hardware.gpu.id.as_str()),
            task: q.fit.task.as_str(),
            context: q.fit.context,
            concurrency: q.fit.concurrency,
            precision: q.fit.precision.map(|p| p.as_str()),
            tokens_per_hour: q.tokens_per_hour,
            peak_factor: q.peak_factor,
            min_tokens_per_s: q.min_tokens_per_s,
            input_ratio: q.fit.input_ratio,
            gpu_price: q.gpu_price,
            for_task: q.axis.as_str(),
            min_capability: q.floor(),
            checkpoint: q.checkpoint,
            teacher: q.teacher.map(|t| t.id.as_str()),
            modality: q.modality,
            class: q.class,
            engine: q.engine.as_deref(),
            finetune_with: q.finetune_with.as_deref(),
            include_api: q.include_api,
            prefer: q.prefer.as_str(),
            top: q.top,
            today: q.today,
        }
    }
}

impl<'a> CandidateJson<'a> {
    fn new(c: &'a Candidate) -> CandidateJson<'a> {
        CandidateJson {
            rank: c.rank,
            id: &c.id,
            name: &c.name,
            vendor: &c.vendor,
            params_total_b: (c.params_total_b > 0.0).then_some(c.params_total_b),
            score: num(c.score),
            score_components: Pairs(
                COMPONENTS
                    .iter()
                    .zip(c.components)
                    .map(|(k, v)| (*k, v.and_then(num)))
                    .collect(),
            ),
            capability: CapabilityJson {
                axis: c.capability.axis.as_str(),
                value: c.capability.value.and_then(num),
                share_of_best: c.capability.share_of_best.and_then(num),
                unrated: c.capability.unrated.map(|u| u.as_str()),
                evidence: c
                    .capability
                    .figures
                    .iter()
                    .map(|f| EvidenceJson {
                        benchmark: &f.benchmark,
                        value: f.value,
                        checkpoint: f.checkpoint,
                        protocol: f.protocol.as_deref(),
                        group: &f.group,
                        source: &f.source,
                        as_of: f.as_of,
                        weight: f.weight,
                    })
                    .collect(),
            },
            license: CandidateLicenseJson {
                id: &c.license_id,
                tier: c.license_tier,
            },
            licenses: c
                .licenses
                .iter()
                .map(|(id, tier, via)| BoundLicenseJson {
                    id,
                    tier: *tier,
                    via: *via,
                })
                .collect(),
            weights: c.weights,
            plan: c.plan.as_ref().map(|p| CandidatePlanJson {
                precision: p.precision.as_str(),
                tensor_parallel: p.tensor_parallel,
                pipeline_parallel: p.pipeline_parallel,
                expert_parallel: p.expert_parallel,
                replicas: p.replicas,
                replicas_available: c.replicas_available.unwrap_or(p.replicas),
                gpus_used: p.gpus_used(),
                gpus_free: c.gpus_free,
                gpu: c.gpu.as_deref(),
                memory_per_gpu_gib: num(p.memory.total()),
                headroom_gib: num(p.headroom_gib()),
                max_concurrency: p.max_concurrency,
                decode_tokens_per_s_single: num(p.perf.decode_single),
                capacity_tokens_per_hour: num(p.perf.capacity_tokens_per_hour),
            }),
            cost_per_million_tokens_usd: c.cost_per_million.and_then(num),
            hourly_cost_usd: c.economics.and_then(|e| num(e.hourly_cost)),
            utilization: c.economics.and_then(|e| num(e.utilization)),
            break_even_tokens_per_hour: c.break_even_tokens_per_hour.and_then(num),
            serverless: c.serverless.as_ref().map(|o| OfferJson {
                provider: &o.provider,
                offer: o.offer.as_deref(),
                cost_per_million_tokens_usd: num(o.cost_per_million),
                as_of: o.as_of,
                source: &o.source,
                note: o.note.as_deref(),
            }),
            break_even_serverless_tokens_per_hour: c
                .break_even_serverless_tokens_per_hour
                .and_then(num),
            why: &c.why,
            reasons: reasons_json(&c.reasons),
        }
    }
}

pub fn report_json(r: &Report, q: &Query) -> String {
    json(&RecommendJson {
        schema_version: SCHEMA_VERSION,
        query: QueryJson::new(q),
        candidates: r.candidates.iter().map(CandidateJson::new).collect(),
        candidates_total: r.candidates_total,
        primary: r.primary.as_ref().map(|c| c.id.as_str()),
        primary_rank: r.primary.as_ref().map(|c| c.rank),
        fallback: r.fallback.as_ref().map(|c| c.id.as_str()),
        fallback_rank: r.fallback.as_ref().map(|c| c.rank),
        cheapest_api: r.cheapest_api.as_ref().map(|(id, cost)| CheapestApiJson {
            id,
            cost_per_million_tokens_usd: num(*cost),
        }),
        capability_reference: r.strongest.as_deref(),
        quality_floor: FloorJson {
            min_capability: r.floor.share,
            best_id: r.floor.best.as_ref().map(|(id, _)| id.as_str()),
            best_capability: r.floor.best.as_ref().and_then(|(_, v)| num(*v)),
        },
        teacher: q.teacher.map(|t| TeacherJson {
            id: &t.id,
            findings: reasons_json(&r.teacher_findings),
        }),
        excluded: r
            .excluded
            .iter()
            .map(|e| ExcludedJson {
                id: &e.id,
                reasons: reasons_json(&e.reasons),
            })
            .collect(),
    })
}

const HEADER: [&str; 10] = [
    "rank",
    "model",
    "plan",
    "GPUs",
    "tok/s",
    "$/1M tok",
    "capability",
    "license",
    "score",
    "why",
];

fn row(c: &Candidate) -> Vec<String> {
    vec![
        c.rank.to_string(),
        c.id.clone(),
        plan_text(c),
        gpus_text(c),
        // Serving: throughput of the replicas the load keeps running; fine-tuning: training tok/s.
        match (&c.plan, c.economics) {
            (_, Some(e)) => short(e.capacity_tokens_per_hour / 3600.0),
            (Some(p), None) => match p.perf.train_tokens_per_s {
                Some(t) => short(t),
                None if p.perf.capacity_tokens_per_hour > 0.0 => {
                    short(p.perf.capacity_tokens_per_hour / 3600.0)
                }
                None => "?".into(),
            },
            (None, None) => "-".into(),
        },
        c.cost_per_million.map_or("-".into(), |v| {
            if v.is_finite() {
                fixed(v, 3).to_string()
            } else {
                "-".into()
            }
        }),
        c.capability
            .value
            .map_or("unrated".into(), |v| fixed(v, 2).to_string()),
        // Every binding license: a distill is bound by its base's terms too.
        c.licenses
            .iter()
            .map(|(id, tier, _)| format!("{id} ({})", tier.as_str()))
            .collect::<Vec<_>>()
            .join(" + "),
        fixed(c.score, 1).to_string(),
        c.why.clone(),
    ]
}

/// CSV / TSV: data, not the display table. One row per candidate, raw values under the JSON
/// field names (numbers unrounded and without units; an empty field is null in JSON).
pub fn report_delimited(r: &Report, tsv: bool) -> String {
    const FIELDS: [&str; 19] = [
        "rank",
        "id",
        "weights",
        "score",
        "capability",
        "precision",
        "tensor_parallel",
        "pipeline_parallel",
        "expert_parallel",
        "replicas",
        "gpus_used",
        "gpu",
        "decode_tokens_per_s_single",
        "capacity_tokens_per_hour",
        "cost_per_million_tokens_usd",
        "hourly_cost_usd",
        "utilization",
        "license_id",
        "license_tier",
    ];
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    let rows: Vec<Vec<String>> = r
        .candidates
        .iter()
        .map(|c| {
            let p = c.plan.as_ref();
            vec![
                c.rank.to_string(),
                c.id.clone(),
                c.weights.as_str().to_string(),
                c.score.to_string(),
                opt(c.capability.value),
                p.map_or(String::new(), |p| p.precision.as_str().to_string()),
                opt(p.map(|p| p.tensor_parallel as f64)),
                opt(p.map(|p| p.pipeline_parallel as f64)),
                opt(p.map(|p| p.expert_parallel as f64)),
                opt(p.map(|p| p.replicas as f64)),
                opt(p.map(|p| p.gpus_used() as f64)),
                c.gpu.clone().unwrap_or_default(),
                opt(p.map(|p| p.perf.decode_single)),
                opt(p.map(|p| p.perf.capacity_tokens_per_hour)),
                opt(c.cost_per_million),
                opt(c.economics.map(|e| e.hourly_cost)),
                opt(c.economics.map(|e| e.utilization)),
                c.license_id.clone(),
                c.license_tier.as_str().to_string(),
            ]
        })
        .collect();
    delimited(&FIELDS, &rows, tsv)
}

pub fn report_ids(r: &Report) -> String {
    r.candidates.iter().map(|c| format!("{}\n", c.id)).collect()
}

pub fn report_table(r: &Report, q: &Query, explain: bool, style: Style) -> String {
    let mut out = String::new();
    let hw = if q.hardware.given {
        format!("{}x {}", q.hardware.count, q.hardware.gpu.id)
    } else {
        format!(
            "no --gpus (sized on {}; plans show what each model needs)",
            q.hardware.gpu.id
        )
    };
    let _ = writeln!(
        out,
        "{} license {} | {} | {} {} tokens | load {} tokens/h, peaks x{} | for {} | prefer {}",
        style.bold("pick:"),
        q.allow.label,
        hw,
        q.fit.task.as_str(),
        q.fit.context,
        short(q.tokens_per_hour),
        q.peak_factor,
        q.axis.as_str(),
        q.prefer.as_str()
    );
    if let Some(t) = q.teacher {
        let _ = writeln!(
            out,
            "students of {} (its terms on outputs apply to each)",
            t.id
        );
        for f in &r.teacher_findings {
            let _ = writeln!(
                out,
                "  {} {:<22} {}",
                style.level(f.level),
                f.code,
                f.message
            );
        }
    }
    if r.candidates.is_empty() {
        let _ = writeln!(out, "{}", style.red("no model qualifies"));
    } else {
        let rows: Vec<Vec<String>> = r.candidates.iter().map(row).collect();
        // On a terminal: the model (whole), then what decides, then the prose, as width allows.
        let keep = style.columns_that_fit(&HEADER, &rows, &[1, 0, 2, 5, 6, 8, 3, 4, 7, 9]);
        let model = keep.iter().position(|&i| i == 1).unwrap_or(0);
        out.push_str(&style.draw(&HEADER, rows, &keep, model));
        out.push('\n');
        // `pick list` shows released models only: say how many of the excluded were never
        // released, so the two counts add up.
        let announced = r
            .excluded
            .iter()
            .filter(|e| e.reasons.iter().any(|f| f.code == Code::NoWeights))
            .count();
        let _ = writeln!(
            out,
            "{} of {} models qualify; {} excluded{}{}",
            r.candidates_total,
            r.total_considered,
            r.excluded.len(),
            if announced > 0 {
                format!(", {announced} of them announced and never released")
            } else {
                String::new()
            },
            if explain { "" } else { " (--explain says why)" }
        );
        if let Some(p) = &r.primary {
            let gpus = r
                .candidates
                .iter()
                .find(|c| c.id == p.id)
                .and_then(|c| c.plan.as_ref().zip(c.gpus_free))
                .map_or(String::new(), |(plan, free)| {
                    let (used, given) = (plan.gpus_used(), plan.gpus_used() + free);
                    match free {
                        0 if given == 1 => " (uses the one GPU)".to_string(),
                        0 => format!(" (uses all {given} GPUs)"),
                        1 => format!(" (uses {used} of the {given} GPUs; 1 stays free)"),
                        _ => format!(" (uses {used} of the {given} GPUs; {free} stay free)"),
                    }
                });
            let rank = if p.rank > 1 {
                format!(
                    " (rank {}: the best-ranked with evidence on {}{})",
                    p.rank,
                    q.axis.as_str(),
                    if q.checkpoint == Some(CheckpointKind::Base) {
                        " measured on a base checkpoint"
                    } else {
                        ""
                    }
                )
            } else {
                String::new()
            };
            let _ = writeln!(out, "{} {}{rank}{gpus}", style.bold("primary: "), p.id);
        }
        let _ = match &r.fallback {
            Some(f) => writeln!(
                out,
                "{} {} (rank {}; another vendor{})",
                style.bold("fallback:"),
                f.id,
                f.rank,
                if f.other_license { " and license" } else { "" }
            ),
            None => writeln!(
                out,
                "{} none from another vendor qualifies",
                style.bold("fallback:")
            ),
        };
        out.push('\n');
        for c in &r.candidates {
            let _ = writeln!(
                out,
                "{} {}",
                style.bold(&format!("#{} {}", c.rank, c.id)),
                style.dim(&c.name)
            );
            for f in &c.reasons {
                // "  level code..." is 2 + 5 + 1 + 22 + 1 columns before the message.
                let _ = writeln!(
                    out,
                    "  {} {:<22} {}",
                    style.level(f.level),
                    f.code,
                    style.hang(31, &f.message)
                );
            }
        }
    }
    if r.candidates.is_empty() {
        if let Some((code, n)) = r.top_exclusion() {
            let _ = writeln!(out, "the filter that excluded most: {code} ({n} models)");
        }
        if let Some(miss) = r.nearest_miss() {
            let _ = writeln!(
                out,
                "nearest miss: {}: {}",
                miss.id,
                miss.reasons
                    .iter()
                    .map(|f| f.message.as_ref())
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
    }
    if explain {
        let _ = write!(out, "\n{}\n", style.bold("excluded"));
        for e in &r.excluded {
            for (i, f) in e.reasons.iter().enumerate() {
                let id = if i == 0 { e.id.as_str() } else { "" };
                let _ = writeln!(
                    out,
                    "  {:<32} {:<26} {}",
                    id,
                    f.code,
                    style.hang(62, &f.message)
                );
            }
        }
    }
    if let Some((best, value)) = &r.floor.best {
        let below = r
            .exclusion_counts
            .get("below-quality-floor")
            .copied()
            .unwrap_or(0);
        let _ = writeln!(out,
            "{}",
            style.dim(&if r.floor.share > 0.0 {
                format!(
                    "quality floor: {:.0}% of {best}'s {} capability {value:.2} ({below} excluded below it); capability = expected score where {} scores 90%",
                    r.floor.share * 100.0,
                    q.axis.as_str(),
                    r.strongest.as_deref().unwrap_or("the strongest rated model")
                )
            } else {
                format!(
                    "quality floor off; capability = expected score where {} scores 90%",
                    r.strongest.as_deref().unwrap_or("the strongest rated model")
                )
            })
        );
    }
    if let Some((id, cost)) = &r.cheapest_api {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "cheapest API in the catalog: {id} at ${cost:.2} per 1M generated tokens ({})",
                crate::units::input_per_output(q.fit.input_ratio)
            ))
        );
    }
    style.fit_lines(out)
}
