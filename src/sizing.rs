//! What sizing and throughput estimates share: the request (task, precision, context, KV dtype),
//! the weight formats, and a model reduced to its shape (from the catalog or a local config.json).
//! `fit` (memory and plans) and `throughput` (speed) both build on these; neither depends on the
//! other's types.

use crate::arch::{self, KvLayout, Params};
use crate::catalog::{Arch, CheckpointPrecision, Dtype, Gpu, LayerKind, Modality, Model, Text};
use crate::engines::Engine;
use crate::training::{Offload, Optimizer, Trainer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Serve,
    Lora,
    Qlora,
    Full,
    Pretrain,
}

impl Task {
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Serve => "serve",
            Task::Lora => "lora",
            Task::Qlora => "qlora",
            Task::Full => "full",
            Task::Pretrain => "pretrain",
        }
    }
    pub fn is_training(self) -> bool {
        self != Task::Serve
    }
}

/// Weight formats a plan can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    Bf16,
    Fp8,
    Int8,
    Int4,
    /// MXFP4 experts with the rest in bf16: how gpt-oss ships.
    Mxfp4,
    /// NF4 base weights (QLoRA).
    Nf4,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Bf16 => "bf16",
            Precision::Fp8 => "fp8",
            Precision::Int8 => "int8",
            Precision::Int4 => "int4",
            Precision::Mxfp4 => "mxfp4",
            Precision::Nf4 => "nf4",
        }
    }

    /// Bits per weight of quantized linear layers (embeddings and non-decoder parts stay 16-bit).
    /// int4: AWQ/GPTQ group-128 with fp16 scales and zeros ≈ 4.25 bpw; NF4 with double
    /// quantization 4.127 bpw (Dettmers et al.); MXFP4 4.25 bpw (vLLM gpt-oss blog).
    pub fn linear_bits(self) -> f64 {
        match self {
            Precision::Bf16 => 16.0,
            Precision::Fp8 | Precision::Int8 => 8.0,
            Precision::Int4 | Precision::Mxfp4 => 4.25,
            Precision::Nf4 => 4.127,
        }
    }

    /// Quality rank: 0 for formats a vendor ships or that are near-lossless, higher is lossier.
    pub fn loss_rank(self) -> u8 {
        match self {
            Precision::Bf16 | Precision::Mxfp4 | Precision::Fp8 => 0,
            Precision::Int8 => 1,
            Precision::Int4 | Precision::Nf4 => 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KvDtype {
    Auto,
    Bf16,
    Fp8,
}

impl KvDtype {
    /// Bytes per cached element. `auto` is what engines do by default, a 16-bit cache (vLLM's
    /// `kv_cache_dtype=auto` follows the model dtype); fp8 only when asked.
    pub fn bytes(self) -> f64 {
        match self {
            KvDtype::Fp8 => 1.0,
            KvDtype::Bf16 | KvDtype::Auto => 2.0,
        }
    }
}

/// What to size.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub task: Task,
    /// None = every precision that applies (auto).
    pub precision: Option<Precision>,
    pub context: u64,
    pub concurrency: u64,
    pub kv_dtype: KvDtype,
    pub micro_batch: u64,
    pub grad_checkpointing: bool,
    pub lora_rank: u64,
    pub zero_stage: u8,
    /// Input tokens per generated token, for throughput and cost (1.0: as many in as out).
    pub input_ratio: f64,
    /// GPUs per node (the scale-up domain); None: the GPU table's `gpus_per_node`.
    pub gpus_per_node: Option<u64>,
    /// The serving engine whose memory model, KV default and kernels apply.
    pub engine: Engine,
    /// The engine's memory share when set explicitly (vLLM `--gpu-memory-utilization`, SGLang
    /// `--mem-fraction-static`, TensorRT-LLM `kv_cache_free_gpu_mem_fraction`); None: its default.
    pub memory_fraction: Option<f64>,
    /// Fine-tuning: the training framework, optimizer and what is offloaded to CPU memory.
    pub trainer: Trainer,
    pub optimizer: Optimizer,
    pub offload: Offload,
}

/// Default serving context when none is given: a typical chat/RAG request, not the model maximum
/// (a 128K KV cache per sequence would rule out most single-node deployments nobody runs that way).
pub const DEFAULT_SERVE_CONTEXT: u64 = 8192;
/// Default fine-tuning sequence length.
pub const DEFAULT_TRAIN_CONTEXT: u64 = 4096;

impl Request {
    pub fn serve(context: u64) -> Request {
        Request {
            task: Task::Serve,
            precision: None,
            context,
            concurrency: 1,
            kv_dtype: KvDtype::Auto,
            micro_batch: 1,
            grad_checkpointing: true,
            lora_rank: 16,
            zero_stage: 3,
            input_ratio: 1.0,
            gpus_per_node: None,
            engine: Engine::Vllm,
            memory_fraction: None,
            trainer: Trainer::Hf,
            optimizer: Optimizer::AdamW,
            offload: Offload::None,
        }
    }
}

/// A model reduced to what sizing needs (from the catalog or a local config.json).
#[derive(Debug, Clone)]
pub struct Shape {
    pub id: String,
    pub arch: Arch,
    pub params: Params,
    pub kv: KvLayout,
    pub native: Dtype,
    pub max_context: u64,
    /// Exact weight bytes of the native checkpoint when known (safetensors index).
    pub native_bytes: Option<f64>,
    /// Precision of the official checkpoint per module group, when not uniform (catalog).
    pub checkpoint: Option<CheckpointFormat>,
    /// Takes images (a vision encoder runs beside the decoder).
    pub multimodal: bool,
}

/// Weight bytes by module group at one precision.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ModuleBytes {
    pub embeddings: f64,
    pub attention: f64,
    pub dense_ffn: f64,
    pub experts: f64,
    pub extra: f64,
}

impl ModuleBytes {
    pub fn total(&self) -> f64 {
        self.embeddings + self.attention + self.dense_ffn + self.experts + self.extra
    }
}

/// Bits per weight of a checkpoint module dtype (`[model.checkpoint_precision]` values): block
/// FP8 keeps one fp32 scale per 128 x 128 block, MXFP4 one 8-bit scale per 32 (4.25), NVFP4 one
/// FP8 scale per 16 (4.5), int4 group-32 with a 16-bit scale (4.5, how Kimi's INT4 QAT ships).
fn module_bits(dtype: &str) -> Option<f64> {
    Some(match dtype {
        "bf16" | "fp16" => 16.0,
        "fp8" => 8.0,
        "fp8-block" => 8.0 + 32.0 / (128.0 * 128.0),
        "mxfp4" => 4.25,
        "nvfp4" => 4.5,
        "int4" => 4.5,
        _ => return None,
    })
}

/// The official checkpoint's module formats (`[model.checkpoint_precision]`), read once from their
/// dtype names: sizing asks for them thousands of times a query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckpointFormat {
    /// Bits per weight of each module group; None where not stated (or not a known dtype).
    pub attention: Option<f64>,
    pub experts: Option<f64>,
    pub dense_mlp: Option<f64>,
    pub embeddings: Option<f64>,
    /// The bits of the groups not stated: the experts' where they are stated, else attention's.
    pub main: Option<f64>,
    /// The precision it is served as (its lowest-bit quantized group), if any group is quantized.
    pub precision: Option<Precision>,
    /// The safetensors index's `metadata.total_size`.
    pub total_bytes: Option<u64>,
}

impl CheckpointFormat {
    pub fn of(c: &CheckpointPrecision) -> CheckpointFormat {
        let bits = |d: &Option<Text>| d.as_deref().and_then(module_bits);
        CheckpointFormat {
            attention: bits(&c.attention),
            experts: bits(&c.experts),
            dense_mlp: bits(&c.dense_mlp),
            embeddings: bits(&c.embeddings),
            main: c
                .experts
                .as_deref()
                .or(c.attention.as_deref())
                .and_then(module_bits),
            precision: [&c.experts, &c.dense_mlp, &c.attention]
                .into_iter()
                .flatten()
                .filter_map(|d| Some((module_bits(d)?, dtype_precision(d)?)))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, p)| p),
            total_bytes: c.total_bytes,
        }
    }
}

/// The plan precision a checkpoint dtype is served as.
fn dtype_precision(dtype: &str) -> Option<Precision> {
    Some(match dtype {
        "fp8" | "fp8-block" => Precision::Fp8,
        "mxfp4" | "nvfp4" => Precision::Mxfp4,
        "int4" => Precision::Int4,
        _ => return None,
    })
}

impl Shape {
    pub fn from_model(m: &Model) -> Option<Shape> {
        let arch = m.arch.clone()?;
        let mut params = arch::params(&arch, m.extra_params_b);
        // The formula covers classic layers; for layer groups it does not model exactly (linear
        // attention, SSM, per-group head sizes) the published count is authoritative, and the
        // formula's split between components is kept. Groups of full, sliding and chunked
        // attention with the model's own head sizes are classic layers.
        let classic = arch.group.iter().all(|g| {
            matches!(
                g.kind,
                None | Some(LayerKind::Full | LayerKind::Sliding | LayerKind::Chunked)
            ) && g.kv_heads.is_none_or(|h| h == arch.kv_heads)
                && g.head_dim.is_none_or(|d| d == arch.head_dim)
        });
        if !classic || arch.vocab_size == 0 {
            let stated = m.params_exact.map_or(m.params_total_b * 1e9, |e| e as f64);
            params.scale_to(stated);
        }
        Some(Shape {
            id: m.id.to_string(),
            kv: arch::kv_layout(&arch),
            params,
            arch,
            native: m.native_dtype.unwrap_or(Dtype::Bf16),
            max_context: m.context_tokens,
            native_bytes: None,
            checkpoint: m.checkpoint_precision.as_ref().map(CheckpointFormat::of),
            multimodal: m.modalities.contains(&Modality::Vision),
        })
    }

    /// The precision the official checkpoint is served as (its lowest-bit module group).
    pub fn native_precision(&self) -> Precision {
        if let Some(p) = self.checkpoint.and_then(|c| c.precision) {
            return p;
        }
        match self.native {
            Dtype::Fp8 => Precision::Fp8,
            Dtype::Mxfp4 | Dtype::Nvfp4 => Precision::Mxfp4,
            Dtype::Int4 => Precision::Int4,
            Dtype::Bf16 | Dtype::Fp16 | Dtype::Fp32 => Precision::Bf16,
        }
    }

    /// Weight bytes by module group at a precision. At the official checkpoint's precision the
    /// checkpoint's own per-module dtypes apply (FP8 and FP4 releases often keep attention,
    /// embeddings or dense layers in bf16); elsewhere linear layers take the precision and
    /// embeddings, output head and extras stay 16-bit (MXFP4: experts only).
    pub fn module_bytes(&self, p: Precision) -> ModuleBytes {
        let q = &self.params;
        if let Some(c) = self.checkpoint.filter(|_| p == self.native_precision()) {
            let main = c.main.unwrap_or(p.linear_bits());
            let bits = |b: Option<f64>| b.unwrap_or(main);
            return ModuleBytes {
                embeddings: q.embeddings * bits(c.embeddings) / 8.0,
                attention: q.attention * bits(c.attention) / 8.0,
                dense_ffn: q.dense_ffn * bits(c.dense_mlp) / 8.0,
                experts: q.experts * bits(c.experts) / 8.0,
                extra: q.extra * 2.0,
            };
        }
        let linear = p.linear_bits() / 8.0;
        let (attention, dense_ffn) = match p {
            Precision::Bf16 | Precision::Mxfp4 => (2.0, 2.0),
            _ => (linear, linear),
        };
        ModuleBytes {
            embeddings: q.embeddings * 2.0,
            attention: q.attention * attention,
            dense_ffn: q.dense_ffn * dense_ffn,
            experts: q.experts * linear,
            extra: q.extra * 2.0,
        }
    }

    /// Bytes of all weights at a precision: the safetensors index's exact total (local folder, or
    /// the catalog's `checkpoint_precision.total_bytes`) at the checkpoint's own precision, else
    /// the sum by module group.
    pub fn weight_bytes(&self, p: Precision) -> f64 {
        if p == self.native_precision() {
            let exact = self.native_bytes.or_else(|| {
                self.checkpoint
                    .and_then(|c| c.total_bytes)
                    .map(|b| b as f64)
            });
            if let Some(b) = exact.filter(|b| *b > 0.0) {
                return b;
            }
        }
        self.module_bytes(p).total()
    }

    /// Bytes of weights one decode step reads at batch `b` (`m`: this shape's `module_bytes` at
    /// the precision served), in two parts: what every step reads whole (the output head, not the
    /// input embedding table, of which a step reads one row per token; attention and dense
    /// layers), and the expected share of routed experts the batch touches, 1 − (1 − k/E)^b per
    /// MoE layer. Extras outside the decoder (vision tower, MTP layer) are not read.
    pub fn weight_bytes_read(&self, m: &ModuleBytes, batch: f64) -> (f64, f64) {
        let head = if self.arch.tied_embeddings {
            m.embeddings
        } else {
            m.embeddings / 2.0
        };
        (
            head + m.attention + m.dense_ffn,
            m.experts * self.experts_touched_share(batch),
        )
    }

    /// Share of routed experts a batch of `b` sequences touches per MoE layer: 1 − (1 − k/E)^b.
    pub fn experts_touched_share(&self, batch: f64) -> f64 {
        let a = &self.arch;
        if a.experts == 0 {
            return 1.0;
        }
        let k_over_e = (a.experts_per_token as f64 / a.experts as f64).min(1.0);
        1.0 - (1.0 - k_over_e).powf(batch.max(1.0))
    }

    /// Precisions that apply to this model on this GPU, in the order plans are listed: the
    /// official checkpoint's own format first when it is quantized, then bf16, 8-bit (FP8, as
    /// weight-only W8A16 on GPUs without FP8 compute; int8 where no FP8 kernel exists), int4.
    pub fn precisions(&self, gpu: &Gpu, task: Task) -> Vec<Precision> {
        if task == Task::Qlora {
            return vec![Precision::Nf4];
        }
        if task.is_training() {
            return vec![Precision::Bf16];
        }
        let mut v = Vec::new();
        let native = self.native_precision();
        if native == Precision::Mxfp4 {
            v.push(Precision::Mxfp4);
        }
        v.push(Precision::Bf16);
        if supports(gpu, Precision::Fp8) {
            v.push(Precision::Fp8);
        } else {
            v.push(Precision::Int8);
        }
        v.push(Precision::Int4);
        v
    }
}

/// Whether a GPU can run a precision: FP8 natively with FP8 tensor cores (Hopper, Ada, Blackwell,
/// CDNA3+, Gaudi 3), and as weight-only W8A16 on NVIDIA GPUs without them (vLLM's FP8 Marlin
/// kernel, compute capability 8.0+); integer, MXFP4 and 16-bit formats run everywhere (MXFP4 and
/// int4 as weight-only kernels where the GPU lacks FP4).
pub fn supports(gpu: &Gpu, p: Precision) -> bool {
    match p {
        Precision::Fp8 => gpu.fp8_tflops > 0.0 || gpu.vendor.eq_ignore_ascii_case("nvidia"),
        _ => true,
    }
}

/// Whether a precision runs as a weight-only kernel on a GPU (weights dequantized to bf16 before
/// every matrix multiply): slower per byte than native formats.
pub fn weight_only(gpu: &Gpu, p: Precision) -> bool {
    match p {
        Precision::Bf16 => false,
        Precision::Fp8 => gpu.fp8_tflops <= 0.0,
        Precision::Mxfp4 => gpu.fp4_tflops <= 0.0,
        Precision::Int8 | Precision::Int4 | Precision::Nf4 => true,
    }
}
