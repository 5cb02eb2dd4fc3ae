//! Sizing and pricing one open model: the plan that carries the stated load with room for its
//! peaks on the fewest of the query's GPUs, or (without --gpus) how many yardstick GPUs it needs.

use super::*;

/// Sizes an open model on the query's hardware (or finds how many yardstick GPUs it needs) and
/// prices the plan at the stated load. Err: why it is not deployable (and the memory miss).
pub(super) fn size(
    q: &Query,
    m: &Model,
    refs: &References,
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
    let peak_load = q.tokens_per_hour * q.peak_factor;
    let fast_enough = |p: &Plan| {
        q.min_tokens_per_s
            .is_none_or(|min| p.perf.decode_single >= min)
    };
    // A larger TP group only adds GPUs once one replica carries the peak at the speed asked.
    let enough =
        |p: &Plan| peak_load <= p.perf.capacity_per_replica_tokens_per_hour && fast_enough(p);
    // Without --gpus: the smallest power-of-two count of yardstick GPUs that fits at a lossless
    // precision (bf16, fp8, native); only when none does up to the limit, the first lossy fit.
    let lossless = |options: &[Plan]| options.iter().any(|p| p.precision.loss_rank() == 0);
    let mut count = if hw.given {
        hw.count
    } else {
        fewest_gpus(&shape, hw.gpu, &q.fit)
    };
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
    if options.is_empty() {
        return Err(no_fit(&shape, hw.gpu, count, &q.fit, q.all_reasons));
    }
    if q.fit.task.is_training() {
        return Ok(training(q, options, hw.gpu, count, price));
    }
    let fastest = options
        .iter()
        .map(|p| p.perf.decode_single)
        .fold(0.0, f64::max);
    let options: Vec<Plan> = options.into_iter().filter(fast_enough).collect();
    if options.is_empty() {
        let (fastest, asked) =
            crate::units::short_apart(fastest, q.min_tokens_per_s.unwrap_or(0.0));
        return Err((
            Finding::new(
                Code::SpeedBelowMinimum,
                Level::Fail,
                format!(
                    "decodes one stream at ~{fastest} tokens/s at best on {count}x {} (< {asked} asked)",
                    hw.gpu.id,
                ),
            ),
            None,
        ));
    }
    // Each layout with the replicas the peak needs; the plan is the one on the fewest GPUs (then
    // the most capacity).
    let needs: Vec<(Plan, u64)> = options
        .into_iter()
        .filter_map(|p| {
            let r = economics::replicas_for(
                q.tokens_per_hour,
                q.peak_factor,
                p.perf.capacity_per_replica_tokens_per_hour,
            )?;
            Some((p, r))
        })
        .collect();
    let gpus_needed = |(p, r): &(Plan, u64)| p.gpus_per_replica() * r;
    let available = |p: &Plan| {
        if hw.given {
            count / p.gpus_per_replica()
        } else {
            u64::MAX
        }
    };
    let best = needs
        .iter()
        .filter(|(p, r)| *r <= available(p))
        .min_by(|a, b| {
            gpus_needed(a).cmp(&gpus_needed(b)).then(
                b.0.perf
                    .capacity_per_replica_tokens_per_hour
                    .total_cmp(&a.0.perf.capacity_per_replica_tokens_per_hour),
            )
        });
    let Some((layout, replicas)) = best else {
        return Err((capacity_short(q, &needs, count, hw.gpu), None));
    };
    // The plan as deployed: exactly the replicas kept running, each holding its share of the
    // sequences (re-sized: fewer replicas hold more sequences each). If that share does not fit, one
    // more replica.
    let gpr = layout.gpus_per_replica();
    let mut r = *replicas;
    // More replicas each hold fewer sequences; past twice the count (or eight more) they cannot
    // help (one sequence alone does not fit), and sizing a million plans would take seconds.
    let most = available(layout).min(replicas.saturating_mul(2).max(replicas + 8));
    let plan = loop {
        let p = fit::serve_plan_at(
            &shape,
            hw.gpu,
            r * gpr,
            &q.fit,
            layout.precision,
            layout.tensor_parallel,
            layout.pipeline_parallel,
        );
        if p.fits || r >= most {
            break p;
        }
        r += 1;
    };
    if !plan.fits {
        return Err(no_fit(&shape, hw.gpu, count, &q.fit, q.all_reasons));
    }
    let per_replica = plan.perf.capacity_per_replica_tokens_per_hour;
    let economics = price.map(|price| {
        economics::self_hosted(
            q.tokens_per_hour,
            q.peak_factor,
            per_replica,
            plan.replicas,
            gpr,
            price,
        )
    });
    let one_replica = |price: f64| gpr as f64 * price;
    let usable = per_replica / q.peak_factor;
    let break_even = price
        .zip(refs.cheapest_api)
        .and_then(|(price, (_, api))| economics::break_even(one_replica(price), usable, *api));
    let serverless = refs.offers.get(m.id.as_str()).map(|(o, cost)| {
        (
            Offer {
                provider: o.provider.clone(),
                offer: o.offer.clone(),
                cost_per_million: *cost,
                as_of: o.as_of,
                source: o.source.clone(),
                note: o.note.clone(),
            },
            price.and_then(|price| economics::break_even(one_replica(price), usable, *cost)),
        )
    });
    Ok(Priced {
        replicas_available: if hw.given { count / gpr } else { plan.replicas },
        count: if hw.given { count } else { plan.gpus_used() },
        plan,
        gpu: hw.gpu.id.to_string(),
        price,
        economics,
        break_even,
        serverless,
        train_cost: None,
    })
}

/// Fine-tuning is priced per training token with the GPUs fully busy (a job, not a service):
/// the least lossy plan that fits, on every GPU.
fn training(q: &Query, options: Vec<Plan>, gpu: &Gpu, count: u64, price: Option<f64>) -> Priced {
    let plan = options
        .into_iter()
        .min_by_key(|p| p.precision.loss_rank())
        .expect("options is not empty");
    let train_cost = price
        .zip(plan.perf.train_tokens_per_s)
        .map(|(price, tps)| plan.gpus_used() as f64 * price / (tps * 3600.0) * 1e6);
    Priced {
        replicas_available: plan.replicas,
        plan,
        gpu: gpu.id.to_string(),
        count,
        price,
        economics: None,
        break_even: None,
        serverless: None,
        train_cost: train_cost.filter(|_| q.fit.task.is_training()),
    }
}

/// Why no plan fits the GPUs, with the closest miss and, when every reason is wanted (`--explain`,
/// JSON, or no candidate left to show), what would fit: the table without `--explain` shows
/// excluded models as counts by code only, and the remedies were a twentieth of its work.
fn no_fit(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    remedies: bool,
) -> (Finding, Option<f64>) {
    let plans = fit::plans(shape, gpu, count, req);
    let closest = plans
        .iter()
        .min_by(|a, b| a.short_by_gib().total_cmp(&b.short_by_gib()));
    match closest {
        Some(p) => (
            Finding::new(
                Code::FitInsufficientMemory,
                Level::Fail,
                if remedies {
                    format!(
                        "does not fit {count}x {} at any precision: {} {}",
                        gpu.id,
                        p.precision.as_str(),
                        fit::remedies(shape, gpu, count, req, p).join("; ")
                    )
                } else {
                    format!(
                        "does not fit {count}x {} at any precision ({} short by {} GiB)",
                        gpu.id,
                        p.precision.as_str(),
                        crate::units::gib_short(p.short_by_gib())
                    )
                },
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
    }
}

/// The load with its peak is more than every layout carries on the GPUs: what they carry, and
/// how many GPUs would carry it.
fn capacity_short(q: &Query, needs: &[(Plan, u64)], count: u64, gpu: &Gpu) -> Finding {
    let most = needs
        .iter()
        .map(|(p, _)| {
            let fit_replicas = (count / p.gpus_per_replica()).max(1);
            (
                p,
                p.perf.capacity_per_replica_tokens_per_hour * fit_replicas as f64,
            )
        })
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let fewest = needs.iter().min_by_key(|(p, r)| p.gpus_per_replica() * r);
    let human = crate::units::short;
    let peak = q.tokens_per_hour * q.peak_factor;
    let (carried, needed) = crate::units::short_apart(most.map_or(0.0, |(_, c)| c), peak);
    let mut msg = format!(
        "{count}x {} {} at most {carried}/h",
        gpu.id,
        if count == 1 { "carries" } else { "carry" },
    );
    if let Some((p, _)) = most {
        msg.push_str(&format!(" ({})", p.layout()));
    }
    msg.push_str(&format!(
        "; the load {}/h x peak factor {} needs {needed}/h",
        human(q.tokens_per_hour),
        q.peak_factor,
    ));
    if let Some((p, r)) = fewest {
        msg.push_str(&format!(
            ": {}x {} would carry it ({} replica{} of {})",
            p.gpus_per_replica() * r,
            gpu.id,
            r,
            if *r == 1 { "" } else { "s" },
            p.layout()
        ));
    }
    Finding::new(Code::CapacityBelowLoad, Level::Fail, msg)
}

/// The fewest yardstick GPUs (a power of two) any plan could use: the smallest weights the model
/// has at any precision must fit in their memory. Counts below it cannot fit, so the search for
/// how many a model needs starts here instead of sizing every hopeless count.
fn fewest_gpus(shape: &Shape, gpu: &Gpu, req: &Request) -> u64 {
    let least = shape
        .precisions(gpu, req.task)
        .into_iter()
        .map(|p| shape.weight_bytes(p))
        .fold(f64::INFINITY, f64::min);
    let per_gpu = gpu.usable_gib() * crate::catalog::GIB;
    if !least.is_finite() || per_gpu <= 0.0 {
        return 1;
    }
    let n = (least / per_gpu).ceil().max(1.0) as u64;
    n.next_power_of_two().min(YARDSTICK_MAX)
}
