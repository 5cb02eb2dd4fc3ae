//! How fast a plan runs: decode (memory-bandwidth bound, batch-aware, MoE reads only the experts a
//! batch touches), prefill (compute bound), the communication a parallel layout adds, and the
//! plan's capacity in generated tokens per hour.
//!
//! One step of decode is the roofline (bytes over bandwidth, or FLOPs over peak) plus a fixed
//! cost per layer (kernel launches and synchronization) plus two all-reduces per layer over the
//! tensor-parallel group's link (NVLink, PCIe or, across nodes, the network) and a send per
//! pipeline-stage boundary. Routed experts are read at an efficiency that grows with the experts a
//! step touches per GPU (a batch of one over TP-split expert slices leaves most of the GPU idle),
//! and weight-only formats (int4, NF4, and FP8 / MXFP4 on GPUs without those tensor cores) pay a
//! dequantization penalty. The engine profile (`engines`) sets the per-layer cost, the MoE kernels,
//! the load efficiency and the batch limits. `tests/estimates.rs` holds every published figure the
//! constants were fitted to or checked against, with its source.

use crate::catalog::{Gpu, LayerKind};
use crate::engines::Profile;
use crate::sizing::{weight_only, ModuleBytes, Precision, Request, Shape, Task};

pub struct Constants;

impl Constants {
    /// Achieved share of peak memory bandwidth at batch 1 (60-85% for CUDA engines).
    pub const MBU_SINGLE: f64 = 0.85;
    /// ... and in large batches.
    pub const MBU_BATCH: f64 = 0.80;
    /// Achieved share of peak dense tensor FLOPs (prefill and compute-bound decode).
    pub const MFU: f64 = 0.60;
    /// Weight-only kernels stream their packed weights at this share of a native kernel's rate on
    /// GPUs with FP8 tensor cores (fitted: gpt-oss-120b's MXFP4 experts on H100 in vLLM,
    /// 8.3 ms/token at 4 sequences)...
    pub const WEIGHT_ONLY_BANDWIDTH: f64 = 0.85;
    /// ... and on older GPUs, which convert every 4- or 8-bit weight in software (fitted:
    /// gpt-oss-120b on A100 in vLLM, 90 tok/s at TP1)...
    pub const WEIGHT_ONLY_BANDWIDTH_OLD: f64 = 0.6;
    /// ... and reach this share of bf16 peak once compute bound (dequantizing every tile: AWQ
    /// serves Qwen3-8B on one H100 at 0.73x bf16's throughput in vLLM, GPUStack's measurements).
    pub const WEIGHT_ONLY_COMPUTE: f64 = 0.6;
    /// Training MFU of dense models (Llama 3 405B pretraining: 38-43% on H100).
    pub const MFU_TRAIN: f64 = 0.40;
    /// ... of MoE models: routing, permutation and small expert GEMMs (Megatron-Bridge on H100:
    /// GPT-OSS 120B 158 TFLOP/s per GPU in bf16 = 16%, Qwen3-30B-A3B 206 and Qwen3-235B-A22B
    /// 253 in FP8 = 21% and 26% of bf16 peak:
    /// https://github.com/NVIDIA-NeMo/Megatron-Bridge/blob/main/docs/performance-summary-archive.md).
    pub const MFU_TRAIN_MOE: f64 = 0.20;
    /// LoRA trains 1.5x the tokens per second of full fine-tuning: 4N instead of 6N FLOPs per token
    /// (no weight gradients); torchtune's Llama 3.1 70B LoRA on 8x A100 runs at 3,497 tok/s, 1.48x
    /// full fine-tuning's 0.40 MFU (https://github.com/pytorch/torchtune#memory-and-training-speed).
    pub const LORA_SPEEDUP: f64 = 1.5;
    /// QLoRA runs at 0.9x LoRA: torchtune measures 0.78x on one RTX 4090 (Llama 3.1 8B: 2,413 vs
    /// 3,083 tok/s) and 0.98x on an A100 (Llama 3.2 3B: 8,035 vs 8,210).
    pub const QLORA_SPEED: f64 = 0.9;
    /// Per-layer fixed cost at batch 1 when the GPU table has none: datacenter GPUs ~70 µs.
    pub const LAYER_OVERHEAD_US: f64 = 70.0;
    /// Extra fixed cost of an MLA layer (latent projections, absorbed attention), µs (fitted:
    /// Kimi K2 on 8x B200 in SGLang, 7.54 ms/token against 4.5 ms for a GQA MoE of its size).
    pub const MLA_LAYER_US: f64 = 35.0;
    /// All-reduces per layer under tensor parallelism (after attention, after the MLP).
    pub const ALL_REDUCES_PER_LAYER: f64 = 2.0;
    /// Bytes per activation element sent between GPUs (bf16).
    pub const ACTIVATION_BYTES: f64 = 2.0;
    /// Small all-reduce latency inside a node when the GPU table has none: NVLink, µs.
    pub const LINK_LATENCY_US: f64 = 10.0;
    /// ... over PCIe (GPUs without NVLink, or beyond an NVLink-bridged pair), µs.
    pub const PCIE_LATENCY_US: f64 = 25.0;
    /// ... across nodes when the GPU table has none, µs.
    pub const SCALEOUT_LATENCY_US: f64 = 100.0;
    /// PCIe 4 x16, both directions, GB/s, when the GPU table has no figure.
    pub const FALLBACK_PCIE_GBS: f64 = 64.0;
    /// A 100 Gb/s network per GPU, one direction, GB/s, when the GPU table has no figure.
    pub const FALLBACK_SCALEOUT_GBS: f64 = 12.5;

    pub fn lines(task: Task) -> Vec<String> {
        if task.is_training() {
            return vec![format!(
                "training throughput: tokens/s = GPUs x peak bf16 x MFU ({} dense, {} MoE) / (6 x active params) x the stack's factor (Unsloth x2 for adapters, CPU offload x0.67 params / x0.8 optimizer); LoRA x{}; QLoRA x{} of LoRA",
                Self::MFU_TRAIN,
                Self::MFU_TRAIN_MOE,
                Self::LORA_SPEEDUP,
                Self::QLORA_SPEED
            )];
        }
        vec![
            format!("decode step: max(bytes read / (GPUs x bandwidth x {} at one sequence, {} batched), (2 x active params + attention) x batch / (GPUs x peak x the GPU table's mfu, default {})) + layers x the engine's per-layer cost (+{} µs per MLA layer) + 2 all-reduces per layer over the TP link + a send per pipeline boundary; x the GPU table's kernel_efficiency (ROCm)", Self::MBU_SINGLE, Self::MBU_BATCH, Self::MFU, Self::MLA_LAYER_US),
            "links: NVLink inside the node (or its NVLink-bridged pair), else PCIe; across nodes the network; all-reduce = latency + 2(n-1)/n x bytes / one-way bandwidth (the GPU table's figures)".into(),
            format!("MoE: a step reads 1-(1-k/E)^batch of the experts, at x/(x + h) of full bandwidth where x = batch x experts per token / TP (the kernel's parallel work) and h the engine's half-point; weight-only formats (int4, NF4, FP8 / MXFP4 without those tensor cores) stream at {} ({} on GPUs without FP8) and compute at {} of bf16", Self::WEIGHT_ONLY_BANDWIDTH, Self::WEIGHT_ONLY_BANDWIDTH_OLD, Self::WEIGHT_ONLY_COMPUTE),
            "prefill: (2 x active params + attention 4 x heads x head_dim x layers x tokens attended) FLOPs per token at GPUs x peak x mfu, plus its all-reduces; `prefill tok/s` is for one of the engine's batches of new prompt tokens (its max batched tokens, e.g. vLLM's 8192 on large GPUs), not a whole prompt of the context (capacity counts those)".into(),
            "capacity: generated tokens per hour with `input ratio` prompt tokens per generated token, sequences averaging prompt + half the output in flight, at the engine's load efficiency and sequence limit".into(),
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
        Precision::Mxfp4 if gpu.fp4_tflops > 0.0 => gpu.fp4_tflops,
        // Weight-only formats (int4/NF4, int8, FP8/MXFP4 without their tensor cores) compute in bf16.
        _ => gpu.bf16_tflops,
    };
    tf * 1e12
}

/// A replica's parallel layout and how the GPUs sit in nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub tp: u64,
    pub pp: u64,
    /// Expert parallelism with data-parallel attention over this many GPUs (1: none).
    pub ep: u64,
    pub replicas: u64,
    /// GPUs per node: a TP group larger than this, or a stage boundary between nodes, crosses the
    /// network.
    pub per_node: u64,
}

/// Which link a collective over `n` GPUs crosses: (latency in s, bandwidth in B/s one way).
fn link(gpu: &Gpu, n: u64, per_node: u64) -> (f64, f64) {
    if n > per_node {
        let gbs = if gpu.scaleout_gbs > 0.0 {
            gpu.scaleout_gbs
        } else {
            Constants::FALLBACK_SCALEOUT_GBS
        };
        return (
            gpu.scaleout_latency_us
                .unwrap_or(Constants::SCALEOUT_LATENCY_US)
                * 1e-6,
            gbs * 1e9,
        );
    }
    let group = gpu.link_group.unwrap_or(per_node);
    if gpu.interconnect_gbs > 0.0 && n <= group {
        (
            gpu.link_latency_us.unwrap_or(Constants::LINK_LATENCY_US) * 1e-6,
            gpu.interconnect_gbs / 2.0 * 1e9,
        )
    } else {
        let pcie = if gpu.pcie_gbs > 0.0 {
            gpu.pcie_gbs
        } else {
            Constants::FALLBACK_PCIE_GBS
        };
        (
            gpu.link_latency_us
                .filter(|_| gpu.interconnect_gbs <= 0.0)
                .unwrap_or(Constants::PCIE_LATENCY_US)
                * 1e-6,
            pcie / 2.0 * 1e9,
        )
    }
}

/// One ring all-reduce of `bytes` over `n` GPUs: latency plus 2(n-1)/n of the bytes through each
/// GPU's link one way.
pub fn all_reduce_s(gpu: &Gpu, n: u64, per_node: u64, bytes: f64) -> f64 {
    if n <= 1 {
        return 0.0;
    }
    let (latency, bw) = link(gpu, n, per_node);
    latency + 2.0 * (n - 1) as f64 / n as f64 * bytes / bw
}

/// Communication of one forward pass over `tokens` tokens: two all-reduces per layer inside the
/// TP group (after attention and after the MLP, Megatron-style), and one send per pipeline stage
/// boundary (across the network when stages sit in different nodes).
pub fn comm_s(shape: &Shape, gpu: &Gpu, l: &Layout, tokens: f64) -> f64 {
    let bytes = tokens * shape.arch.hidden_size as f64 * Constants::ACTIVATION_BYTES;
    let layers = shape.arch.layers as f64;
    let tp = layers * Constants::ALL_REDUCES_PER_LAYER * all_reduce_s(gpu, l.tp, l.per_node, bytes);
    let stages = if l.pp > 1 {
        let (latency, bw) = link(gpu, l.tp * l.pp, l.per_node);
        (l.pp - 1) as f64 * (latency / 2.0 + bytes / bw)
    } else {
        0.0
    };
    tp + stages
}

/// The software stack's share of the NVIDIA-calibrated efficiencies on this GPU (the GPU table's
/// `kernel_efficiency`, 1 when absent).
fn stack_efficiency(gpu: &Gpu) -> f64 {
    gpu.kernel_efficiency.filter(|e| *e > 0.0).unwrap_or(1.0)
}

/// Share of dense peak compute-bound work reaches on this GPU (the GPU table's `mfu`, else
/// `Constants::MFU`).
fn mfu(gpu: &Gpu) -> f64 {
    gpu.mfu.filter(|m| *m > 0.0).unwrap_or(Constants::MFU)
}

/// FLOP/s one GPU delivers at this precision: its peak (bf16 for weight-only formats), the
/// software stack's efficiency, and the weight-only kernels' compute share.
fn usable_flops(gpu: &Gpu, p: Precision) -> f64 {
    peak_flops(gpu, p)
        * stack_efficiency(gpu)
        * if weight_only(gpu, p) {
            Constants::WEIGHT_ONLY_COMPUTE
        } else {
            1.0
        }
}

/// Bandwidth share of the weights this GPU streams at `batch` (native or weight-only kernels,
/// the software stack's efficiency).
fn mbu(gpu: &Gpu, p: Precision, batch: f64) -> f64 {
    let base = if batch <= 1.0 {
        Constants::MBU_SINGLE
    } else {
        Constants::MBU_BATCH
    };
    base * stack_efficiency(gpu)
        * if !weight_only(gpu, p) {
            1.0
        } else if gpu.fp8_tflops > 0.0 {
            Constants::WEIGHT_ONLY_BANDWIDTH
        } else {
            Constants::WEIGHT_ONLY_BANDWIDTH_OLD
        }
}

/// Fixed cost of one pass through every layer: kernel launches and synchronization, more for MLA
/// layers.
fn fixed_pass_s(shape: &Shape, gpu: &Gpu, profile: Profile) -> f64 {
    let tau = gpu
        .layer_overhead_us
        .unwrap_or(Constants::LAYER_OVERHEAD_US)
        * profile.layer_overhead_factor();
    let mla = shape
        .kv
        .terms
        .iter()
        .filter(|t| matches!(t.kind, LayerKind::Mla | LayerKind::MlaIndexed))
        .map(|t| t.layers)
        .sum::<u64>() as f64;
    (shape.arch.layers as f64 * tau + mla * Constants::MLA_LAYER_US) * 1e-6
}

/// The decode-step model of one replica. What does not change from step to step (the weights'
/// bytes, the GPU's usable FLOP/s and bandwidth shares, the fixed cost of a pass) is computed once
/// by `new`: a plan's throughput takes six steps and prefills, and sizing a query weighs hundreds
/// of plans.
struct Decoder<'a> {
    shape: &'a Shape,
    gpu: &'a Gpu,
    l: &'a Layout,
    profile: Profile,
    kv_elem: f64,
    /// The weights' bytes by module at `p`.
    bytes: ModuleBytes,
    /// FLOP/s one GPU delivers at `p` (`usable_flops`).
    peak: f64,
    /// The GPU's share of that peak compute-bound work reaches (`mfu`).
    mfu: f64,
    /// Parameters one token runs through, without the extras outside the decoder.
    active: f64,
    /// Bandwidth shares at one sequence and batched (`mbu`).
    mbu_single: f64,
    mbu_batch: f64,
    /// The fixed cost of one pass through every layer (`fixed_pass_s`).
    fixed: f64,
}

impl<'a> Decoder<'a> {
    fn new(
        shape: &'a Shape,
        gpu: &'a Gpu,
        p: Precision,
        l: &'a Layout,
        profile: Profile,
        kv_elem: f64,
    ) -> Decoder<'a> {
        Decoder {
            shape,
            gpu,
            l,
            profile,
            kv_elem,
            bytes: shape.module_bytes(p),
            peak: usable_flops(gpu, p),
            mfu: mfu(gpu),
            active: shape.params.active() - shape.params.extra,
            mbu_single: mbu(gpu, p, 1.0),
            mbu_batch: mbu(gpu, p, 2.0),
            fixed: fixed_pass_s(shape, gpu, profile),
        }
    }

    /// `mbu` at `batch`, as computed by `new`.
    fn mbu_at(&self, batch: f64) -> f64 {
        if batch <= 1.0 {
            self.mbu_single
        } else {
            self.mbu_batch
        }
    }

    /// Attention FLOPs of one token attending to `ctx` earlier tokens (QK^T and PV, 4 x heads x
    /// head_dim per cached token and layer; windows and compression cap what a layer attends to).
    fn attention_flops(&self, ctx: f64) -> f64 {
        let a = &self.shape.arch;
        let width = (a.attention_heads * a.head_dim.max(a.v_head_dim)) as f64;
        self.shape
            .kv
            .terms
            .iter()
            .filter(|t| t.per_entry > 0.0)
            .map(|t| {
                let seen = match t.kind {
                    LayerKind::Sliding => ctx.min(t.window.max(1) as f64),
                    LayerKind::Compressed => ctx / t.ratio.max(1) as f64 + ctx.min(t.window as f64),
                    _ => ctx,
                };
                t.layers as f64 * 4.0 * width * seen
            })
            .sum()
    }

    /// Share of streaming bandwidth the MoE kernel reaches at `batch`: the (token, expert) pairs a
    /// layer computes per GPU of the TP group (batch x experts per token / TP: the kernel's
    /// parallel work), against the engine's half-point.
    fn moe_efficiency(&self, batch: f64) -> f64 {
        let a = &self.shape.arch;
        if a.experts == 0 {
            return 1.0;
        }
        let per_gpu =
            batch.max(1.0) * a.experts_per_token as f64 / (self.l.tp * self.l.ep.max(1)) as f64;
        per_gpu / (per_gpu + self.profile.moe_half_experts())
    }

    /// One decode step for `batch` sequences averaging `ctx` tokens. `serial`: one sequence
    /// walking the stages one after another (bytes split by TP only, every layer's fixed cost and
    /// communication paid in turn); else stages pipeline micro-batches (bytes split over all the
    /// replica's GPUs, one stage's share of fixed cost and communication per step).
    fn step_s(&self, batch: f64, ctx: f64, serial: bool) -> f64 {
        if self.l.ep > 1 {
            return self.step_ep_s(batch, ctx);
        }
        let (s, gpu, l) = (self.shape, self.gpu, self.l);
        let gpus = if serial { l.tp } else { l.tp * l.pp } as f64;
        let kv_seq =
            s.kv.sequence_bytes_per_rank(ctx.round() as u64, self.kv_elem, 1);
        let (whole, experts) = s.weight_bytes_read(&self.bytes, batch);
        let dense = whole + batch * kv_seq;
        let mem = (dense + experts / self.moe_efficiency(batch))
            / (gpus * gpu.bandwidth_tbs * 1e12 * self.mbu_at(batch));
        let compute = if self.peak > 0.0 {
            (2.0 * self.active + self.attention_flops(ctx)) * batch / (gpus * self.peak * self.mfu)
        } else {
            0.0
        };
        let share = if serial { 1.0 } else { 1.0 / l.pp as f64 };
        mem.max(compute) + (self.fixed + comm_s(s, gpu, l, batch)) * share
    }

    /// Two all-to-alls per MoE layer (tokens to their experts' GPUs and back) when `tokens`
    /// tokens per GPU are routed over an expert-parallel group.
    fn all_to_all_s(&self, tokens: f64) -> f64 {
        let (s, l) = (self.shape, self.l);
        let a = &s.arch;
        if l.ep <= 1 || a.experts == 0 {
            return 0.0;
        }
        let moe_layers = a.layers.saturating_sub(a.dense_layers) as f64;
        let bytes = tokens
            * a.experts_per_token as f64
            * a.hidden_size as f64
            * Constants::ACTIVATION_BYTES;
        let (latency, bw) = link(self.gpu, l.ep, l.per_node);
        let ep = l.ep as f64;
        moe_layers * 2.0 * (latency + bytes * (ep - 1.0) / ep / bw)
    }

    /// One decode step of an expert-parallel group with data-parallel attention: each GPU runs its
    /// share of the batch through whole attention and dense weights and its own cache, and the
    /// whole batch's tokens through its slice of the experts.
    fn step_ep_s(&self, batch: f64, ctx: f64) -> f64 {
        let (s, gpu, l) = (self.shape, self.gpu, self.l);
        let ep = l.ep as f64;
        let local = (batch / ep).max(1.0);
        let kv_seq =
            s.kv.sequence_bytes_per_rank(ctx.round() as u64, self.kv_elem, 1);
        // Attention and dense weights are read whole by each GPU for its share of the batch; the
        // experts the whole batch touches are split over the group.
        let (whole, experts) = s.weight_bytes_read(&self.bytes, batch);
        let dense = whole + local * kv_seq;
        let experts = experts / ep;
        let mem = (dense + experts / self.moe_efficiency(batch))
            / (gpu.bandwidth_tbs * 1e12 * self.mbu_at(local));
        let compute = if self.peak > 0.0 {
            (2.0 * self.active + self.attention_flops(ctx)) * local / (self.peak * self.mfu)
        } else {
            0.0
        };
        mem.max(compute) + self.fixed + self.all_to_all_s(local)
    }

    /// Prefill of `tokens` prompt tokens on one replica: compute over every GPU, plus its
    /// all-reduces.
    fn prefill_s(&self, tokens: f64) -> f64 {
        let (s, gpu, l) = (self.shape, self.gpu, self.l);
        if self.peak <= 0.0 {
            return 0.0;
        }
        // A causal prompt attends to half of itself on average.
        let gpus = (l.tp * l.pp * l.ep.max(1)) as f64;
        (2.0 * self.active + self.attention_flops(tokens / 2.0)) * tokens
            / (gpus * self.peak * self.mfu)
            + comm_s(s, gpu, l, tokens) / l.pp as f64
            + self.all_to_all_s(tokens / l.ep.max(1) as f64)
    }
}

/// Time per output token at `batch` sequences decoding together on one replica, seconds.
pub fn tpot_s(
    shape: &Shape,
    gpu: &Gpu,
    p: Precision,
    l: &Layout,
    req: &Request,
    kv_elem: f64,
    batch: f64,
) -> f64 {
    let d = Decoder::new(shape, gpu, p, l, Profile::of(req), kv_elem);
    d.step_s(batch.max(1.0), req.context as f64, batch <= 1.0)
}

/// Serving throughput of a layout.
pub fn serve(
    shape: &Shape,
    gpu: &Gpu,
    p: Precision,
    l: &Layout,
    max_conc_per_replica: u64,
    req: &Request,
    kv_elem: f64,
) -> Perf {
    let profile = Profile::of(req);
    let d = Decoder::new(shape, gpu, p, l, profile, kv_elem);
    let replicas = l.replicas as f64;
    let peak = peak_flops(gpu, p);
    let eff = profile.load_efficiency();
    let max_batch = profile.max_seqs(gpu);

    let decode_single = 1.0 / d.step_s(1.0, req.context as f64, true);

    let batch_full = (max_conc_per_replica as f64).min(max_batch);
    // A batch never runs slower than one sequence alone would (an engine can always run one at
    // a time), so the aggregate is at least single-stream speed per replica.
    let decode_aggregate = if batch_full >= 1.0 {
        (eff * batch_full / d.step_s(batch_full, req.context as f64, false)).max(decode_single)
            * replicas
    } else {
        0.0
    };
    let prefill = (peak > 0.0).then(|| {
        let chunk = profile.max_batched_tokens(gpu);
        replicas * chunk / d.prefill_s(chunk)
    });

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
    let batch = max_at_avg.min(max_batch);
    let per_replica = if batch >= 1.0 {
        let prefill_per_out = d.prefill_s(isl) / osl;
        let rate = 1.0 / (d.step_s(batch, ctx_avg, false) / batch / eff + prefill_per_out);
        // Never below one sequence at a time (its prefill included).
        let alone = 1.0 / (d.step_s(1.0, ctx_avg, true) + prefill_per_out);
        rate.max(alone) * 3600.0
    } else {
        0.0
    };
    Perf {
        decode_single,
        decode_aggregate,
        prefill,
        capacity_tokens_per_hour: per_replica * replicas,
        capacity_per_replica_tokens_per_hour: per_replica,
        train_tokens_per_s: None,
    }
}

/// Fine-tuning throughput: 6·N model FLOPs per token (4·N for adapters: no weight gradients) at
/// the training MFU (MoE models at their own), times the stack's speed factor; QLoRA dequantizes
/// its base on every pass.
pub fn train(shape: &Shape, gpu: &Gpu, count: u64, req: &Request) -> Perf {
    let active = shape.params.active();
    let mfu = if shape.arch.experts > 0 {
        Constants::MFU_TRAIN_MOE
    } else {
        Constants::MFU_TRAIN
    };
    let adapters = matches!(req.task, Task::Lora | Task::Qlora);
    let base = count as f64 * gpu.bf16_tflops * 1e12 * stack_efficiency(gpu) * mfu / (6.0 * active)
        * crate::fit::stack(req, count).speed_factor(adapters);
    let rate = match req.task {
        _ if gpu.bf16_tflops <= 0.0 => None,
        Task::Lora => Some(base * Constants::LORA_SPEEDUP),
        Task::Qlora => Some(base * Constants::LORA_SPEEDUP * Constants::QLORA_SPEED),
        _ => Some(base),
    };
    Perf {
        train_tokens_per_s: rate,
        ..Perf::default()
    }
}
