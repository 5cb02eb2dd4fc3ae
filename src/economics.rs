//! What self-hosting costs at a load, against buying tokens: GPUs cost money whether busy or idle,
//! so the cost per token falls as the load rises.
//!
//! One plan meaning everywhere: `replicas` are the replicas kept running, as many as it takes to
//! carry the load times the peak factor (traffic is not flat: the mean load must leave room for
//! its peaks); `gpus_used` = TP x PP x replicas; `capacity` is what those replicas serve;
//! `utilization` = load / capacity; the hourly cost = GPUs used x price.
//!
//! Tokens are generated (output) tokens; each is assumed to come with `input_ratio` prompt tokens,
//! which the throughput model charges as prefill and per-token prices charge at the input price.

/// Default ratio of the peak hour to the mean load the plan must carry.
pub const DEFAULT_PEAK_FACTOR: f64 = 1.5;

/// Self-hosting economics of one plan at one load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Economics {
    pub price_per_gpu_hour: f64,
    /// The load the replicas are sized for is `load x peak_factor`.
    pub peak_factor: f64,
    /// Replicas kept running.
    pub replicas: u64,
    /// GPUs kept running: replicas x GPUs per replica.
    pub gpus_used: u64,
    /// GPUs used x price per GPU-hour.
    pub hourly_cost: f64,
    /// Generated tokens per hour the running replicas can serve.
    pub capacity_tokens_per_hour: f64,
    /// Hourly cost / load x 1e6.
    pub cost_per_million: f64,
    /// Load / capacity (at most 1 / peak factor).
    pub utilization: f64,
}

/// Replicas needed to carry `load x peak` at `per_replica` tokens/hour each (at least one).
/// None when a replica serves nothing.
pub fn replicas_for(load: f64, peak: f64, per_replica: f64) -> Option<u64> {
    if per_replica <= 0.0 || !per_replica.is_finite() || !load.is_finite() || load < 0.0 {
        return None;
    }
    let needed = (load * peak.max(1.0) / per_replica).ceil().max(1.0);
    (needed < 1e9).then_some(needed as u64)
}

/// Self-hosted cost at `load` tokens/hour with `replicas` replicas of `per_replica` capacity.
pub fn self_hosted(
    load: f64,
    peak: f64,
    per_replica: f64,
    replicas: u64,
    gpus_per_replica: u64,
    price: f64,
) -> Economics {
    let gpus_used = replicas * gpus_per_replica;
    let capacity = per_replica * replicas as f64;
    let hourly_cost = gpus_used as f64 * price;
    Economics {
        price_per_gpu_hour: price,
        peak_factor: peak,
        replicas,
        gpus_used,
        hourly_cost,
        capacity_tokens_per_hour: capacity,
        cost_per_million: if load > 0.0 {
            hourly_cost / load * 1e6
        } else {
            f64::INFINITY
        },
        utilization: if capacity > 0.0 { load / capacity } else { 0.0 },
    }
}

/// A per-token price per 1M generated tokens with `input_ratio` prompt tokens each.
pub fn api_cost_per_million(price_in: f64, price_out: f64, input_ratio: f64) -> f64 {
    price_out + input_ratio * price_in
}

/// The load (tokens/hour) from which self-hosting costs no more than buying tokens at
/// `per_million`: one replica's hourly cost / the per-token price, provided one replica carries
/// that load with its peak (`usable_per_replica` = capacity / peak factor). Beyond it more
/// replicas keep the cost per token at or below the price. None when even a full replica costs
/// more than the tokens it can serve.
pub fn break_even(
    hourly_cost_one_replica: f64,
    usable_per_replica: f64,
    per_million: f64,
) -> Option<f64> {
    if per_million <= 0.0 {
        return None;
    }
    let load = hourly_cost_one_replica * 1e6 / per_million;
    (load <= usable_per_replica).then_some(load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_gpus_are_paid_for() {
        // One replica of 2 GPUs at $2.50/h, capacity 10M tokens/h, load 1M/h:
        // $5/h for 1M tokens = $5.00 per 1M, 10% utilized.
        let r = replicas_for(1e6, 1.5, 10e6).unwrap();
        assert_eq!(r, 1);
        let e = self_hosted(1e6, 1.5, 10e6, r, 2, 2.5);
        assert_eq!(e.gpus_used, 2);
        assert!((e.cost_per_million - 5.0).abs() < 1e-9);
        assert!((e.utilization - 0.1).abs() < 1e-9);
    }

    #[test]
    fn the_peak_starts_replicas_before_the_mean_load_needs_them() {
        // 8M/h with peaks of 12M/h on 10M/h replicas: two replicas, not one.
        assert_eq!(replicas_for(8e6, 1.5, 10e6), Some(2));
        assert_eq!(replicas_for(8e6, 1.0, 10e6), Some(1));
        let e = self_hosted(8e6, 1.5, 10e6, 2, 2, 2.5);
        assert_eq!((e.replicas, e.gpus_used), (2, 4));
        assert!((e.cost_per_million - 10.0 / 8.0).abs() < 1e-9);
        assert!((e.utilization - 0.4).abs() < 1e-9);
    }

    #[test]
    fn break_even_is_hourly_cost_over_the_price() {
        // $5/h against $10 per 1M tokens: 500k tokens/h.
        assert_eq!(break_even(5.0, 10e6 / 1.5, 10.0), Some(500_000.0));
        assert_eq!(break_even(5.0, 100_000.0, 10.0), None);
        assert_eq!(api_cost_per_million(1.25, 10.0, 1.0), 11.25);
    }

    #[test]
    fn no_capacity_no_replicas() {
        assert!(replicas_for(1e6, 1.5, 0.0).is_none());
    }
}
