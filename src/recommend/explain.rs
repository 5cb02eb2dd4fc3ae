//! The reasons a shown candidate carries, written only for the models that are shown.

use super::*;

/// A shown candidate, with every reason written out.
#[allow(clippy::too_many_arguments)]
pub(super) fn candidate(
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
            reasons.push(Finding::new(Code::ApiPrice, Level::Info, format!("API: ${i}/1M in, ${o}/1M out = ${c:.2} per 1M generated tokens at {} input tokens each (as of {as_of})", q.fit.input_ratio)));
        }
        reasons.push(Finding::new(
            Code::ApiOnly,
            Level::Warn,
            "API only: no self-hosting, fine-tuning only through the vendor",
        ));
    }
    if let Some(s) = &d.sized {
        reasons.extend(sized_reasons(q, s, cheapest_api));
    }
    match m.credited_mmlu() {
        Some(v) => reasons.push(Finding::new(
            Code::Capability,
            Level::Info,
            format!(
                "MMLU {v:.1} ({})",
                m.capability_note.as_deref().unwrap_or("as published")
            ),
        )),
        None => reasons.push(Finding::new(
            Code::CapabilityUnknown,
            Level::Warn,
            match m.capability_mmlu {
                Some(v) => format!("MMLU {v:.1} was measured on a base checkpoint that was never released: not credited; scored as the weakest qualifying model ({floor_cap:.1})"),
                None => format!("no published MMLU: scored as the weakest qualifying model ({floor_cap:.1})"),
            },
        )),
    }
    if m.weights == Weights::Open && !m.base_released() {
        reasons.push(Finding::new(
            Code::NoBaseCheckpoint,
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
            Code::ModelDeprecated,
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
    if let Some(p) = m
        .capability_protocol
        .filter(|p| m.credited_mmlu().is_some() && !p.comparable())
    {
        reasons.push(Finding::new(
            Code::CapabilityProtocol,
            Level::Warn,
            format!("MMLU measured {} ({}): reads higher than base 5-shot figures, not directly comparable", p.as_str(), if matches!(p, crate::catalog::CapabilityProtocol::Reasoning) { "a reasoning model" } else { "post-trained" }),
        ));
    }
    let [cap, cost, eco, freedom, headroom, fresh] = components;
    reasons.push(Finding::new(
        Code::Score,
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
        licenses: catalog
            .bindings(m)
            .into_iter()
            .map(|b| {
                let tier = b.terms.map_or(Tier::Proprietary, |l| l.tier);
                (b.id.to_string(), tier, b.via)
            })
            .collect(),
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
pub(super) fn sized_reasons(
    q: &Query,
    s: &Priced,
    cheapest_api: Option<&(String, f64)>,
) -> Vec<Finding> {
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
                    crate::units::short(tps),
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
            let mut msg = format!(
                "${:.3} per 1M tokens at {} tokens/h: {} GPU(s) x ${price:.2}/h = ${:.2}/h, capacity {}/h ({:.0}% used)",
                e.cost_per_million,
                crate::units::human(q.tokens_per_hour as u64),
                e.gpus_used,
                e.hourly_cost,
                crate::units::human(((e.capacity_tokens_per_hour / 1000.0).round() as u64).saturating_mul(1000)),
                e.utilization * 100.0
            );
            if let Some((api, api_cost)) = cheapest_api {
                msg.push_str(&match s.break_even {
                    Some(load) => format!(
                        "; cheaper than {api} (${api_cost:.2}/1M) above {}/h",
                        crate::units::human(((load / 1000.0).round() as u64).saturating_mul(1000))
                    ),
                    None => {
                        format!("; never cheaper than {api} (${api_cost:.2}/1M) on one replica")
                    }
                });
            }
            if e.headroom < 0.0 {
                out.push(Finding::new(
                    Code::LoadExceedsCapacity,
                    Level::Warn,
                    format!(
                        "the load exceeds the plan's capacity by {:.0}%",
                        -e.headroom / (1.0 + e.headroom) * 100.0
                    ),
                ));
                out.push(Finding::new(Code::Cost, Level::Warn, msg));
            } else {
                out.push(Finding::new(Code::Cost, Level::Info, msg));
            }
        }
        _ => out.push(Finding::new(
            Code::CostUnknown,
            Level::Warn,
            format!("no price for {} (give --gpu-price)", s.gpu),
        )),
    }
    out
}

pub(super) fn short_why(m: &Model, plan: Option<&Plan>, reasons: &[Finding], tier: Tier) -> String {
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
    if reasons.iter().any(|r| r.code == Code::LoadExceedsCapacity) {
        parts.push("load > capacity".into());
    }
    parts.join(", ")
}
