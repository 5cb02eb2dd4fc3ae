//! Does a model fit on the GPUs, how, and with how much room: serving plans (precision, tensor and
//! pipeline parallel inside and across nodes, replicas, memory per GPU under the engine's profile,
//! concurrency) and fine-tuning memory under a training stack.
//!
//! Every constant is stated in `Assumptions` (and the engine and stack profiles) and printed with
//! the plan, so a number can be reproduced by hand from config.json and the GPU table; each carries
//! its published source, and `tests/estimates.rs` holds the figures it was checked against.

use crate::arch;
use crate::catalog::{Arch, Gpu, GIB};
use crate::engines::{ModelDims, Profile};
use crate::hardware::Topology;
pub use crate::sizing::{
    supports, KvDtype, Precision, Request, Shape, Task, DEFAULT_SERVE_CONTEXT,
    DEFAULT_TRAIN_CONTEXT,
};
use crate::throughput::{self, Perf};
use crate::training::{Offload, Stack};

/// The constants behind every estimate, printed with it.
pub struct Assumptions;

impl Assumptions {
    /// Fine-tuning: CUDA context, allocator fragmentation reserve.
    pub const TRAIN_RUNTIME_GIB: f64 = 1.0;
    /// Fine-tuning fits when the total is within this share of usable memory.
    pub const TRAIN_HEADROOM: f64 = 0.90;

    /// The assumptions behind a request's estimates on a GPU, as `pick fit` prints them.
    pub fn lines(req: &Request, gpu: &Gpu, count: u64) -> Vec<String> {
        let task = req.task;
        let mut v = vec![
            "memory in GiB (2^30 B); GPU memory is what a framework sees (measured where the GPU table says so)".to_string(),
            "weights: linear layers at the plan's precision (fp8/int8 8 bits, int4 AWQ/GPTQ 4.25 bits, MXFP4 4.25, NF4 4.127); embeddings, output head and vision tower stay 16-bit; at the official checkpoint's own precision its per-module dtypes (catalog checkpoint_precision) or its exact size (safetensors index) apply".into(),
        ];
        if task == Task::Serve {
            v.extend(Profile::of(req).lines(gpu));
            v.extend([
                "KV cache: 2 x layers x KV heads x head_dim per token (MLA: kv_lora_rank + rope dim, whole on every GPU); sliding-window layers keep at most the window (chunked attention is cached in full, as engines do); KV heads replicate when TP exceeds them".into(),
                "kv_cache is what the requested context x concurrency needs, not the pool an engine pre-allocates".into(),
                format!("nodes of {} GPUs (--gpus-per-node): tensor parallel inside a node, dividing the attention heads (and the KV heads, or a multiple of them); pipeline stages only when one node's TP group cannot hold the model, in whole nodes beyond one; spare GPUs serve as replicas (first, on GPUs without NVLink); MoE models may instead split their experts over a group (expert parallel) with data-parallel attention (each GPU holds attention and dense weights whole and caches only its own sequences; two all-to-alls per MoE layer), when that serves more", req.gpus_per_node.unwrap_or_else(|| gpu.gpus_per_node())),
            ]);
        } else {
            v.extend(stack(req, count).lines());
            v.extend([
                "full / continued pretraining: every parameter trained (mixed-precision AdamW: bf16 weights 2 + grads 2 + fp32 master 4 + Adam moments 8 = 16 B, Rajbhandari et al.; Megatron's distributed optimizer 6 + 12/d)".into(),
                "LoRA: frozen bf16 base, the adapter parameters trained like full fine-tuning's (and sharded alike), adapters on attention and dense FFN projections (not routed experts); QLoRA: NF4 base (4.127 bpw)".into(),
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
    /// GPUs the routed experts are split over, each running attention for its own sequences
    /// (data-parallel attention); 1: no expert parallelism.
    pub expert_parallel: u64,
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
    /// "fp8 TP2", "bf16 TP8 PP2" or "fp8 DP8 EP8": precision and parallel layout of one replica.
    pub fn layout(&self) -> String {
        if self.expert_parallel > 1 {
            return format!(
                "{} DP{} EP{}",
                self.precision.as_str(),
                self.expert_parallel,
                self.expert_parallel
            );
        }
        let pp = if self.pipeline_parallel > 1 {
            format!(" PP{}", self.pipeline_parallel)
        } else {
            String::new()
        };
        format!("{} TP{}{pp}", self.precision.as_str(), self.tensor_parallel)
    }

    pub fn gpus_per_replica(&self) -> u64 {
        self.tensor_parallel * self.pipeline_parallel * self.expert_parallel.max(1)
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
    /// How far the plan is short of memory, when it is: a plan can also fail for want of an
    /// engine's support with its memory fitting (a shortfall under 0.005 GiB is rounding).
    pub fn short_of_memory(&self) -> Option<f64> {
        Some(self.short_by_gib()).filter(|short| *short >= 0.005)
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
    /// Findings about the request as a whole (a context longer than the model's).
    pub findings: Vec<crate::findings::Finding>,
    /// GPUs per node the plans assume.
    pub gpus_per_node: u64,
    /// The assumptions behind the numbers (engine profile, links, formulas), printed with them.
    pub assumptions: Vec<String>,
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
    Report {
        model: shape.id.clone(),
        gpu: gpu.id.to_string(),
        count,
        request: req.clone(),
        plans: plans(shape, gpu, count, req),
        gpus_per_node: topology(gpu, count, req).per_node,
        assumptions: Assumptions::lines(req, gpu, count),
        findings: Vec::new(),
    }
}

/// `fit`'s plans alone, one per precision asked (fitting or not), without the assumptions it
/// prints (a quarter of the cost where only the plans are weighed).
pub fn plans(shape: &Shape, gpu: &Gpu, count: u64, req: &Request) -> Vec<Plan> {
    requested_precisions(shape, gpu, req)
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
        .collect()
}

/// A context longer than the model's usable one fails the request, whatever the memory says:
/// the model does not attend that far (`usable` = what a source shows works, else the claim).
pub fn check_context(report: &mut Report, usable: u64, claimed: u64) {
    use crate::findings::{Code, Finding, Level};
    if usable > 0 && report.request.context > usable {
        let claim = if claimed > usable {
            format!(" (claims {claimed})")
        } else {
            String::new()
        };
        report.findings.push(Finding::new(
            Code::ContextTooShort,
            Level::Fail,
            format!(
                "usable context {usable} tokens{claim} < {} asked",
                report.request.context
            ),
        ));
    }
}

impl Report {
    /// Whether the request can be served as asked: some plan fits and nothing else fails.
    pub fn feasible(&self) -> bool {
        self.plans.iter().any(|p| p.fits)
            && !self
                .findings
                .iter()
                .any(|f| f.level == crate::findings::Level::Fail)
    }
}

/// Tensor-parallel degrees the attention layout allows, ascending, up to `max`.
pub fn tp_candidates(arch: &Arch, max: u64) -> Vec<u64> {
    (1..=max.max(1))
        .filter(|t| arch.attention_heads.is_multiple_of(*t))
        .filter(|t| {
            arch.kv_heads == 0
                || arch.kv_heads.is_multiple_of(*t)
                || t.is_multiple_of(arch.kv_heads)
        })
        .collect()
}

/// The shape facts an engine's overheads depend on.
fn dims(shape: &Shape) -> ModelDims {
    let a = &shape.arch;
    ModelDims {
        hidden: a.hidden_size as f64,
        ffn: a.intermediate_size as f64,
        vocab: a.vocab_size as f64,
        experts_per_token: a.experts_per_token as f64,
        expert_ffn: if a.experts > 0 {
            a.moe_intermediate_size as f64
        } else {
            0.0
        },
        multimodal: shape.multimodal,
    }
}

/// The KV dtype a plan uses: the one asked for, or the engine's default for the weights.
pub fn kv_dtype(req: &Request, gpu: &Gpu, p: Precision) -> KvDtype {
    Profile::of(req).kv_dtype(req.kv_dtype, p, gpu)
}

/// Memory per GPU of a serving layout, the KV bytes one sequence needs per GPU, and the budget the
/// engine gives this layout on one GPU.
#[allow(clippy::too_many_arguments)]
fn serve_memory(
    shape: &Shape,
    gpu: &Gpu,
    req: &Request,
    p: Precision,
    tp: u64,
    pp: u64,
    ep: u64,
    replicas: u64,
) -> (Memory, f64, f64) {
    let profile = Profile::of(req);
    // Expert parallelism splits the routed experts; everything else is whole on every GPU of the
    // group (each runs attention for its own sequences).
    let total = shape.weight_bytes(p);
    let experts = shape.module_bytes(p).experts.min(total);
    let weights = ((total - experts) + experts / ep.max(1) as f64) / (tp * pp) as f64 / GIB;
    let kv_seq = shape
        .kv
        .sequence_bytes_per_rank(req.context, kv_dtype(req, gpu, p).bytes(), tp)
        / pp as f64;
    let per_replica = req.concurrency.div_ceil(replicas.max(1) * ep.max(1));
    let overhead = profile.overhead(gpu, &dims(shape), tp).total();
    let memory = Memory {
        weights,
        kv_cache: kv_seq * per_replica as f64 / GIB,
        overhead,
        ..Memory::default()
    };
    let budget = profile.budget_gib(gpu, tp, weights, overhead);
    (memory, kv_seq, budget)
}

/// FP8 quantization block width (`weight_block_size` [128, 128] in the block-FP8 checkpoints).
pub const FP8_BLOCK: u64 = 128;

/// Why a TP degree splits an MLP or expert of a block-FP8 checkpoint mid-block (vLLM and SGLang
/// refuse: "The output_size of gate's and up's weight = 192 is not divisible by weight
/// quantization block_n = 128"), or None when every slice is whole blocks.
pub fn fp8_block_split(shape: &Shape, req: &Request, p: Precision, tp: u64) -> Option<String> {
    if p != Precision::Fp8 || tp <= 1 || !Profile::of(req).fp8_blocks() {
        return None;
    }
    let a = &shape.arch;
    let dense = a.experts == 0 || a.dense_layers > 0 || a.dense_residual;
    let shared = if a.shared_expert_intermediate_size > 0 {
        a.shared_expert_intermediate_size
    } else {
        a.moe_intermediate_size
    };
    [
        ("FFN", a.intermediate_size, dense),
        ("expert", a.moe_intermediate_size, a.experts > 0),
        ("shared expert", shared, a.experts > 0 && a.shared_experts > 0),
    ]
    .into_iter()
    .filter(|(_, width, present)| *present && *width > 0)
    .find(|(_, width, _)| width % tp != 0 || !(width / tp).is_multiple_of(FP8_BLOCK))
    .map(|(what, width, _)| {
        format!(
            "FP8 blocks: the {what} width {width} / TP {tp} = {} is not a multiple of the {FP8_BLOCK}-wide quantization block (vLLM and SGLang refuse the split)",
            width as f64 / tp as f64
        )
    })
}

/// The GPUs in nodes, as the request (`--gpus-per-node`) or the GPU table says.
pub fn topology(gpu: &Gpu, count: u64, req: &Request) -> Topology {
    Topology::new(gpu, count, req.gpus_per_node)
}

/// The memory of a TP x PP layout, when it fits each GPU (spare GPUs as replicas): the cheap check
/// made before a full plan with its throughput estimate, kept to plan on without computing it again.
#[allow(clippy::too_many_arguments)]
fn fitting_layout(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    p: Precision,
    tp: u64,
    pp: u64,
) -> Option<LayoutMemory> {
    if !topology(gpu, count, req).allows(tp, pp) {
        return None;
    }
    let layout = LayoutMemory::of(shape, gpu, count, req, p, tp, pp, 1);
    layout.fits.then_some(layout)
}

/// Whether a TP x PP x EP layout is what `plan_at` calls fitting (its memory fits each GPU, its
/// replicas stay within the GPUs, engines load it), without the rest of the plan.
#[allow(clippy::too_many_arguments)]
fn memory_fits(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    p: Precision,
    tp: u64,
    pp: u64,
    ep: u64,
) -> bool {
    LayoutMemory::of(shape, gpu, count, req, p, tp, pp, ep).fits
}

/// A serving layout's memory on each GPU and whether it fits: what `plan_at` builds a plan on,
/// and all that `memory_fits` asks.
struct LayoutMemory {
    /// The degrees, at least 1 each.
    tp: u64,
    pp: u64,
    ep: u64,
    replicas: u64,
    memory: Memory,
    /// KV cache bytes of one sequence on one GPU.
    kv_seq: f64,
    budget: f64,
    /// Why engines refuse the split, if they do.
    refused: Option<String>,
    fits: bool,
}

impl LayoutMemory {
    #[allow(clippy::too_many_arguments)]
    fn of(
        shape: &Shape,
        gpu: &Gpu,
        count: u64,
        req: &Request,
        p: Precision,
        tp: u64,
        pp: u64,
        ep: u64,
    ) -> LayoutMemory {
        let (tp, pp, ep) = (tp.max(1), pp.max(1), ep.max(1));
        let replicas = topology(gpu, count, req).replicas(tp * pp * ep).max(1);
        let (memory, kv_seq, budget) = serve_memory(shape, gpu, req, p, tp, pp, ep, replicas);
        let refused = fp8_block_split(shape, req, p, tp);
        let fits =
            memory.total() <= budget && tp * pp * ep * replicas <= count && refused.is_none();
        LayoutMemory {
            tp,
            pp,
            ep,
            replicas,
            memory,
            kv_seq,
            budget,
            refused,
            fits,
        }
    }
}

/// The precisions a request asks for: the one given, or every one that applies.
fn requested_precisions(shape: &Shape, gpu: &Gpu, req: &Request) -> Vec<Precision> {
    match req.precision {
        Some(p) => vec![p],
        None => shape.precisions(gpu, req.task),
    }
}

/// Tensor-parallel degrees a replica can use on these GPUs: what the heads allow, inside one node.
fn node_tps(shape: &Shape, topo: &Topology) -> Vec<u64> {
    tp_candidates(&shape.arch, topo.node_size())
}

/// Layouts with pipeline stages, for models one node's TP group cannot hold: for each TP degree
/// from the largest, the stage counts engines run (whole nodes beyond one node), fewest first.
fn staged_layouts(shape: &Shape, topo: &Topology) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for &tp in node_tps(shape, topo).iter().rev() {
        for pp in 2..=topo.count / tp {
            if topo.allows(tp, pp) {
                out.push((tp, pp));
            }
        }
    }
    out
}

fn serve_plan(shape: &Shape, gpu: &Gpu, count: u64, req: &Request, p: Precision) -> Plan {
    let topo = topology(gpu, count, req);
    if hopeless(shape, gpu, count, req, p) {
        let (tp, pp) = largest_layout(shape, &topo, &staged_layouts(shape, &topo));
        return serve_plan_at(shape, gpu, count, req, p, tp, pp);
    }
    // Among the TP degrees that fit one node, the one with the most capacity (a bigger TP group
    // frees room for KV cache and batches, more replicas multiply throughput); else the largest TP
    // with the fewest pipeline stages that fit (across nodes: whole nodes); else the largest layout
    // these GPUs allow (to say by how much it misses).
    let mut layouts = serve_layouts(shape, gpu, count, req, p);
    layouts.extend(ep_layouts(shape, gpu, count, req, p));
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
    let staged = staged_layouts(shape, &topo);
    let (tp, pp) = staged
        .iter()
        .copied()
        .find(|&(tp, pp)| {
            supports(gpu, p) && fitting_layout(shape, gpu, count, req, p, tp, pp).is_some()
        })
        .unwrap_or_else(|| largest_layout(shape, &topo, &staged));
    serve_plan_at(shape, gpu, count, req, p, tp, pp)
}

/// When nothing fits: the largest layout these GPUs allow, the widest TP group first (the plan
/// then says by how much it misses).
fn largest_layout(shape: &Shape, topo: &Topology, staged: &[(u64, u64)]) -> (u64, u64) {
    let single = node_tps(shape, topo).into_iter().map(|tp| (tp, 1));
    staged
        .iter()
        .copied()
        .chain(single)
        .max_by_key(|&(tp, pp)| (tp * pp, tp))
        .unwrap_or((1, 1))
}

/// Whether no layout can fit: every layout spreads all the weights over at most `count` GPUs
/// (experts split, the rest sharded or whole), so when an even share is more than any GPU's
/// budget, nothing fits. Most probes of the what-would-fit searches end here.
fn hopeless(shape: &Shape, gpu: &Gpu, count: u64, req: &Request, p: Precision) -> bool {
    shape.weight_bytes(p) / count.max(1) as f64 / GIB > Profile::of(req).budget_ceiling_gib(gpu)
}

/// Whether `serve_plan` returns a plan that fits, without planning one: the what-would-fit
/// searches (`remedies`) ask this a dozen times a model, and a plan's throughput estimates were
/// four fifths of `--format json`. A layout `fitting_layout` accepts is one whose plan fits (the same
/// memory, and `allows` keeps replicas x size within the GPUs), so the answer is whether any
/// layout `serve_plan` weighs fits, else whether its fallback plan does.
fn serve_fits(shape: &Shape, gpu: &Gpu, count: u64, req: &Request, p: Precision) -> bool {
    if hopeless(shape, gpu, count, req, p) {
        return false;
    }
    let topo = topology(gpu, count, req);
    let fits =
        |tp, pp| supports(gpu, p) && fitting_layout(shape, gpu, count, req, p, tp, pp).is_some();
    if node_tps(shape, &topo).into_iter().any(|tp| fits(tp, 1))
        || ep_groups(shape, gpu, count, req, p)
            .any(|g| memory_fits(shape, gpu, count, req, p, 1, 1, g))
    {
        return true;
    }
    let staged = staged_layouts(shape, &topo);
    if staged.iter().any(|&(tp, pp)| fits(tp, pp)) {
        return true;
    }
    let (tp, pp) = largest_layout(shape, &topo, &staged);
    memory_fits(shape, gpu, count, req, p, tp, pp, 1)
}

/// Expert-parallel layouts with data-parallel attention that fit, for MoE models on engines that
/// run them (vLLM, SGLang, TensorRT-LLM) over a scale-up link: groups of 2 GPUs up to a node, and
/// whole nodes beyond (experts divided evenly).
fn ep_layouts(shape: &Shape, gpu: &Gpu, count: u64, req: &Request, p: Precision) -> Vec<Plan> {
    ep_groups(shape, gpu, count, req, p)
        .map(|g| LayoutMemory::of(shape, gpu, count, req, p, 1, 1, g))
        .filter(|layout| layout.fits)
        .map(|layout| plan_on(shape, gpu, count, req, p, layout))
        .collect()
}

/// The expert-parallel group sizes `ep_layouts` weighs (fitting or not).
fn ep_groups<'a>(
    shape: &'a Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    p: Precision,
) -> impl Iterator<Item = u64> + 'a {
    let a = &shape.arch;
    let runs = a.experts >= 2
        && supports(gpu, p)
        && has_scale_up_link(gpu)
        && Profile::of(req).expert_parallel();
    let topo = topology(gpu, count, req);
    (2..=if runs { count } else { 0 })
        .filter(move |g| g.is_power_of_two() || g % topo.per_node == 0)
        .filter(move |&g| a.experts.is_multiple_of(g) && topo.replicas(g) >= 1)
}

/// Whether the GPUs have a scale-up link (NVLink, Infinity Fabric, ICI) rather than PCIe only.
pub fn has_scale_up_link(gpu: &Gpu) -> bool {
    gpu.interconnect_gbs > 0.0
}

/// Every tensor-parallel layout inside one node (no pipeline stages) that fits, smallest TP first.
/// Memory is checked before the (costlier) throughput estimate.
fn serve_layouts(shape: &Shape, gpu: &Gpu, count: u64, req: &Request, p: Precision) -> Vec<Plan> {
    if !supports(gpu, p) {
        return Vec::new();
    }
    node_tps(shape, &topology(gpu, count, req))
        .into_iter()
        .filter_map(|tp| fitting_layout(shape, gpu, count, req, p, tp, 1))
        .map(|layout| plan_on(shape, gpu, count, req, p, layout))
        .collect()
}

/// The fitting serving layouts worth weighing against each other (the recommender's choices):
/// precisions from the least lossy, stopping at the first loss rank where anything fits, and for
/// each precision the TP degrees inside a node in ascending order until one replica is `enough`
/// for the load (a larger TP group would only add GPUs); when no TP group of one node holds the
/// model, the staged layout `fit` would plan. Fine-tuning tasks: the fitting plans of `fit`.
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
    let tps = node_tps(shape, &topology(gpu, count, req));
    for rank in 0..=2 {
        let mut options = Vec::new();
        for &p in precisions
            .iter()
            .filter(|p| p.loss_rank() == rank && supports(gpu, **p))
        {
            let before = options.len();
            // TP 1 is always a candidate degree: its layout, sized once, serves both questions.
            let mut one = fitting_layout(shape, gpu, count, req, p, 1, 1);
            let one_fits = one.is_some();
            for &tp in &tps {
                let layout = if tp == 1 {
                    one.take()
                } else {
                    fitting_layout(shape, gpu, count, req, p, tp, 1)
                };
                let Some(layout) = layout else {
                    continue;
                };
                // PCIe-only GPUs: replicas of one GPU each before tensor parallelism.
                if tp > 1 && one_fits && !has_scale_up_link(gpu) {
                    break;
                }
                let plan = plan_on(shape, gpu, count, req, p, layout);
                let done = enough(&plan);
                options.push(plan);
                if done {
                    break;
                }
            }
            // No TP group of one node holds it: the staged (or expert-parallel) plan, planned
            // only when `serve_fits` says it fits (planning a miss was a third of sizing).
            if options.len() == before && serve_fits(shape, gpu, count, req, p) {
                let staged = serve_plan(shape, gpu, count, req, p);
                debug_assert!(staged.fits, "serve_fits is whether serve_plan fits");
                if staged.fits {
                    options.push(staged);
                }
            }
        }
        if !options.is_empty() {
            return options;
        }
    }
    Vec::new()
}

/// A serving plan at a given tensor- and pipeline-parallel layout; spare GPUs become replicas
/// (inside nodes, or whole nodes for a replica larger than one). A layout engines would not be
/// planned with (TP across nodes) is still sized, with a note, so published runs can be compared.
pub fn serve_plan_at(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    p: Precision,
    tp: u64,
    pp: u64,
) -> Plan {
    plan_at(shape, gpu, count, req, p, tp, pp, 1)
}

/// A serving plan with data-parallel attention and the routed experts split over `ep` GPUs
/// (SGLang `--enable-dp-attention --ep-size`, vLLM `--data-parallel-size --enable-expert-parallel`,
/// TensorRT-LLM `enable_attention_dp`): each GPU holds the attention and dense weights whole and
/// caches only its own sequences, so an MLA latent is not replicated.
pub fn serve_plan_ep(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    p: Precision,
    ep: u64,
) -> Plan {
    plan_at(shape, gpu, count, req, p, 1, 1, ep)
}

#[allow(clippy::too_many_arguments)]
fn plan_at(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    p: Precision,
    tp: u64,
    pp: u64,
    ep: u64,
) -> Plan {
    plan_on(
        shape,
        gpu,
        count,
        req,
        p,
        LayoutMemory::of(shape, gpu, count, req, p, tp, pp, ep),
    )
}

/// The plan on a layout whose memory is known.
fn plan_on(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    p: Precision,
    layout: LayoutMemory,
) -> Plan {
    let topo = topology(gpu, count, req);
    let LayoutMemory {
        tp,
        pp,
        ep,
        replicas,
        memory,
        kv_seq,
        budget,
        refused,
        fits,
    } = layout;
    let free = budget - memory.weights - memory.overhead;
    let max_concurrency = if kv_seq > 0.0 && free > 0.0 {
        ((free * GIB / kv_seq).floor() as u64)
            .saturating_mul(replicas)
            .saturating_mul(ep)
    } else {
        0
    };
    let mut notes: Vec<String> = refused.into_iter().collect();
    let kv_heads = shape.kv.kv_heads();
    if kv_heads > 0 && tp > kv_heads {
        notes.push(format!(
            "TP {tp} exceeds the {kv_heads} KV heads: KV heads are replicated"
        ));
    }
    if ep > 1 {
        notes.push(format!(
            "data-parallel attention on each of {ep} GPUs (each caches only its own sequences), routed experts split over them (expert parallel){}",
            if ep > topo.per_node { ", across nodes" } else { "" }
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
    if tp > topo.per_node {
        notes.push(format!(
            "TP {tp} spans nodes of {} GPUs: every all-reduce crosses the network (pick plans pipeline stages across nodes instead)",
            topo.per_node
        ));
    }
    if pp > 1 {
        let nodes = (tp * pp).div_ceil(topo.per_node);
        notes.push(if nodes > 1 {
            format!(
                "{pp} pipeline stages over {nodes} nodes of {} GPUs (TP {tp} inside each)",
                topo.per_node
            )
        } else {
            format!("tensor parallel alone cannot fit: {pp} pipeline stages")
        });
    }
    let kv_elem = kv_dtype(req, gpu, p).bytes();
    // A plan that does not fit serves nothing: no speed is claimed for it.
    let perf = if fits {
        throughput::serve(
            shape,
            gpu,
            p,
            &throughput::Layout {
                tp,
                pp,
                ep,
                replicas,
                per_node: topo.per_node,
            },
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
        expert_parallel: ep,
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

/// Time per output token, seconds, when `batch` sequences of the request's context decode together
/// on one replica of a layout (one sequence walks the pipeline stages in turn; a batch keeps them
/// busy with micro-batches).
#[allow(clippy::too_many_arguments)]
pub fn tpot_s(
    shape: &Shape,
    gpu: &Gpu,
    count: u64,
    req: &Request,
    p: Precision,
    tp: u64,
    pp: u64,
    batch: f64,
) -> f64 {
    let topo = topology(gpu, count, req);
    throughput::tpot_s(
        shape,
        gpu,
        p,
        &throughput::Layout {
            tp,
            pp,
            ep: 1,
            replicas: 1,
            per_node: topo.per_node,
        },
        req,
        kv_dtype(req, gpu, p).bytes(),
        batch,
    )
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
    let stack = stack(req, count);
    let stage = stack.stage();
    let (s, b, h) = (
        req.context as f64,
        req.micro_batch as f64,
        a.hidden_size as f64,
    );
    // Shard what the ZeRO stage shards (stage 1: optimizer, 2: + gradients, 3: + weights).
    let by = |from: u8, bytes: f64| if stage >= from { bytes / n } else { bytes };
    let bytes = stack.state_bytes();
    let adapters = matches!(req.task, Task::Lora | Task::Qlora);
    // The trained parameters and, for adapters, the frozen base.
    let (trained, base) = if adapters {
        (lora_params(a, req.lora_rank), shape.weight_bytes(p))
    } else {
        (shape.params.total(), shape.params.total() * bytes.weights)
    };
    let (mut weights, mut gradients, mut optimizer) = (
        by(
            3,
            base + if adapters {
                trained * bytes.weights
            } else {
                0.0
            },
        ),
        by(2, trained * bytes.gradients),
        by(1, trained * bytes.optimizer),
    );
    // Megatron's distributed optimizer shards the fp32 master copy and Adam states (6 + 12/d).
    match stack.offload {
        Offload::None => {}
        Offload::Optimizer => optimizer = 0.0,
        Offload::Params => (weights, gradients, optimizer) = (0.0, 0.0, 0.0),
    }
    let paged = stack.paged() && optimizer > 0.0;
    if paged {
        optimizer = 0.0;
    }
    // Sharded or offloaded weights are gathered a layer at a time: two layers in flight (and,
    // when the full model trains, one layer's gradients before they are reduce-scattered).
    let layer = shape.weight_bytes(p) / a.layers.max(1) as f64;
    let gather = if (stage >= 3 && count > 1) || stack.offload == Offload::Params {
        layer * if adapters { 2.0 } else { 3.0 }
    } else {
        0.0
    };
    let layer_act = 34.0 * s * b * h;
    let logits = a.vocab_size as f64 * s * b * 4.0 * stack.logits_share();
    let activations = if stack.offloads_activations() {
        layer_act + 2.0 * s * b * h
    } else if req.grad_checkpointing {
        a.layers as f64 * 2.0 * s * b * h + layer_act
    } else {
        a.layers as f64 * layer_act
    } + logits;
    let memory = Memory {
        weights: weights / GIB,
        kv_cache: 0.0,
        overhead: (gradients + optimizer + activations + gather) / GIB
            + Assumptions::TRAIN_RUNTIME_GIB,
        gradients: gradients / GIB,
        optimizer: optimizer / GIB,
        activations: activations / GIB,
    };
    let budget = gpu.usable_gib() * Assumptions::TRAIN_HEADROOM;
    let fits = memory.total() <= budget;
    let perf = if fits {
        throughput::train(shape, gpu, count, req)
    } else {
        Perf::default()
    };
    let mut notes = vec![format!(
        "{} GPUs data-parallel, {}{}",
        count,
        stack.trainer.as_str(),
        match stage {
            0 => String::new(),
            3 => ", weights, gradients and optimizer sharded (ZeRO-3 / FSDP)".into(),
            st => format!(", ZeRO stage {st}"),
        }
    )];
    if adapters {
        notes.push(format!(
            "LoRA rank {}: {:.1}M adapter parameters",
            req.lora_rank,
            trained / 1e6
        ));
    }
    if paged {
        notes.push(format!(
            "{} optimizer states ({:.1} GiB) page to CPU memory when the GPU is full",
            stack.optimizer.as_str(),
            by(1, trained * bytes.optimizer) / GIB
        ));
    }
    if stack.offload != Offload::None {
        notes.push(format!(
            "{} offloaded to CPU memory",
            stack.offload.as_str()
        ));
    }
    Plan {
        precision: p,
        tensor_parallel: 1,
        pipeline_parallel: 1,
        expert_parallel: 1,
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

/// The fine-tuning stack a request asks for on `count` GPUs.
pub fn stack(req: &Request, count: u64) -> Stack {
    Stack {
        trainer: req.trainer,
        optimizer: req.optimizer,
        offload: req.offload,
        zero_stage: req.zero_stage,
        gpus: count,
    }
}

/// What would make a plan that does not fit fit: another precision, more GPUs, a shorter context.
pub fn remedies(shape: &Shape, gpu: &Gpu, count: u64, req: &Request, plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(short) = plan.short_of_memory() {
        out.push(format!(
            "short by {} GiB per GPU",
            crate::units::gib_short(short)
        ));
    }
    let fits = |count: u64, req: &Request, p: Precision| {
        if req.task.is_training() {
            train_plan(shape, gpu, count, req, p).fits
        } else {
            serve_fits(shape, gpu, count, req, p)
        }
    };
    if !req.task.is_training() {
        for p in shape.precisions(gpu, req.task) {
            if p != plan.precision
                && supports(gpu, p)
                && p.linear_bits() < plan.precision.linear_bits()
                && fits(count, req, p)
            {
                out.push(format!("fits at {} on the same GPUs", p.as_str()));
                break;
            }
        }
    } else if req.task != Task::Qlora
        && fits(
            count,
            &Request {
                task: Task::Qlora,
                ..req.clone()
            },
            Precision::Nf4,
        )
    {
        out.push("fits with QLoRA (--task qlora)".into());
    }
    // More GPUs only help a precision this GPU runs, and only in counts a plan can use: any
    // count inside one node, whole nodes beyond it (doubling, then the smallest that fits).
    if supports(gpu, plan.precision) {
        let topo = topology(gpu, count, req);
        // Probed by position, not collected: some 500 counts, of which the search reads a dozen.
        let counts = topo.counts_from(count + 1);
        let len = counts.size_hint().0;
        let count_at = |i: usize| {
            (counts.clone().nth(i)).expect("the search probes positions below the length")
        };
        let fits_on = |i: usize| fits(count_at(i), req, plan.precision);
        // Exponential search for a count that fits, then bisection below it (more GPUs never
        // stop a fit, so the first fitting count is the boundary).
        let (mut lo, mut hi, mut step) = (0usize, None, 1usize);
        while lo < len {
            let i = (lo + step - 1).min(len - 1);
            if fits_on(i) {
                hi = Some(i);
                break;
            }
            lo = i + 1;
            step *= 2;
        }
        if let Some(mut hi) = hi {
            while lo < hi {
                let mid = (lo + hi) / 2;
                if fits_on(mid) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            out.push(format!(
                "fits on {}x {} at {}",
                count_at(hi),
                gpu.id,
                plan.precision.as_str()
            ));
        }
    }
    // The shortest context worth suggesting: below it, a model is of little use.
    const SHORTEST: u64 = 512;
    let fits_with = |context: u64| {
        fits(
            count,
            &Request {
                context,
                ..req.clone()
            },
            plan.precision,
        )
    };
    // Only a shorter context than the one asked for is a remedy, and only when the shortest one
    // worth suggesting fits (asked first: most models that miss, miss at any context).
    if !req.task.is_training() && req.context > SHORTEST && fits_with(SHORTEST) {
        // Largest context (binary search) that fits on these GPUs at this precision.
        let (mut lo, mut hi) = (SHORTEST, req.context);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if fits_with(mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if lo < req.context {
            out.push(format!("fits with context <= {lo} tokens"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// The ceiling `serve_fits` prunes with bounds every engine's budget, at its default share and
    /// at explicit ones, on every GPU.
    #[test]
    fn no_budget_exceeds_the_ceiling_serve_fits_prunes_with() {
        let c = Catalog::embedded();
        let mut checked = 0;
        for engine in crate::engines::Engine::ALL {
            for fraction in [None, Some(0.3), Some(0.95), Some(1.0)] {
                let profile = Profile {
                    engine,
                    memory_fraction: fraction,
                };
                for gpu in &c.gpus {
                    let ceiling = profile.budget_ceiling_gib(gpu);
                    for tp in [1, 2, 4, 8, 16] {
                        for weights in [0.0, 1.0, 30.0, 70.0, 200.0] {
                            for overhead in [0.0, 2.0, 9.0] {
                                let budget = profile.budget_gib(gpu, tp, weights, overhead);
                                assert!(
                                    budget <= ceiling,
                                    "{engine:?} {fraction:?} on {}: {budget} > {ceiling}",
                                    gpu.id
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 10_000);
    }

    /// `serve_fits` answers what a whole plan says: over the catalog's layouts (dense, MoE with
    /// expert parallel, MLA, hybrid), GPUs with and without NVLink and on TPU pods, counts inside
    /// one node and across nodes, short and long contexts, every precision that applies.
    #[test]
    fn serve_fits_is_whether_serve_plan_fits() {
        let c = Catalog::embedded();
        let gpus = [
            "h100-sxm",
            "l4",
            "rtx-4090",
            "mi300x",
            "a100-40gb",
            "tpu-v5e",
        ];
        let (mut fit, mut miss) = (0, 0);
        for m in c.models.iter().step_by(3) {
            let Some(shape) = Shape::from_model(m) else {
                continue;
            };
            for g in gpus {
                let gpu = c.gpu(g).unwrap();
                for count in [1, 2, 3, 8, 16] {
                    for context in [8_192, 131_072] {
                        let req = Request::serve(context);
                        for p in shape.precisions(gpu, req.task) {
                            let want = serve_plan(&shape, gpu, count, &req, p).fits;
                            assert_eq!(
                                serve_fits(&shape, gpu, count, &req, p),
                                want,
                                "{} on {count}x {g}, context {context}, {}",
                                m.id,
                                p.as_str()
                            );
                            if want {
                                fit += 1;
                            } else {
                                miss += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(fit > 500 && miss > 500, "{fit} fitting, {miss} not");
    }

    /// The context remedy is the longest context that fits (one token more does not), from 512
    /// tokens up; it is missing exactly when 512 tokens do not fit.
    #[test]
    fn the_context_remedy_is_the_longest_context_that_fits() {
        let c = Catalog::embedded();
        let (mut named, mut none) = (0, 0);
        for m in c.models.iter().step_by(2) {
            let Some(shape) = Shape::from_model(m) else {
                continue;
            };
            for (g, count) in [("l4", 1), ("a100-80gb", 2), ("h100-sxm", 4)] {
                let gpu = c.gpu(g).unwrap();
                let req = Request::serve(131_072);
                let fits_at = |context: u64, p: Precision| {
                    let req = Request {
                        context,
                        ..req.clone()
                    };
                    serve_fits(&shape, gpu, count, &req, p)
                };
                for plan in fit_explained(&shape, gpu, count, &req).plans {
                    if plan.fits || !supports(gpu, plan.precision) {
                        continue;
                    }
                    let said = plan.remedies.iter().find_map(|r| {
                        r.strip_prefix("fits with context <= ")?
                            .strip_suffix(" tokens")?
                            .parse::<u64>()
                            .ok()
                    });
                    let what = format!("{} on {count}x {g} at {}", m.id, plan.precision.as_str());
                    match said {
                        Some(n) => {
                            assert!(n >= 512 && n < req.context, "{what}: {n}");
                            assert!(fits_at(n, plan.precision), "{what}: {n} fits");
                            assert!(!fits_at(n + 1, plan.precision), "{what}: {n} + 1");
                            named += 1;
                        }
                        None => {
                            assert!(!fits_at(512, plan.precision), "{what}: 512 fits");
                            none += 1;
                        }
                    }
                }
            }
        }
        assert!(
            named > 20 && none > 20,
            "{named} with a context, {none} without"
        );
    }
}
