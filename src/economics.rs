//! What self-hosting costs at a load, against the cheapest API: GPUs cost money whether busy or
//! idle, so the cost per token falls as the load rises, until the plan's capacity is reached.
//!
//! Tokens are generated (output) tokens; each is assumed to come with `input_ratio` prompt tokens,
//! which the throughput model charges as prefill and the API comparison charges at the input price.

/// Self-hosting economics of one plan at one load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Economics {
    pub price_per_gpu_hour: f64,
    /// GPUs kept running: whole replicas, as many as the load needs (at least one).
    pub gpus_used: u64,
    pub replicas_used: u64,
    pub hourly_cost: f64,
    /// Generated tokens per hour the running replicas can serve.
    pub capacity_tokens_per_hour: f64,
    /// min(load, capacity): what is actually served.
    pub served_tokens_per_hour: f64,
    pub cost_per_million: f64,
    /// capacity / load − 1 (negative: the load exceeds what the plan's GPUs can serve).
    pub headroom: f64,
    /// Share of the running capacity the load uses.
    pub utilization: f64,
}

/// Self-hosted cost at `load` tokens/hour. `per_replica` is one replica's capacity, `max_replicas`
/// how many the GPUs allow. Returns None when the plan has no capacity (nothing fits).
pub fn self_hosted(
    load: f64,
    per_replica: f64,
    max_replicas: u64,
    gpus_per_replica: u64,
    price: f64,
) -> Option<Economics> {
    if per_replica <= 0.0 || max_replicas == 0 || load < 0.0 || !load.is_finite() {
        return None;
    }
    let needed = (load / per_replica).ceil().max(1.0);
    let replicas_used = (needed as u64).min(max_replicas).max(1);
    let gpus_used = replicas_used * gpus_per_replica;
    let capacity = per_replica * replicas_used as f64;
    let hourly_cost = gpus_used as f64 * price;
    let served = load.min(capacity);
    let cost_per_million = if served > 0.0 {
        hourly_cost / served * 1e6
    } else {
        f64::INFINITY
    };
    Some(Economics {
        price_per_gpu_hour: price,
        gpus_used,
        replicas_used,
        hourly_cost,
        capacity_tokens_per_hour: capacity,
        served_tokens_per_hour: served,
        cost_per_million,
        headroom: if load > 0.0 {
            capacity / load - 1.0
        } else {
            f64::INFINITY
        },
        utilization: if capacity > 0.0 {
            served / capacity
        } else {
            0.0
        },
    })
}

/// An API's price per 1M generated tokens with `input_ratio` prompt tokens each.
pub fn api_cost_per_million(price_in: f64, price_out: f64, input_ratio: f64) -> f64 {
    price_out + input_ratio * price_in
}

/// The load (tokens/hour) above which one replica of the plan is cheaper than the API:
/// hourly cost / API cost per token. None when even a full replica costs more than the API.
pub fn break_even(
    hourly_cost_one_replica: f64,
    per_replica_capacity: f64,
    api_per_million: f64,
) -> Option<f64> {
    if api_per_million <= 0.0 {
        return None;
    }
    let load = hourly_cost_one_replica * 1e6 / api_per_million;
    (load <= per_replica_capacity).then_some(load)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_gpus_are_paid_for() {
        // 2 GPUs at $2.50/h, capacity 10M tokens/h per replica, load 1M/h:
        // $5/h for 1M tokens = $5.00 per 1M, 10% utilized.
        let e = self_hosted(1e6, 10e6, 2, 2, 2.5).unwrap();
        assert_eq!(e.gpus_used, 2);
        assert!((e.cost_per_million - 5.0).abs() < 1e-9);
        assert!((e.utilization - 0.1).abs() < 1e-9);
        assert!((e.headroom - 9.0).abs() < 1e-9);
    }

    #[test]
    fn load_above_one_replica_starts_another() {
        // 15M/h on 10M/h replicas: 2 replicas of 2 GPUs = $10/h for 15M = $0.667 per 1M.
        let e = self_hosted(15e6, 10e6, 2, 2, 2.5).unwrap();
        assert_eq!((e.replicas_used, e.gpus_used), (2, 4));
        assert!((e.cost_per_million - 10.0 / 15.0).abs() < 1e-9);
        // Beyond every replica the served load is capped and headroom is negative.
        let over = self_hosted(50e6, 10e6, 2, 2, 2.5).unwrap();
        assert_eq!(over.served_tokens_per_hour, 20e6);
        assert!(over.headroom < 0.0);
    }

    #[test]
    fn break_even_is_hourly_cost_over_api_price() {
        // $5/h against an API at $10 per 1M tokens: 500k tokens/h.
        assert_eq!(break_even(5.0, 10e6, 10.0), Some(500_000.0));
        assert_eq!(break_even(5.0, 100_000.0, 10.0), None);
        assert_eq!(api_cost_per_million(1.25, 10.0, 1.0), 11.25);
    }

    #[test]
    fn no_capacity_no_economics() {
        assert!(self_hosted(1e6, 0.0, 1, 1, 2.0).is_none());
    }
}
