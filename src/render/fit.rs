//! `pick fit` output.

use super::{gib, json, num, short, GpusJson, Style, Tone, SCHEMA_VERSION};
use crate::fit::{Plan, Report};
use comfy_table::Cell;
use serde::Serialize;
// Lines are written straight into the report (`write!` into a `String` cannot fail: `let _`).
use std::fmt::Write as _;

/// `pick fit ... --format json`.
#[derive(Serialize)]
struct FitJson<'a> {
    schema_version: u32,
    model: &'a str,
    gpus: GpusJson<'a>,
    task: &'static str,
    /// The serving engine whose profile sized the plans.
    engine: &'static str,
    /// GPUs per node the plans assumed.
    gpus_per_node: u64,
    context: u64,
    concurrency: u64,
    plans: Vec<PlanJson<'a>>,
    /// Findings about the request as a whole (`context-too-short`).
    findings: &'a [crate::findings::Finding],
    assumptions: Vec<String>,
}

/// One plan: a precision and parallel layout, its memory per GPU, verdict and throughput.
#[derive(Serialize)]
struct PlanJson<'a> {
    precision: &'static str,
    tensor_parallel: u64,
    pipeline_parallel: u64,
    /// GPUs the routed experts are split over, with data-parallel attention (1: none).
    expert_parallel: u64,
    replicas: u64,
    gpus_used: u64,
    fits: bool,
    /// The plan to deploy (`Report::best`); at most one plan has it.
    best: bool,
    /// The whole model at this precision, bytes.
    weights_bytes_total: f64,
    /// The whole model, all layers, before window caps, at the plan's KV dtype.
    kv_bytes_per_token: f64,
    /// Constant linear-attention / SSM state per sequence, bytes (0 for attention-only models).
    state_bytes_per_sequence: f64,
    memory_per_gpu_gib: MemoryJson,
    budget_per_gpu_gib: Option<f64>,
    short_by_gib: Option<f64>,
    /// Summed over replicas.
    max_concurrency: u64,
    decode_tokens_per_s_single: Option<f64>,
    /// All replicas at max concurrency.
    decode_tokens_per_s: Option<f64>,
    prefill_tokens_per_s: Option<f64>,
    capacity_tokens_per_hour: Option<f64>,
    train_tokens_per_s: Option<f64>,
    remedies: &'a [String],
    notes: &'a [String],
}

/// GiB per GPU; gradients, optimizer and activations are fine-tuning's (0 when serving) and are
/// counted in `overhead` too.
#[derive(Serialize)]
struct MemoryJson {
    weights: Option<f64>,
    kv_cache: Option<f64>,
    overhead: Option<f64>,
    total: Option<f64>,
    gradients: Option<f64>,
    optimizer: Option<f64>,
    activations: Option<f64>,
}

impl<'a> PlanJson<'a> {
    fn new(p: &'a Plan, best: bool) -> PlanJson<'a> {
        let m = &p.memory;
        PlanJson {
            precision: p.precision.as_str(),
            tensor_parallel: p.tensor_parallel,
            pipeline_parallel: p.pipeline_parallel,
            expert_parallel: p.expert_parallel,
            replicas: p.replicas,
            gpus_used: p.gpus_used(),
            fits: p.fits,
            best,
            weights_bytes_total: p.weights_bytes_total.round(),
            kv_bytes_per_token: p.kv_bytes_per_token.round(),
            state_bytes_per_sequence: p.state_bytes_per_sequence.round(),
            memory_per_gpu_gib: MemoryJson {
                weights: num(m.weights),
                kv_cache: num(m.kv_cache),
                overhead: num(m.overhead),
                total: num(m.total()),
                gradients: num(m.gradients),
                optimizer: num(m.optimizer),
                activations: num(m.activations),
            },
            budget_per_gpu_gib: num(p.budget_gib),
            short_by_gib: num(p.short_by_gib()),
            max_concurrency: p.max_concurrency,
            // A plan that does not fit has no speed (null, not 0).
            decode_tokens_per_s_single: p.fits.then(|| num(p.perf.decode_single)).flatten(),
            decode_tokens_per_s: p.fits.then(|| num(p.perf.decode_aggregate)).flatten(),
            prefill_tokens_per_s: p.fits.then_some(p.perf.prefill).flatten().and_then(num),
            capacity_tokens_per_hour: p
                .fits
                .then(|| num(p.perf.capacity_tokens_per_hour))
                .flatten(),
            train_tokens_per_s: p.perf.train_tokens_per_s.and_then(num),
            remedies: &p.remedies,
            notes: &p.notes,
        }
    }
}

pub fn report_json(r: &Report) -> String {
    let best = r
        .best()
        .map(|b| (b.precision, b.gpus_per_replica(), b.pipeline_parallel));
    let is_best = |p: &Plan| best == Some((p.precision, p.gpus_per_replica(), p.pipeline_parallel));
    json(&FitJson {
        schema_version: SCHEMA_VERSION,
        model: &r.model,
        gpus: GpusJson {
            gpu: &r.gpu,
            count: r.count,
        },
        task: r.request.task.as_str(),
        engine: r.request.engine.as_str(),
        gpus_per_node: r.gpus_per_node,
        context: r.request.context,
        concurrency: r.request.concurrency,
        plans: r
            .plans
            .iter()
            .map(|p| PlanJson::new(p, is_best(p)))
            .collect(),
        findings: &r.findings,
        assumptions: r.assumptions.clone(),
    })
}

pub fn report_table(r: &Report, style: Style) -> String {
    let training = r.request.task.is_training();
    let nodes = r.count.div_ceil(r.gpus_per_node.max(1));
    let mut out = format!(
        "{} on {}x {}{}: {} at {} tokens{}\n",
        style.bold(&r.model),
        r.count,
        r.gpu,
        if nodes > 1 {
            format!(" ({nodes} nodes of {})", r.gpus_per_node)
        } else {
            String::new()
        },
        r.request.task.as_str(),
        r.request.context,
        if training {
            format!(", micro-batch {}", r.request.micro_batch)
        } else {
            format!(
                ", {} concurrent, {}",
                r.request.concurrency,
                r.request.engine.as_str()
            )
        }
    );
    let header: &[&str] = if training {
        &[
            "precision",
            "GPUs",
            "weights",
            "grads",
            "optim",
            "activ.",
            "total GiB/GPU",
            "budget",
            "verdict",
            "train tok/s",
        ]
    } else {
        &[
            "precision",
            "TP x PP (or DP EP) x replicas",
            "weights",
            "KV",
            "overhead",
            "total GiB/GPU",
            "budget",
            "verdict",
            "max seqs",
            "tok/s 1 seq",
            "tok/s all",
            "prefill tok/s",
        ]
    };
    for f in &r.findings {
        let _ = writeln!(out, "{} {} {}", style.level(f.level), f.code, f.message);
    }
    let mut t = style.table(header);
    let best = r.best().map(|b| (b.precision, b.gpus_per_replica()));
    for p in &r.plans {
        let m = &p.memory;
        let verdict = if p.fits {
            let mark = if best == Some((p.precision, p.gpus_per_replica())) {
                " (best)"
            } else {
                ""
            };
            style.cell(format!("fits{mark}"), Tone::Good)
        } else {
            // Without a memory shortfall, an engine refuses the layout (its note says why).
            let verdict = p.short_of_memory().map_or("refused".to_string(), |short| {
                format!("short {}", crate::units::gib_short(short))
            });
            style.cell(verdict, Tone::Bad)
        };
        let plain = |v: Vec<String>| v.into_iter().map(Cell::new).collect::<Vec<_>>();
        let row = if training {
            let mut row = plain(vec![
                p.precision.as_str().to_string(),
                p.replicas.to_string(),
                gib(m.weights),
                gib(m.gradients),
                gib(m.optimizer),
                gib(m.activations),
                gib(m.total()),
                gib(p.budget_gib),
            ]);
            row.push(verdict);
            row.push(Cell::new(if p.fits {
                p.perf.train_tokens_per_s.map_or("unknown".into(), short)
            } else {
                "-".into()
            }));
            row
        } else {
            let mut row = plain(vec![
                p.precision.as_str().to_string(),
                if p.expert_parallel > 1 {
                    format!("DP{0} EP{0} x {1}", p.expert_parallel, p.replicas)
                } else {
                    format!(
                        "{} x {} x {}",
                        p.tensor_parallel, p.pipeline_parallel, p.replicas
                    )
                },
                gib(m.weights),
                gib(m.kv_cache),
                gib(m.overhead),
                gib(m.total()),
                gib(p.budget_gib),
            ]);
            row.push(verdict);
            // Speeds only for plans that fit.
            row.extend(plain(if p.fits {
                vec![
                    p.max_concurrency.to_string(),
                    short(p.perf.decode_single),
                    short(p.perf.decode_aggregate),
                    p.perf.prefill.map_or("unknown".into(), short),
                ]
            } else {
                vec!["-".into(), "-".into(), "-".into(), "-".into()]
            }));
            row
        };
        t.add_row(row);
    }
    let _ = writeln!(out, "{t}");
    for p in &r.plans {
        for n in p.remedies.iter().chain(&p.notes) {
            let _ = writeln!(out, "  {}: {n}", p.precision.as_str());
        }
    }
    let _ = writeln!(out, "{}", style.bold("assumptions"));
    for a in &r.assumptions {
        let _ = writeln!(out, "  - {a}");
    }
    out
}
