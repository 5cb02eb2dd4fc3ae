//! The reasons a shown candidate carries, written only for the models that are shown.

use super::*;
use crate::units::{fixed, short};

/// Tokens per hour in the short form (`5.2M`, `750k`).
fn per_hour(t: f64) -> String {
    short(t)
}

/// A shown candidate, with every reason written out.
#[allow(clippy::too_many_arguments)]
pub(super) fn candidate(
    catalog: &Catalog,
    q: &Query,
    rank: usize,
    score: f64,
    components: [Option<f64>; 6],
    d: Draft,
    ratings: &Ratings,
    floor: &Floor,
    refs: &References,
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
            reasons.push(Finding::new(Code::ApiPrice, Level::Info, format!("API: ${i}/1M in, ${o}/1M out = ${c:.2} per 1M generated tokens, {} (as of {as_of})", crate::units::input_per_output(q.fit.input_ratio))));
        }
        reasons.push(Finding::new(
            Code::ApiOnly,
            Level::Warn,
            "API only: no self-hosting, fine-tuning only through the vendor",
        ));
    }
    if let Some(s) = &d.sized {
        reasons.extend(sized_reasons(q, s, refs));
    }
    let capability = capability_view(q, ratings, floor, d.index);
    reasons.push(capability_reason(&capability, ratings, floor));
    if m.weights == Weights::Open && !m.base_released() {
        reasons.push(Finding::new(
            Code::NoBaseCheckpoint,
            Level::Warn,
            // The evidence that none was released (`base_note`) is `pick show`'s to print: a
            // ranking line names the gap.
            "no base (pre-trained) checkpoint was released: only post-trained checkpoints",
        ));
    }
    match m.status_on(q.today) {
        Status::Deprecated => reasons.push(Finding::new(
            Code::ModelDeprecated,
            Level::Warn,
            format!(
                "deprecated: shutdown {}{}",
                m.status_date
                    .map_or("announced".to_string(), |d| shutdown_on(d, q.today)),
                m.superseded_by
                    .as_deref()
                    .map_or(String::new(), |s| format!("; successor {s}"))
            ),
        )),
        Status::Superseded => reasons.push(Finding::new(
            Code::ModelSuperseded,
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
    let part = |i: usize| {
        components[i].map_or("unrated (weight spread over the others)".to_string(), |c| {
            fixed(c, 2).to_string()
        })
    };
    reasons.push(Finding::new(
        Code::Score,
        Level::Info,
        format!(
            "score {} ({}): capability {}, cost {}, ecosystem {}, license {}, headroom {}, freshness {}",
            fixed(score, 1),
            q.prefer.as_str(),
            part(0),
            part(1),
            part(2),
            part(3),
            part(4),
            part(5)
        ),
    ));
    let why = short_why(m, d.sized.as_ref().map(|s| &s.plan), &capability, tier);
    let sized = d.sized;
    Candidate {
        rank,
        id: m.id.to_string(),
        name: m.name.to_string(),
        vendor: m.vendor.to_string(),
        license_id: m.license.to_string(),
        license_tier: tier,
        licenses: catalog
            .bindings(m)
            .into_iter()
            .map(|b| {
                let tier = b.terms.map_or(Tier::Proprietary, |l| l.tier);
                (b.id.to_string(), tier, b.via)
            })
            .collect(),
        weights: m.weights,
        params_total_b: m.params_total_b,
        score,
        components,
        capability,
        gpu: sized.as_ref().map(|s| s.gpu.clone()),
        economics: sized.as_ref().and_then(|s| s.economics),
        break_even_tokens_per_hour: sized.as_ref().and_then(|s| s.break_even),
        replicas_available: sized.as_ref().map(|s| s.replicas_available),
        gpus_free: sized
            .as_ref()
            .filter(|_| q.hardware.given)
            .map(|s| s.count.saturating_sub(s.plan.gpus_used())),
        serverless: sized
            .as_ref()
            .and_then(|s| s.serverless.as_ref().map(|(o, _)| o.clone())),
        break_even_serverless_tokens_per_hour: sized
            .as_ref()
            .and_then(|s| s.serverless.as_ref().and_then(|(_, b)| *b)),
        plan: sized.map(|s| s.plan),
        cost_per_million: d.cost,
        reasons,
        why,
    }
}

fn capability_view(q: &Query, ratings: &Ratings, floor: &Floor, index: usize) -> CapabilityView {
    match ratings.get(index) {
        Ok(r) => CapabilityView {
            axis: q.axis,
            value: Some(r.value),
            unrated: None,
            share_of_best: floor
                .best
                .as_ref()
                .map(|(_, best)| (r.value / best).min(1.0)),
            figures: ratings
                .figures(index)
                .into_iter()
                .map(|f| FigureView {
                    benchmark: f.benchmark.to_string(),
                    value: f.value,
                    checkpoint: f.checkpoint,
                    protocol: f.protocol.map(str::to_string),
                    group: f.group.to_string(),
                    source: f.source.to_string(),
                    as_of: f.as_of,
                    weight: f.weight,
                })
                .collect(),
        },
        Err(u) => CapabilityView {
            axis: q.axis,
            value: None,
            unrated: Some(u),
            share_of_best: None,
            figures: Vec::new(),
        },
    }
}

/// How many figures the capability reason names before "+N more".
const FIGURES_SHOWN: usize = 4;

fn capability_reason(c: &CapabilityView, ratings: &Ratings, floor: &Floor) -> Finding {
    let axis = c.axis.as_str();
    let Some(value) = c.value else {
        return Finding::new(
            Code::CapabilityUnrated,
            Level::Warn,
            format!(
                "unrated on {axis}: {}; ranked on its other components (capability weight redistributed)",
                c.unrated.map_or("no evidence", |u| u.as_str())
            ),
        );
    };
    let mut figures: Vec<String> = c
        .figures
        .iter()
        .take(FIGURES_SHOWN)
        .map(|f| {
            format!(
                "{} {} {}{} [{}, {}]",
                f.benchmark,
                f.value,
                f.checkpoint.as_str(),
                if f.weight < 1.0 { " (indirect)" } else { "" },
                f.group,
                f.as_of
            )
        })
        .collect();
    if c.figures.len() > FIGURES_SHOWN {
        figures.push(format!("+{} more", c.figures.len() - FIGURES_SHOWN));
    }
    let mut groups: Vec<&str> = c.figures.iter().map(|f| f.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    let best = match (&floor.best, c.share_of_best) {
        (Some((id, _)), Some(share)) => {
            format!(
                "; {}% of the best candidate's ({id})",
                fixed(share * 100.0, 0)
            )
        }
        _ => String::new(),
    };
    Finding::new(
        Code::Capability,
        Level::Info,
        format!(
            "{axis} {} (expected score where {} scores {}%){best}: {} ({} figures in {} tables)",
            fixed(value, 2),
            ratings.strongest.unwrap_or("the strongest rated model"),
            fixed(capability::REFERENCE_SCORE * 100.0, 0),
            figures.join(", "),
            c.figures.len(),
            groups.len()
        ),
    )
}

/// The fit and cost reasons of a sized candidate.
pub(super) fn sized_reasons(q: &Query, s: &Priced, refs: &References) -> Vec<Finding> {
    let plan = &s.plan;
    let mut out = Vec::new();
    let placement = format!(
        "{} x{} replica{} ({} GPU{}) on {}x {}",
        plan.layout(),
        plan.replicas,
        if plan.replicas == 1 { "" } else { "s" },
        plan.gpus_used(),
        if plan.gpus_used() == 1 { "" } else { "s" },
        s.count,
        s.gpu
    );
    let memory = format!(
        "{} of {} GiB per GPU ({} GiB headroom)",
        fixed(plan.memory.total(), 1),
        fixed(plan.budget_gib, 1),
        fixed(plan.headroom_gib(), 1)
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
            "{placement}: {memory}, up to {} sequences of {} tokens, one stream ~{} tokens/s",
            plan.max_concurrency,
            q.fit.context,
            short(plan.perf.decode_single)
        )
    };
    if q.hardware.given {
        out.push(Finding::new(Code::Fit, Level::Pass, fit_msg));
    } else {
        out.push(Finding::new(
            Code::FitNeeds,
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
                Code::Cost,
                Level::Info,
                format!(
                    "{}: ~{} training tokens/s on {} GPU(s) (6 x active params per token at {:.0}% MFU): ${cost:.3} per 1M training tokens at ${price:.2}/GPU-h",
                    q.fit.task.as_str(),
                    short(tps),
                    s.plan.gpus_used(),
                    crate::throughput::Constants::MFU_TRAIN * 100.0
                ),
            ),
            (None, _, _) => Finding::new(Code::CostUnknown, Level::Warn, format!("{} training throughput has no sourced estimate (QLoRA dequantization cost): cost unknown", q.fit.task.as_str())),
            _ => Finding::new(Code::CostUnknown, Level::Warn, format!("no price for {} (give --gpu-price)", s.gpu)),
        });
        return out;
    }
    match (s.economics, s.price) {
        (Some(e), Some(price)) => {
            let free = if q.hardware.given {
                format!(
                    "; {}",
                    crate::units::gpus_free(s.count.saturating_sub(e.gpus_used), s.count)
                )
            } else {
                String::new()
            };
            let mut msg = format!(
                "${} per 1M tokens at {} tokens/h: {} GPU{} x ${}/h{} = ${}/h; capacity {}/h carries the peak of {}/h (x{}), {}% used at the mean load{free}",
                fixed(e.cost_per_million, 3),
                per_hour(q.tokens_per_hour),
                e.gpus_used,
                if e.gpus_used == 1 { "" } else { "s" },
                fixed(price, 2),
                price_basis(q),
                fixed(e.hourly_cost, 2),
                per_hour(e.capacity_tokens_per_hour),
                per_hour(q.tokens_per_hour * q.peak_factor),
                q.peak_factor,
                fixed(e.utilization * 100.0, 0)
            );
            if let Some((offer, break_even)) = &s.serverless {
                msg.push_str(&format!(
                    "; the same model per token: {} ${:.2}/1M (as of {}): {}",
                    offer.provider,
                    offer.cost_per_million,
                    offer.as_of,
                    match break_even {
                        Some(load) if *load <= q.tokens_per_hour =>
                            format!("self-hosting is cheaper from {}/h", per_hour(*load)),
                        Some(load) =>
                            format!("buying tokens is cheaper below {}/h", per_hour(*load)),
                        None => "buying tokens is cheaper at any load these GPUs carry".into(),
                    }
                ));
            }
            if let Some((api, api_cost)) = refs.cheapest_api {
                msg.push_str(&match s.break_even {
                    Some(load) => format!(
                        "; cheaper than {api} (${}/1M) above {}/h",
                        fixed(*api_cost, 2),
                        per_hour(load)
                    ),
                    None => format!("; never cheaper than {api} (${}/1M)", fixed(*api_cost, 2)),
                });
            }
            out.push(Finding::new(Code::Cost, Level::Info, msg));
        }
        _ => out.push(Finding::new(
            Code::CostUnknown,
            Level::Warn,
            format!("no price for {} (give --gpu-price)", s.gpu),
        )),
    }
    out
}

/// Where the price per GPU-hour comes from, when the user did not give it.
fn price_basis(q: &Query) -> String {
    let g = q.hardware.gpu;
    if q.gpu_price.is_some() {
        return String::new();
    }
    match (g.price_typical_usd_h, g.price_low_usd_h, g.price_high_usd_h) {
        (Some(_), _, _) => format!(
            " (typical on-demand{}{})",
            g.price_typical_source
                .as_deref()
                .map_or(String::new(), |s| format!(
                    ", {}",
                    s.trim_start_matches("https://")
                )),
            g.price_typical_as_of
                .map_or(String::new(), |d| format!(", {d}"))
        ),
        (None, Some(lo), Some(hi)) if lo != hi => format!(
            " (middle of the on-demand range ${lo}-{hi}{})",
            g.price_as_of.map_or(String::new(), |d| format!(", {d}"))
        ),
        _ => String::new(),
    }
}

pub(super) fn short_why(
    m: &Model,
    plan: Option<&Plan>,
    capability: &CapabilityView,
    tier: Tier,
) -> String {
    let mut parts = vec![format!("{} license", tier.as_str())];
    if m.is_moe() {
        parts.push(format!(
            "MoE {:.0}B/{:.0}B active",
            m.params_total_b, m.params_active_b
        ));
    } else if m.params_total_b > 0.0 {
        parts.push(format!("{}B", super::trim_b(m.params_total_b)));
    }
    match capability.value {
        Some(v) => parts.push(format!("{} {:.2}", capability.axis.as_str(), v)),
        None => parts.push(format!("unrated on {}", capability.axis.as_str())),
    }
    if let Some(p) = plan {
        parts.push(format!("{:.0} GiB free/GPU", p.headroom_gib()));
    }
    parts.join(", ")
}
