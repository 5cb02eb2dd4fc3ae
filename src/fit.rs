//! Does a model fit on the GPUs, how, and with how much room: serving plans (precision, tensor and
//! pipeline parallel, replicas, memory per GPU, concurrency) and fine-tuning memory.
//!
//! Every constant below is stated in `Assumptions` and printed with the plan, so a number can be
//! reproduced by hand from config.json and the GPU table. Sources: ../shared/research/estimation.md
//! (vLLM memory profiling, ZeRO, Korthikanti et al. activations, QLoRA NF4).

use crate::arch;
use crate::catalog::{Arch, Gpu, GIB};
pub use crate::sizing::{
    supports, KvDtype, Precision, Request, Shape, Task, DEFAULT_SERVE_CONTEXT,
    DEFAULT_TRAIN_CONTEXT,
};
use crate::throughput::{self, Perf};

/// The constants behind every estimate, printed with it.
pub struct Assumptions;

impl Assumptions {
    /// vLLM's default `gpu_memory_utilization`.
    pub const GPU_MEMORY_UTILIZATION: f64 = 0.90;
    /// Tokens in vLLM's profiling forward pass (max_num_batched_tokens with chunked prefill).
    pub const PROFILE_TOKENS: f64 = 8192.0;
    /// CUDA graph capture (vLLM logs show 0.3-0.6 GiB).
    pub const CUDA_GRAPHS_GIB: f64 = 0.5;
    /// Memory outside PyTorch's allocator at TP=1 (0.04-0.3 GiB measured) ...
    pub const NON_TORCH_GIB: f64 = 0.3;
    /// ... plus NCCL / custom all-reduce buffers per TP rank (2.10 GiB measured at TP=8).
    pub const NON_TORCH_PER_TP_GIB: f64 = 0.25;
    /// Fine-tuning: CUDA context, allocator fragmentation reserve.
    pub const TRAIN_RUNTIME_GIB: f64 = 1.0;
    /// Fine-tuning fits when the total is within this share of usable memory.
    pub const TRAIN_HEADROOM: f64 = 0.90;

    pub fn lines(task: Task) -> Vec<String> {
        let mut v = vec![
            "memory in GiB (2^30 B); GPU memory is what a framework sees (measured where the GPU table says so)".to_string(),
            "weights: linear layers at the plan's precision (fp8/int8 8 bits, int4 AWQ/GPTQ 4.25 bits, MXFP4 4.25, NF4 4.127); embeddings, output head and vision tower stay 16-bit".into(),
        ];
        if task == Task::Serve {
            v.extend([
                format!("engine budget: {}% of GPU memory (vLLM gpu_memory_utilization default)", Self::GPU_MEMORY_UTILIZATION * 100.0),
                format!("overhead: activation peak of a {}-token profiling pass (tokens x (2 x FFN width/TP + 4 x hidden) x 2 B x 1.2), CUDA graphs {} GiB, non-torch {} GiB + {} GiB per TP rank above 1", Self::PROFILE_TOKENS, Self::CUDA_GRAPHS_GIB, Self::NON_TORCH_GIB, Self::NON_TORCH_PER_TP_GIB),
                "KV cache: 2 x layers x KV heads x head_dim per token (MLA: kv_lora_rank + rope dim, whole on every GPU); sliding-window layers keep at most the window; KV heads replicate when TP exceeds them".into(),
                "kv_cache is what the requested context x concurrency needs, not the pool an engine pre-allocates".into(),
                "tensor parallel must divide the attention heads (and the KV heads, or be a multiple of them); pipeline parallel only when TP alone cannot fit; spare GPUs serve as replicas".into(),
            ]);
        } else {
            v.extend([
                "full / continued pretraining: mixed-precision AdamW = 16 B/param (bf16 weights 2 + grads 2 + fp32 master 4 + Adam moments 8), sharded by the ZeRO stage across the GPUs (Rajbhandari et al.)".into(),
                "LoRA: frozen bf16 base + 16 B per adapter parameter, adapters on attention and dense FFN projections (not routed experts); QLoRA: NF4 base (4.127 bpw)".into(),
                "activations per layer: 34 x seq x batch x hidden bytes (Korthikanti et al., FlashAttention so no score matrices); gradient checkpointing keeps 2 x seq x batch x hidden per layer plus one layer's 34; plus fp32 logits vocab x seq x batch x 4 B".into(),
                "frozen or sharded base weights are split evenly across the GPUs (FSDP / ZeRO-3 style) when there is more than one".into(),
                format!("fits when the total is within {}% of GPU memory (fragmentation)", Self::TRAIN_HEADROOM * 100.0),
            ]);
        }
        v.extend(throughput::Constants::lines(task));
        v
    }
}

/// Memory per GPU, GiB.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Memory {
    pub weights: f64,
    pub kv_cache: f64,
    pub overhead: f64,
    /// Fine-tuning only: gradients, optimizer states, activations (all inside `overhead` too).
    pub gradients: f64,
    pub optimizer: f64,
    pub activations: f64,
}

impl Memory {
    pub fn total(&self) -> f64 {
        self.weights + self.kv_cache + self.overhead
    }
}

/// One way to run the model on the GPUs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub precision: Precision,
    pub tensor_parallel: u64,
    pub pipeline_parallel: u64,
    pub replicas: u64,
    pub fits: bool,
    pub weights_bytes_total: f64,
    pub kv_bytes_per_token: f64,
    /// Constant state one sequence holds (linear attention, SSM layers), bytes, whole model.
    pub state_bytes_per_sequence: f64,
    pub memory: Memory,
    /// What the engine may use per GPU, GiB.
    pub budget_gib: f64,
    pub max_concurrency: u64,
    pub perf: Perf,
    /// Ways to make a plan that does not fit fit (empty when it fits).
    pub remedies: Vec<String>,
    pub notes: Vec<String>,
}

impl Plan {
    /// "fp8 TP2" or "bf16 TP8 PP2": precision and parallel layout of one replica.
    pub fn layout(&self) -> String {
        let pp = if self.pipeline_parallel > 1 {
            format!(" PP{}", self.pipeline_parallel)
        } else {
            String::new()
        };
        format!("{} TP{}{pp}", self.precision.as_str(), self.tensor_parallel)
    }

    pub fn gpus_per_replica(&self) -> u64 {
        self.tensor_parallel * self.pipeline_parallel
    }
    pub fn gpus_used(&self) -> u64 {
        self.gpus_per_replica() * self.replicas
    }
    pub fn headroom_gib(&self) -> f64 {
        self.budget_gib - self.memory.total()
    }
    pub fn short_by_gib(&self) -> f64 {
        (-self.headroom_gib()).max(0.0)
    }
}

/// Everything `pick fit` reports for one model on one GPU set.
#[derive(Debug, Clone)]
pub struct Report {
    pub model: String,
    pub gpu: String,
    pub count: u64,
    pub request: Request,
    pub plans: Vec<Plan>,
}

impl Report {
    /// The plan to deploy: among those that fit, the least lossy precision, then the most capacity.
    pub fn best(&self) -> Option<&Plan> {
        self.plans.iter().filter(|p| p.fits).min_by(|a, b| {
            a.precision.loss_rank().cmp(&b.precision.loss_rank()).then(
                b.perf
                    .capacity_tokens_per_hour
                    .total_cmp(&a.perf.capacity_tokens_per_hour),
            )
        })
    }
}

/// Sizes a model on `count` GPUs of one type and says, for each plan that does not fit, what
/// would make it fit (`pick fit`).
pub fn fit_explained(shape: &Shape, gpu: &Gpu, count: u64, req: &Request) -> Report {
    let mut report = fit(shape, gpu, count, req);
    for plan in report.plans.iter_mut().filter(|p| !p.fits) {
        plan.remedies = remedies(shape, gpu, count, req, plan);
    }
    report
}

/// Sizes a model on `count` GPUs of one type (no remedies: see `fit_explained` and `remedies`).
pub fn fit(shape: &Shape, gpu: &Gpu, count: u64, req: &Request) -> Report {
    let precisions = requested_precisions(shape, gpu, req);
    let plans = precisions
        .into_iter()
        .map(|p| {
            let mut plan = if req.task.is_training() {
                train_plan(shape, gpu, count, req, p)
            } else {
                serve_plan(shape, gpu, count, req, p)
            };
            if !supports(gpu, p) {
                plan.fits = false;
                plan.notes
                    .push(format!("{} has no {} support", gpu.name, p.as_str()));
            }
            plan
        })
        .collect();
    Report {
        model: shape.id.clone(),
        gpu: gpu.id.clone(),
        count,
        request: req.clone(),
        plans,
    }
}

/// Tensor-parallel degrees the attention layout allows, ascending, up to `max`.
pub fn tp_candidates(arch: &Arch, max: u64) -> Vec<u64> {
    (1..=max.max(1))
        .filter(|t| arch.attention_heads % t == 0)
        .filter(|t| arch.kv_heads == 0 || arch.kv_heads % t == 0 || t % arch.kv_heads == 0)
        .collect()
}

/// Memory per GPU of a serving layout, and the KV bytes one sequence needs per GPU.
fn serve_memory(
    shape: &Shape,
    req: &Request,
    p: Precision,
    tp: u64,
    pp: u64,
    replicas: u64,
) -> (Memory, f64) {
    let a = &shape.arch;
    let split = (tp * pp) as f64;
    let weights = shape.weight_bytes(p) / split / GIB;
    let kv_seq = kv_seq_bytes_per_gpu(shape, req, tp, pp);
    let per_replica = req.concurrency.div_ceil(replicas.max(1));
    let ffn_width = (a
        .intermediate_size
        .max(a.moe_intermediate_size * a.experts_per_token)) as f64;
    let activation = Assumptions::PROFILE_TOKENS
        * (2.0 * ffn_width / tp as f64 + 4.0 * a.hidden_size as f64)
        * 2.0
        * 1.2
        / GIB;
    let non_torch = Assumptions::NON_TORCH_GIB
        + if tp > 1 {
            Assumptions::NON_TORCH_PER_TP_GIB * tp as f64
        } else {
            0.0
        };
    let memory = Memory {
        weights,
        kv_cache: kv_seq * per_replica as f64 / GIB,
        overhead: activation + non_torch + Assumptions::CUDA_GRAPHS_GIB,
        ..Memory::default()
    };
    (memory, kv_seq)
}

/// Bytes of KV cache one sequence of the requested context needs on one GPU.
fn kv_seq_bytes_per_gpu(shape: &Shape, req: &Request, tp: u64, pp: u64) -> f64 {
    shape
        .kv
        .sequence_bytes_per_rank(req.context, req.kv_dtype.bytes(), tp)
        / pp as f64
}

/// What a serving engine may use on one GPU, GiB.
fn serve_budget(gpu: &Gpu) -> f64 {
    gpu.usable_gib() * Assumptions::GPU_MEMORY_UTILIZATION
}

/// Whether a TP x PP layout's memory fits each GPU (spare GPUs as replicas): the cheap check
/// made before a full plan with its throughput estimate.
#[allow(clippy::too_many_arguments)]
fn layout_fits(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    p: Precision,
    tp: u64,
    pp: u64,
) -> bool {
    let replicas = (count / (tp * pp)).max(1);
    serve_memory(shape, req, p, tp, pp, replicas).0.total() <= serve_budget(gpu)
}

/// The precisions a request asks for: the one given, or every one that applies.
fn requested_precisions(shape: &Shape, gpu: &Gpu, req: &Request) -> Vec<Precision> {
    match req.precision {
        Some(p) => vec![p],
        None => shape.precisions(gpu, req.task),
    }
}

fn serve_plan(shape: &Shape, gpu: &Gpu, count: u64, req: &Request, p: Precision) -> Plan {
    let tps = tp_candidates(&shape.arch, count);
    let fits = |tp: u64, pp: u64| layout_fits(shape, gpu, count, req, p, tp, pp);
    // Among the TP degrees that fit, the one with the most capacity (a bigger TP group frees room
    // for KV cache and batches, more replicas multiply throughput); else the largest TP with the
    // fewest pipeline stages that fit; else the layout over every GPU (to say by how much it misses).
    let max_tp = tps.last().copied().unwrap_or(1);
    let layouts = serve_layouts(shape, gpu, count, req, p);
    // Without NVLink (or another scale-up link) every all-reduce crosses PCIe: when one GPU holds
    // the model, replicas beat tensor parallelism (vLLM's guidance: a single GPU if it fits).
    if !has_scale_up_link(gpu) {
        if let Some(one) = layouts.iter().find(|l| l.tensor_parallel == 1) {
            return one.clone();
        }
    }
    if let Some(best) = layouts.into_iter().reduce(|a, b| {
        if b.perf.capacity_tokens_per_hour > a.perf.capacity_tokens_per_hour * 1.000_001 {
            b
        } else {
            a
        }
    }) {
        return best;
    }
    let pp = (2..=count / max_tp)
        .find(|&pp| fits(max_tp, pp))
        .unwrap_or((count / max_tp).max(1));
    serve_plan_at(shape, gpu, count, req, p, max_tp, pp)
}

/// Whether the GPUs have a scale-up link (NVLink, Infinity Fabric, ICI) rather than PCIe only.
pub fn has_scale_up_link(gpu: &Gpu) -> bool {
    gpu.interconnect_gbs > 0.0
}

/// Every tensor-parallel layout (no pipeline stages) that fits, smallest TP first. Memory is
/// checked before the (costlier) throughput estimate.
fn serve_layouts(shape: &Shape, gpu: &Gpu, count: u64, req: &Request, p: Precision) -> Vec<Plan> {
    if !supports(gpu, p) {
        return Vec::new();
    }
    tp_candidates(&shape.arch, count)
        .into_iter()
        .filter(|&tp| layout_fits(shape, gpu, count, req, p, tp, 1))
        .map(|tp| serve_plan_at(shape, gpu, count, req, p, tp, 1))
        .collect()
}

/// The fitting serving layouts worth weighing against each other (the recommender's choices):
/// precisions from the least lossy, stopping at the first loss rank where anything fits, and for
/// each precision the TP degrees in ascending order until one replica is `enough` for the load
/// (a larger TP group would only add GPUs). Fine-tuning tasks: the fitting plans of `fit`.
pub fn serve_options(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    enough: impl Fn(&Plan) -> bool,
) -> Vec<Plan> {
    if req.task.is_training() {
        return fit(shape, gpu, count, req)
            .plans
            .into_iter()
            .filter(|p| p.fits)
            .collect();
    }
    let precisions = requested_precisions(shape, gpu, req);
    let tps = tp_candidates(&shape.arch, count);
    for rank in 0..=2 {
        let mut options = Vec::new();
        for &p in precisions
            .iter()
            .filter(|p| p.loss_rank() == rank && supports(gpu, **p))
        {
            let one_fits = layout_fits(shape, gpu, count, req, p, 1, 1);
            for &tp in &tps {
                if !layout_fits(shape, gpu, count, req, p, tp, 1) {
                    continue;
                }
                // PCIe-only GPUs: replicas of one GPU each before tensor parallelism.
                if tp > 1 && one_fits && !has_scale_up_link(gpu) {
                    break;
                }
                let plan = serve_plan_at(shape, gpu, count, req, p, tp, 1);
                let done = enough(&plan);
                options.push(plan);
                if done {
                    break;
                }
            }
        }
        if !options.is_empty() {
            return options;
        }
    }
    Vec::new()
}

/// A serving plan at a given tensor- and pipeline-parallel layout; spare GPUs become replicas.
pub fn serve_plan_at(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    p: Precision,
    tp: u64,
    pp: u64,
) -> Plan {
    let budget = serve_budget(gpu);
    let (tp, pp) = (tp.max(1), pp.max(1));
    let replicas = (count / (tp * pp)).max(1);
    let (memory, kv_seq) = serve_memory(shape, req, p, tp, pp, replicas);
    let fits = memory.total() <= budget && tp * pp <= count;
    let free = budget - memory.weights - memory.overhead;
    let max_concurrency = if kv_seq > 0.0 && free > 0.0 {
        ((free * GIB / kv_seq).floor() as u64).saturating_mul(replicas)
    } else {
        0
    };
    let mut notes = Vec::new();
    let kv_heads = shape.kv.kv_heads();
    if kv_heads > 0 && tp > kv_heads {
        notes.push(format!(
            "TP {tp} exceeds the {kv_heads} KV heads: KV heads are replicated"
        ));
    }
    if shape.kv.latent() && tp > 1 {
        notes.push("MLA latent cache is replicated on every TP rank (engines use data-parallel attention to avoid it)".into());
    }
    if req.context > shape.max_context && shape.max_context > 0 {
        notes.push(format!(
            "requested context {} exceeds the model's {}",
            req.context, shape.max_context
        ));
    }
    if pp > 1 {
        notes.push(format!(
            "tensor parallel alone cannot fit: {pp} pipeline stages"
        ));
    }
    let kv_elem = req.kv_dtype.bytes();
    // A plan that does not fit serves nothing: no speed is claimed for it.
    let perf = if fits {
        throughput::serve(
            shape,
            gpu,
            p,
            tp,
            pp,
            replicas,
            max_concurrency / replicas,
            req,
            kv_elem,
        )
    } else {
        Perf::default()
    };
    Plan {
        precision: p,
        tensor_parallel: tp,
        pipeline_parallel: pp,
        replicas,
        fits,
        weights_bytes_total: shape.weight_bytes(p),
        kv_bytes_per_token: shape.kv.per_token() * kv_elem,
        state_bytes_per_sequence: shape.kv.state_per_sequence() * arch::STATE_BYTES,
        memory,
        budget_gib: budget,
        max_concurrency: if fits { max_concurrency } else { 0 },
        perf,
        remedies: Vec::new(),
        notes,
    }
}

/// LoRA adapter parameters at rank r on attention and dense FFN projections.
pub fn lora_params(a: &Arch, rank: u64) -> f64 {
    let (h, r) = (a.hidden_size as f64, rank as f64);
    let q_out = (a.attention_heads * a.head_dim) as f64;
    let kv_out = (a.kv_heads * a.head_dim) as f64;
    let attention = r * ((h + q_out) * 2.0 + (h + kv_out) * 2.0);
    let moe_layers = if a.experts > 0 {
        a.layers.saturating_sub(a.dense_layers)
    } else {
        0
    };
    let dense_layers = a.layers - moe_layers;
    let ffn = r * 3.0 * (h + a.intermediate_size as f64);
    a.layers as f64 * attention + dense_layers as f64 * ffn
}

fn train_plan(shape: &Shape, gpu: &Gpu, count: u64, req: &Request, p: Precision) -> Plan {
    let a = &shape.arch;
    let n = count as f64;
    let psi = shape.params.total();
    let (s, b, h) = (
        req.context as f64,
        req.micro_batch as f64,
        a.hidden_size as f64,
    );
    let shard = |bytes: f64| if count > 1 { bytes / n } else { bytes };
    let (weights, gradients, optimizer) = match req.task {
        // (Serve never reaches here; it sizes like a full fine-tune if it did.)
        Task::Full | Task::Pretrain | Task::Serve => {
            let (w, g, o) = (2.0 * psi, 2.0 * psi, 12.0 * psi);
            match req.zero_stage {
                0 => (w, g, o),
                1 => (w, g, o / n),
                2 => (w, g / n, o / n),
                _ => (w / n, g / n, o / n),
            }
        }
        Task::Lora | Task::Qlora => {
            let adapters = lora_params(a, req.lora_rank);
            (
                shard(shape.weight_bytes(p)),
                adapters * 2.0,
                adapters * 12.0,
            )
        }
    };
    let layer_act = 34.0 * s * b * h;
    let activations = if req.grad_checkpointing {
        a.layers as f64 * 2.0 * s * b * h + layer_act
    } else {
        a.layers as f64 * layer_act
    } + a.vocab_size as f64 * s * b * 4.0;
    let memory = Memory {
        weights: weights / GIB,
        kv_cache: 0.0,
        overhead: (gradients + optimizer + activations) / GIB + Assumptions::TRAIN_RUNTIME_GIB,
        gradients: gradients / GIB,
        optimizer: optimizer / GIB,
        activations: activations / GIB,
    };
    let budget = gpu.usable_gib() * Assumptions::TRAIN_HEADROOM;
    let fits = memory.total() <= budget;
    let perf = if fits {
        throughput::train(shape, gpu, count, req.task)
    } else {
        Perf::default()
    };
    let mut notes = vec![format!(
        "{} GPUs data-parallel{}",
        count,
        match req.task {
            Task::Full | Task::Pretrain if count > 1 =>
                format!(", ZeRO stage {}", req.zero_stage.min(3)),
            _ if count > 1 => ", base weights sharded (FSDP)".into(),
            _ => String::new(),
        }
    )];
    if matches!(req.task, Task::Lora | Task::Qlora) {
        notes.push(format!(
            "LoRA rank {}: {:.1}M adapter parameters",
            req.lora_rank,
            lora_params(a, req.lora_rank) / 1e6
        ));
    }
    Plan {
        precision: p,
        tensor_parallel: 1,
        pipeline_parallel: 1,
        replicas: count,
        fits,
        weights_bytes_total: shape.weight_bytes(p),
        kv_bytes_per_token: shape.kv.per_token() * 2.0,
        state_bytes_per_sequence: shape.kv.state_per_sequence() * arch::STATE_BYTES,
        memory,
        budget_gib: budget,
        max_concurrency: 0,
        perf,
        remedies: Vec::new(),
        notes,
    }
}

/// What would make a plan that does not fit fit: another precision, more GPUs, a shorter context.
pub fn remedies(shape: &Shape, gpu: &Gpu, count: u64, req: &Request, plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    // A plan can fail for want of support rather than memory: say "short by" only when it is.
    let short = plan.short_by_gib();
    if short >= 0.05 {
        out.push(format!("short by {short:.1} GiB per GPU"));
    }
    let sized = |count: u64, req: &Request, p: Precision| {
        if req.task.is_training() {
            train_plan(shape, gpu, count, req, p)
        } else {
            serve_plan(shape, gpu, count, req, p)
        }
    };
    if !req.task.is_training() {
        for p in shape.precisions(gpu, req.task) {
            if p != plan.precision
                && supports(gpu, p)
                && p.linear_bits() < plan.precision.linear_bits()
                && sized(count, req, p).fits
            {
                out.push(format!("fits at {} on the same GPUs", p.as_str()));
                break;
            }
        }
    } else if req.task != Task::Qlora
        && sized(
            count,
            &Request {
                task: Task::Qlora,
                ..req.clone()
            },
            Precision::Nf4,
        )
        .fits
    {
        out.push("fits with QLoRA (--task qlora)".into());
    }
    // More GPUs only help a precision this GPU runs.
    let mut n = if supports(gpu, plan.precision) {
        count
    } else {
        crate::hardware::MAX_GPUS
    };
    while n < crate::hardware::MAX_GPUS {
        n = (n * 2).min(crate::hardware::MAX_GPUS);
        if sized(n, req, plan.precision).fits {
            // Refine: the smallest count between the last failure and n that fits.
            let smallest = (count + 1..=n)
                .find(|&c| sized(c, req, plan.precision).fits)
                .unwrap_or(n);
            out.push(format!(
                "fits on {smallest}x {} at {}",
                gpu.id,
                plan.precision.as_str()
            ));
            break;
        }
    }
    if !req.task.is_training() && req.context > 1 {
        // Largest context (binary search) that fits on these GPUs at this precision.
        let (mut lo, mut hi) = (0u64, req.context);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if sized(
                count,
                &Request {
                    context: mid,
                    ..req.clone()
                },
                plan.precision,
            )
            .fits
            {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        // Never repeat the request: only a shorter context than the one asked for is a remedy.
        if lo >= 512 && lo < req.context {
            out.push(format!("fits with context <= {lo} tokens"));
        }
    }
    out
}
