//! How fast a plan runs: decode (memory-bandwidth bound, batch-aware, MoE reads only the experts a
//! batch touches), prefill (compute bound), and the plan's capacity in generated tokens per hour.
//!
//! The model is the roofline with efficiency constants fitted to TensorRT-LLM's published
//! max-throughput tables (see `Constants`); tests compare it with published measurements.

use crate::catalog::Gpu;
use crate::sizing::{Precision, Request, Shape, Task};

pub struct Constants;

impl Constants {
    /// Achieved share of peak memory bandwidth at batch 1 (60-85% for CUDA engines).
    pub const MBU_SINGLE: f64 = 0.85;
    /// ... and in large batches.
    pub const MBU_BATCH: f64 = 0.80;
    /// Achieved share of peak dense tensor FLOPs (prefill and compute-bound decode).
    pub const MFU: f64 = 0.60;
    /// Training MFU (Llama 3 405B pretraining: 38-43% on H100).
    pub const MFU_TRAIN: f64 = 0.40;
    /// LoRA trains ~1.33x the tokens per second of full fine-tuning (LoRA paper: 43.1 vs 32.5 tok/s per V100).
    pub const LORA_SPEEDUP: f64 = 1.33;
    /// Engine batch ceiling (sequences in flight per replica).
    pub const MAX_BATCH: f64 = 512.0;
    /// Per-layer fixed cost at batch 1 when the GPU table has none: datacenter GPUs ~70 µs.
    pub const LAYER_OVERHEAD_US: f64 = 70.0;

    /// System efficiency of a TP group: 0.78 x TP^-0.24 (fit to TensorRT-LLM results).
    pub fn system_efficiency(gpus: u64) -> f64 {
        0.78 * (gpus.max(1) as f64).powf(-0.24)
    }

    pub fn lines(task: Task) -> Vec<String> {
        if task.is_training() {
            return vec![format!(
                "training throughput: tokens/s = GPUs x peak bf16 x {} MFU / (6 x active params); LoRA x{}; QLoRA has no sourced factor (shown as unknown)",
                Self::MFU_TRAIN,
                Self::LORA_SPEEDUP
            )];
        }
        vec![
            format!("decode, one sequence: bytes read per token / (TP x bandwidth x {}) + layers x {} µs (per-GPU table value where given)", Self::MBU_SINGLE, Self::LAYER_OVERHEAD_US),
            format!("decode, batched: step time = max(bytes read / (GPUs x bandwidth x {}), 2 x active params x batch / (GPUs x peak x {})); MoE reads 1-(1-k/E)^batch of its experts; x system efficiency 0.78 x GPUs^-0.24; batch <= {}", Self::MBU_BATCH, Self::MFU, Self::MAX_BATCH),
            format!("prefill: GPUs x peak x {} / (2 x active params)", Self::MFU),
            "capacity: generated tokens per hour with `input ratio` prompt tokens per generated token, sequences averaging prompt + half the output in flight".into(),
        ]
    }
}

/// Throughput of a plan (all rates in tokens per second unless named otherwise).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Perf {
    pub decode_single: f64,
    /// Aggregate over all replicas, each at its max concurrency at the requested context.
    pub decode_aggregate: f64,
    /// Aggregate prefill; None when the GPU's compute figure is unknown.
    pub prefill: Option<f64>,
    /// Generated tokens per hour the whole plan can sustain at the request's input ratio.
    pub capacity_tokens_per_hour: f64,
    /// Same, one replica.
    pub capacity_per_replica_tokens_per_hour: f64,
    /// Training tokens per second (fine-tuning plans); None when unknown.
    pub train_tokens_per_s: Option<f64>,
}

fn peak_flops(gpu: &Gpu, p: Precision) -> f64 {
    let tf = match p {
        Precision::Fp8 if gpu.fp8_tflops > 0.0 => gpu.fp8_tflops,
        // Weight-only formats (int4/MXFP4/NF4, int8 without fp8) compute in bf16.
        _ => gpu.bf16_tflops,
    };
    tf * 1e12
}

/// Serving throughput of a layout.
#[allow(clippy::too_many_arguments)]
pub fn serve(
    shape: &Shape,
    gpu: &Gpu,
    p: Precision,
    tp: u64,
    pp: u64,
    replicas: u64,
    max_conc_per_replica: u64,
    req: &Request,
    kv_elem: f64,
) -> Perf {
    let gpus = (tp * pp) as f64;
    let bw = gpu.bandwidth_tbs * 1e12;
    let peak = peak_flops(gpu, p);
    let active = shape.params.active() - shape.params.extra;
    let layers = shape.arch.layers as f64;
    let tau = gpu
        .layer_overhead_us
        .unwrap_or(Constants::LAYER_OVERHEAD_US)
        * 1e-6;

    // One sequence alone: stages run one after another, so only TP splits the bytes.
    let single_bytes =
        shape.weight_bytes_read(p, 1.0) + shape.kv.sequence_bytes_per_rank(req.context, kv_elem, 1);
    let decode_single =
        1.0 / (single_bytes / (tp as f64 * bw * Constants::MBU_SINGLE) + layers * tau);

    let step = |batch: f64, ctx: f64| {
        // Each sequence reads its whole cache and state: windows and compression cap it.
        let kv_seq = shape
            .kv
            .sequence_bytes_per_rank(ctx.round() as u64, kv_elem, 1);
        let bytes = shape.weight_bytes_read(p, batch) + batch * kv_seq;
        let mem = bytes / (gpus * bw * Constants::MBU_BATCH);
        let compute = if peak > 0.0 {
            2.0 * active * batch / (gpus * peak * Constants::MFU)
        } else {
            0.0
        };
        mem.max(compute)
    };
    let eff = Constants::system_efficiency(tp * pp);

    let batch_full = (max_conc_per_replica as f64).min(Constants::MAX_BATCH);
    // A batch never runs slower than one sequence alone would (an engine can always run one at
    // a time), so the aggregate is at least single-stream speed per replica.
    let decode_aggregate = if batch_full >= 1.0 {
        (eff * batch_full / step(batch_full, req.context as f64)).max(decode_single)
            * replicas as f64
    } else {
        0.0
    };
    let prefill =
        (peak > 0.0).then(|| replicas as f64 * gpus * peak * Constants::MFU / (2.0 * active));

    // Capacity at the workload mix: prompt = r/(1+r) of the context, output the rest.
    let r = req.input_ratio.max(0.0);
    let osl = (req.context as f64 / (1.0 + r)).max(1.0);
    let isl = req.context as f64 - osl;
    let ctx_avg = isl + osl / 2.0;
    let max_at_avg = if req.context > 0 {
        (max_conc_per_replica as f64 * req.context as f64 / ctx_avg).floor()
    } else {
        0.0
    };
    let batch = max_at_avg.min(Constants::MAX_BATCH);
    let per_replica = if batch >= 1.0 {
        let prefill_per_out = if peak > 0.0 {
            2.0 * active * (isl / osl) / (gpus * peak * Constants::MFU)
        } else {
            0.0
        };
        eff / (step(batch, ctx_avg) / batch + prefill_per_out) * 3600.0
    } else {
        0.0
    };
    Perf {
        decode_single,
        decode_aggregate,
        prefill,
        capacity_tokens_per_hour: per_replica * replicas as f64,
        capacity_per_replica_tokens_per_hour: per_replica,
        train_tokens_per_s: None,
    }
}

/// Fine-tuning throughput: 6·N FLOPs per token at the training MFU.
pub fn train(shape: &Shape, gpu: &Gpu, count: u64, task: Task) -> Perf {
    let active = shape.params.active();
    let base = count as f64 * gpu.bf16_tflops * 1e12 * Constants::MFU_TRAIN / (6.0 * active);
    let rate = match task {
        _ if gpu.bf16_tflops <= 0.0 => None,
        Task::Lora => Some(base * Constants::LORA_SPEEDUP),
        Task::Qlora => None,
        _ => Some(base),
    };
    Perf {
        train_tokens_per_s: rate,
        ..Perf::default()
    }
}
