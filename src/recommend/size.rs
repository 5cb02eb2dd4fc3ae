//! Sizing and pricing one open model: the cheapest plan on the query's hardware at the stated
//! load, or (without --gpus) how many yardstick GPUs it needs.

use super::*;

/// Sizes an open model on the query's hardware (or finds how many yardstick GPUs it needs) and
/// prices the cheapest plan at the stated load. Err: why it does not fit, and by how much.
pub(super) fn size(
    q: &Query,
    m: &Model,
    cheapest_api: Option<&(String, f64)>,
) -> Result<Priced, (Finding, Option<f64>)> {
    let Some(shape) = Shape::from_model(m) else {
        return Err((
            Finding::new(
                Code::FitUnknownArchitecture,
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
                    Code::FitInsufficientMemory,
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
                    Code::FitInsufficientMemory,
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
    Ok(Priced {
        plan,
        gpu: hw.gpu.id.clone(),
        count,
        price,
        economics,
        break_even,
        train_cost,
    })
}
