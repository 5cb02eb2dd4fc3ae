//! What sizing and throughput estimates share: the request (task, precision, context, KV dtype),
//! the weight formats, and a model reduced to its shape (from the catalog or a local config.json).
//! `fit` (memory and plans) and `throughput` (speed) both build on these; neither depends on the
//! other's types.

use crate::arch::{self, KvLayout, Params};
use crate::catalog::{Arch, Dtype, Gpu, Model};

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
}

impl Shape {
    pub fn from_model(m: &Model) -> Option<Shape> {
        let arch = m.arch.clone()?;
        let mut params = arch::params(&arch, m.extra_params_b);
        // The formula covers classic layers; for layer groups it does not model exactly (linear
        // attention, SSM, per-group head sizes) the published count is authoritative, and the
        // formula's split between components is kept.
        if !arch.group.is_empty() || arch.vocab_size == 0 {
            let stated = m.params_exact.map_or(m.params_total_b * 1e9, |e| e as f64);
            params.scale_to(stated);
        }
        Some(Shape {
            id: m.id.clone(),
            kv: arch::kv_layout(&arch),
            params,
            arch,
            native: m.native_dtype.unwrap_or(Dtype::Bf16),
            max_context: m.context_tokens,
            native_bytes: None,
        })
    }

    /// Bytes of all weights at a precision.
    pub fn weight_bytes(&self, p: Precision) -> f64 {
        let p_ = &self.params;
        let sixteen = (p_.embeddings + p_.extra) * 2.0;
        match p {
            Precision::Bf16 => p_.total() * 2.0,
            Precision::Mxfp4 => {
                sixteen + (p_.attention + p_.dense_ffn) * 2.0 + p_.experts * p.linear_bits() / 8.0
            }
            _ => sixteen + p_.linear() * p.linear_bits() / 8.0,
        }
    }

    /// Bytes of weights one decode step reads at batch `b`: everything but the routed experts, plus
    /// the expected share of experts the batch touches, 1 − (1 − k/E)^b per MoE layer.
    pub fn weight_bytes_read(&self, p: Precision, batch: f64) -> f64 {
        let total = self.weight_bytes(p);
        let a = &self.arch;
        if a.experts == 0 || self.params.experts == 0.0 {
            return total - self.params.extra * 2.0;
        }
        let expert_bytes = self.params.experts
            * if p == Precision::Bf16 {
                2.0
            } else {
                p.linear_bits() / 8.0
            };
        let k_over_e = a.experts_per_token as f64 / a.experts as f64;
        let touched = 1.0 - (1.0 - k_over_e).powf(batch.max(1.0));
        total - self.params.extra * 2.0 - expert_bytes * (1.0 - touched)
    }

    /// Precisions that apply to this model on this GPU, in the order plans are listed.
    pub fn precisions(&self, gpu: &Gpu, task: Task) -> Vec<Precision> {
        if task == Task::Qlora {
            return vec![Precision::Nf4];
        }
        if task.is_training() {
            return vec![Precision::Bf16];
        }
        let mut v = Vec::new();
        if self.native == Dtype::Mxfp4 {
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

/// Whether a GPU can run a precision: fp8 needs fp8 tensor cores (Hopper, Ada, Blackwell,
/// CDNA3+, Gaudi 3); integer and 16-bit formats run everywhere.
pub fn supports(gpu: &Gpu, p: Precision) -> bool {
    match p {
        Precision::Fp8 => gpu.fp8_tflops > 0.0,
        _ => true,
    }
}
