//! Serving-engine profiles: what `--engine vllm|sglang|trtllm|llamacpp|ollama|tgi` changes in an
//! estimate. Each engine reserves memory its own way (a share of total memory, a share of what is
//! free after the weights, or nothing), profiles activations at its own batch limits, keeps the KV
//! cache in its own default dtype and runs MoE kernels of different efficiency at small batch.
//!
//! Every constant is stated in `Profile::lines` with its source; the defaults are the engines' own
//! (read from their source and documentation), the efficiencies are fitted to the published runs in
//! `tests/estimates.rs`.

use crate::catalog::{Gpu, GIB};
use crate::sizing::{KvDtype, Precision};

/// A serving engine. `--engine` names one; without it sizing uses vLLM's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    #[default]
    Vllm,
    Sglang,
    Trtllm,
    Llamacpp,
    Ollama,
    Tgi,
}

impl Engine {
    pub const ALL: [Engine; 6] = [
        Engine::Vllm,
        Engine::Sglang,
        Engine::Trtllm,
        Engine::Llamacpp,
        Engine::Ollama,
        Engine::Tgi,
    ];

    /// The catalog's key for the engine (`[family.serving]`).
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Vllm => "vllm",
            Engine::Sglang => "sglang",
            Engine::Trtllm => "trtllm",
            Engine::Llamacpp => "llamacpp",
            Engine::Ollama => "ollama",
            Engine::Tgi => "tgi",
        }
    }

    pub fn parse(s: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// How the engine reserves memory.
    fn reserve(self) -> Reserve {
        match self {
            Engine::Vllm => Reserve::ShareOfTotal(0.90),
            Engine::Sglang => Reserve::SglangStatic,
            Engine::Trtllm => Reserve::ShareOfFree(0.90),
            Engine::Llamacpp | Engine::Ollama => Reserve::Exact,
            Engine::Tgi => Reserve::ShareOfTotal(1.0),
        }
    }

    /// Whether the engine is a CUDA-graph engine (vLLM, SGLang, TensorRT-LLM, TGI) rather than
    /// llama.cpp's one-kernel-at-a-time graph.
    fn graphs(self) -> bool {
        !matches!(self, Engine::Llamacpp | Engine::Ollama)
    }
}

/// How an engine decides what the KV cache may use.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reserve {
    /// A share of total memory holds weights, activations and cache (vLLM
    /// `gpu_memory_utilization` 0.90; TGI `--cuda-memory-fraction` 1.0).
    ShareOfTotal(f64),
    /// SGLang `mem_fraction_static`, derived from the GPU's memory and the batch limits.
    SglangStatic,
    /// A share of the memory free after weights and activations (TensorRT-LLM
    /// `kv_cache_free_gpu_mem_fraction` 0.90).
    ShareOfFree(f64),
    /// llama.cpp allocates the cache it is asked for (n_ctx x n_parallel), nothing more.
    Exact,
}

/// What a profile reserves besides weights and cache on one GPU, GiB.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Overhead {
    /// Activation peak of the engine's profiling forward pass at its batched-token limit.
    pub activations: f64,
    /// Logits and sampling buffers sized by the sequence limit.
    pub sampler: f64,
    /// Fused-MoE intermediate buffers at the batched-token limit.
    pub moe_workspace: f64,
    /// Vision encoder activations and encoder-output cache (multimodal models).
    pub vision: f64,
    pub cuda_graphs: f64,
    /// CUDA context, cuBLAS workspaces, NCCL and custom all-reduce buffers.
    pub non_torch: f64,
}

impl Overhead {
    pub fn total(&self) -> f64 {
        self.activations
            + self.sampler
            + self.moe_workspace
            + self.vision
            + self.cuda_graphs
            + self.non_torch
    }
}

/// The shape facts overheads depend on, per model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelDims {
    pub hidden: f64,
    /// Dense FFN width (0 for a model whose every layer is MoE).
    pub ffn: f64,
    pub vocab: f64,
    pub experts_per_token: f64,
    /// Width of one routed expert (0: dense).
    pub expert_ffn: f64,
    pub multimodal: bool,
}

/// The profile of one engine on one GPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub engine: Engine,
    /// The engine's memory share when set explicitly; None: its default.
    pub memory_fraction: Option<f64>,
}

impl Profile {
    pub fn new(engine: Engine) -> Profile {
        Profile {
            engine,
            memory_fraction: None,
        }
    }

    /// The profile a request asks for (engine and any explicit memory share).
    pub fn of(req: &crate::sizing::Request) -> Profile {
        Profile {
            engine: req.engine,
            memory_fraction: req.memory_fraction.filter(|f| *f > 0.0 && *f <= 1.0),
        }
    }

    /// Tokens in one forward pass (the profiling pass and a prefill chunk). vLLM's API server:
    /// 8192 on GPUs with >= 70 GiB other than A100, else 2048 (`EngineArgs.get_batch_defaults`).
    /// SGLang `chunked_prefill_size`: 4096 below 60 GB, 8192 below 160 GB, 16384 above
    /// (`ServerArgs._handle_gpu_memory_settings`). TensorRT-LLM `max_num_tokens` 8192;
    /// llama.cpp `n_ubatch` 512; TGI `--max-batch-prefill-tokens` 4096.
    pub fn max_batched_tokens(&self, gpu: &Gpu) -> f64 {
        let gib = gpu.usable_gib();
        match self.engine {
            Engine::Vllm => {
                if large_vllm_gpu(gpu) {
                    8192.0
                } else {
                    2048.0
                }
            }
            Engine::Sglang => {
                if gib < 56.0 {
                    4096.0
                } else if gib < 149.0 {
                    8192.0
                } else {
                    16384.0
                }
            }
            Engine::Trtllm => 8192.0,
            Engine::Llamacpp | Engine::Ollama => 512.0,
            Engine::Tgi => 4096.0,
        }
    }

    /// Sequences in flight per replica. vLLM `max_num_seqs`: 1024 on GPUs with >= 70 GiB other
    /// than A100, else 256. TensorRT-LLM: 512, the batch at which its published tables are
    /// reproduced (its LLM API allows 2048). SGLang: 512 (its CUDA-graph limit
    /// `cuda_graph_max_bs` on large GPUs). llama.cpp:
    /// its server's default 4 slots (`--parallel`, auto). TGI: 256 (assumed as vLLM's).
    pub fn max_seqs(&self, gpu: &Gpu) -> f64 {
        match self.engine {
            Engine::Vllm => {
                if large_vllm_gpu(gpu) {
                    1024.0
                } else {
                    256.0
                }
            }
            Engine::Sglang | Engine::Trtllm => 512.0,
            Engine::Llamacpp | Engine::Ollama => 4.0,
            Engine::Tgi => 256.0,
        }
    }

    /// The KV cache dtype when `--kv-dtype auto`: vLLM, SGLang, TGI and llama.cpp keep the model's
    /// 16-bit dtype; TensorRT-LLM's FP8 checkpoints (ModelOpt) carry an FP8 cache, so FP8 and FP4
    /// weights on GPUs with FP8 compute come with an FP8 cache.
    pub fn kv_dtype(&self, asked: KvDtype, p: Precision, gpu: &Gpu) -> KvDtype {
        match asked {
            KvDtype::Auto
                if self.engine == Engine::Trtllm
                    && gpu.fp8_tflops > 0.0
                    && matches!(p, Precision::Fp8 | Precision::Mxfp4) =>
            {
                KvDtype::Fp8
            }
            KvDtype::Auto => KvDtype::Bf16,
            other => other,
        }
    }

    /// Whether FP8 plans need each rank's slice of an MLP or expert to be a whole number of
    /// 128-wide quantization blocks: vLLM and SGLang load the vendors' block-FP8 checkpoints
    /// (DeepSeek, Qwen3, Kimi, MiniMax: `weight_block_size` [128, 128]) and refuse other splits
    /// ("The output_size of gate's and up's weight = 192 is not divisible by weight quantization
    /// block_n = 128"); TensorRT-LLM's ModelOpt FP8 checkpoints are per-tensor.
    pub fn fp8_blocks(&self) -> bool {
        matches!(self.engine, Engine::Vllm | Engine::Sglang)
    }

    /// Whether the engine runs expert parallelism with data-parallel attention (vLLM, SGLang,
    /// TensorRT-LLM; not llama.cpp, Ollama or TGI).
    pub fn expert_parallel(&self) -> bool {
        matches!(self.engine, Engine::Vllm | Engine::Sglang | Engine::Trtllm)
    }

    /// Memory one GPU may use for weights, cache and overheads, GiB, given the weights and
    /// overheads it holds: what the engine's reservation rule leaves.
    pub fn budget_gib(&self, gpu: &Gpu, tp: u64, weights: f64, overhead: f64) -> f64 {
        let usable = gpu.usable_gib();
        match self.engine.reserve() {
            Reserve::ShareOfTotal(f) => usable * self.memory_fraction.unwrap_or(f),
            Reserve::SglangStatic => {
                usable
                    * self
                        .memory_fraction
                        .unwrap_or_else(|| self.sglang_fraction(gpu, tp))
            }
            // The cache gets the share of what is free once weights and activations are in.
            Reserve::ShareOfFree(f) => {
                let free = (usable - weights - overhead).max(0.0);
                (weights + overhead + free * self.memory_fraction.unwrap_or(f)).min(usable)
            }
            Reserve::Exact => usable - Self::LLAMACPP_HEADROOM_GIB,
        }
    }

    /// What no layout's `budget_gib` exceeds on `gpu`: its usable memory (an explicit share is at
    /// most 1). A bound the what-would-fit searches prune with.
    pub fn budget_ceiling_gib(&self, gpu: &Gpu) -> f64 {
        gpu.usable_gib()
    }

    /// SGLang's `mem_fraction_static` (weights + KV pool share of total memory): total less
    /// 512 MB + 1.5 x chunked-prefill tokens + 2 x CUDA-graph batch + TP/8 GB (MB), at least 10 GB
    /// reserved on GPUs above 60 GB.
    pub fn sglang_fraction(&self, gpu: &Gpu, tp: u64) -> f64 {
        let mb = gpu.usable_gib() * 1024.0;
        let graph_bs = if gpu.usable_gib() < 56.0 {
            if tp < 4 {
                32.0
            } else {
                160.0
            }
        } else if gpu.usable_gib() < 149.0 && tp < 4 {
            256.0
        } else {
            512.0
        };
        let mut reserved = 512.0
            + self.max_batched_tokens(gpu).max(2048.0) * 1.5
            + graph_bs * 2.0
            + tp as f64 / 8.0 * 1024.0;
        if mb > 60.0 * 1024.0 {
            reserved = reserved.max(10.0 * 1024.0);
        }
        ((mb - reserved) / mb).clamp(0.1, 1.0)
    }

    /// What the engine holds besides weights and cache on one GPU of a TP group.
    pub fn overhead(&self, gpu: &Gpu, d: &ModelDims, tp: u64) -> Overhead {
        let t = self.max_batched_tokens(gpu);
        let tpf = tp.max(1) as f64;
        let non_torch = self.non_torch_gib(gpu, tp);
        // SGLang keeps activations, sampling and graphs in the share it leaves outside
        // `mem_fraction_static`; only what is allocated before (non-torch) counts inside.
        if self.engine.reserve() == Reserve::SglangStatic {
            return Overhead {
                non_torch,
                vision: if d.multimodal { vision_gib(t, d) } else { 0.0 },
                ..Overhead::default()
            };
        }
        let activations = t * (2.0 * d.ffn / tpf + 4.0 * d.hidden) * 2.0 * 1.2 / GIB;
        let moe_workspace = if d.expert_ffn > 0.0 {
            t * d.experts_per_token * (3.0 * d.expert_ffn / tpf + d.hidden) * 2.0 / GIB
        } else {
            0.0
        };
        let sampler = match self.engine {
            // Logits, probabilities and log-probabilities in fp32 for every sequence slot.
            Engine::Vllm | Engine::Tgi => self.max_seqs(gpu) * d.vocab * 12.0 / GIB,
            // One fp32 logits buffer per sequence slot.
            Engine::Trtllm => self.max_seqs(gpu) * d.vocab * 4.0 / GIB,
            // The output buffer of one micro-batch.
            _ => t * d.vocab * 4.0 / GIB,
        };
        Overhead {
            activations,
            sampler,
            moe_workspace,
            vision: if d.multimodal { vision_gib(t, d) } else { 0.0 },
            cuda_graphs: if self.engine.graphs() {
                Self::CUDA_GRAPHS_GIB
            } else {
                0.0
            },
            non_torch,
        }
    }

    /// Memory outside PyTorch's allocator: CUDA context and cuBLAS workspaces (0.3 GiB measured on
    /// 24-48 GB cards; 1.8 GiB on 80 GB Hopper cards, vLLM PR #10511's log), plus, when a TP group
    /// shares an NVLink-class link, NCCL and custom all-reduce buffers (+1.8 GiB at TP2 in the same
    /// log; 2.10 GiB in all at TP8 on A100-40GB). PCIe-only groups add little (0.25 GiB in all at
    /// TP2 on RTX 4090s, vLLM issue #13061). llama.cpp: its CUDA context, 0.3 GiB.
    pub fn non_torch_gib(&self, gpu: &Gpu, tp: u64) -> f64 {
        let base = if gpu.usable_gib() >= 70.0 && self.engine.graphs() {
            Self::NON_TORCH_LARGE_GIB
        } else {
            Self::NON_TORCH_GIB
        };
        let links = if tp > 1 && gpu.interconnect_gbs > 0.0 && self.engine.graphs() {
            Self::NON_TORCH_NVLINK_TP_GIB
        } else {
            0.0
        };
        base + links
    }

    /// Per-layer fixed cost relative to the GPU table's `layer_overhead_us` (measured with
    /// llama.cpp, which launches every kernel): CUDA-graph engines replay a captured decode step,
    /// 0.65 of it (fitted: Qwen3-8B on one H100 decodes at 7.4 ms/token in vLLM).
    pub fn layer_overhead_factor(&self) -> f64 {
        if self.engine.graphs() {
            0.65
        } else {
            1.0
        }
    }

    /// (Token, expert) pairs per layer and GPU at which a fused-MoE kernel reaches half its
    /// streaming bandwidth: little work (small batch, or expert slices split by TP) leaves the GPU
    /// idle.
    /// vLLM's Triton fused-MoE: 16 (fitted to Qwen3-30B-A3B on A100 at one request, 9.6 ms per
    /// token); SGLang's and TensorRT-LLM's low-latency MoE kernels: 2 (fitted to SGLang on B200
    /// and H200). llama.cpp and TGI: as vLLM (assumed).
    pub fn moe_half_experts(&self) -> f64 {
        match self.engine {
            Engine::Sglang | Engine::Trtllm => 2.0,
            _ => 16.0,
        }
    }

    /// Share of the decode roofline the engine sustains under full load (scheduling, batch gaps,
    /// prefill interference): TensorRT-LLM 0.85 (fitted to its performance-overview tables);
    /// vLLM 0.62 (fitted to GPUStack's fixed-length vLLM runs on H100 and A100); SGLang 0.70
    /// (assumed between the two; GPUStack's fixed-length SGLang run reads 1.38x the model);
    /// llama.cpp and Ollama 0.40 (assumed: a few server slots, no CUDA graphs); TGI as vLLM.
    pub fn load_efficiency(&self) -> f64 {
        match self.engine {
            Engine::Trtllm => 0.85,
            Engine::Sglang => 0.70,
            Engine::Vllm | Engine::Tgi => 0.62,
            Engine::Llamacpp | Engine::Ollama => 0.40,
        }
    }

    /// CUDA-graph memory (vLLM logs 0.3-0.6 GiB).
    pub const CUDA_GRAPHS_GIB: f64 = 0.5;
    /// CUDA context and workspaces on cards below 70 GiB.
    pub const NON_TORCH_GIB: f64 = 0.3;
    /// ... on 80 GB-class cards and larger.
    pub const NON_TORCH_LARGE_GIB: f64 = 1.8;
    /// NCCL and custom all-reduce buffers of a TP group on a scale-up link.
    pub const NON_TORCH_NVLINK_TP_GIB: f64 = 1.8;
    /// llama.cpp has no utilization share: keep this much free for the driver and fragmentation.
    pub const LLAMACPP_HEADROOM_GIB: f64 = 0.5;

    /// The profile's constants, for the assumptions `pick fit` prints.
    pub fn lines(&self, gpu: &Gpu) -> Vec<String> {
        let e = self.engine.as_str();
        let share = |default: f64| self.memory_fraction.unwrap_or(default) * 100.0;
        let reserve = match self.engine.reserve() {
            Reserve::ShareOfTotal(f) => format!(
                "{}% of GPU memory holds weights, overheads and cache",
                share(f)
            ),
            Reserve::SglangStatic => format!(
                "mem_fraction_static {:.3} of GPU memory holds weights and cache (total less 512 MB + 1.5 x chunked-prefill tokens + 2 x CUDA-graph batch + TP/8 GB, in MB, at least 10 GB on cards above 60 GB); activations, sampling and graphs live outside it",
                self.memory_fraction.unwrap_or_else(|| self.sglang_fraction(gpu, 1))
            ),
            Reserve::ShareOfFree(f) => format!(
                "the cache gets {}% of the memory free after weights and activations (kv_cache_free_gpu_mem_fraction)",
                share(f)
            ),
            Reserve::Exact => format!(
                "the cache it is asked for (n_ctx x parallel sequences), {} GiB left free",
                Self::LLAMACPP_HEADROOM_GIB
            ),
        };
        let non_torch = format!(
            "non-torch {} GiB ({} GiB on 80 GB-class cards){}",
            Self::NON_TORCH_GIB,
            Self::NON_TORCH_LARGE_GIB,
            if self.engine.graphs() {
                format!(
                    " + {} GiB for a TP group on NVLink",
                    Self::NON_TORCH_NVLINK_TP_GIB
                )
            } else {
                String::new()
            }
        );
        let overheads = match self.engine {
            Engine::Sglang => format!(
                "{non_torch} inside the share; vision encoder of multimodal models (tokens x hidden x 16 B)"
            ),
            _ => format!(
                "activation peak of a {}-token forward pass (tokens x (2 x FFN width/TP + 4 x hidden) x 2 B x 1.2), MoE workspace (tokens x experts per token x (3 x expert width/TP + hidden) x 2 B), {}, vision encoder of multimodal models (tokens x hidden x 16 B), CUDA graphs {} GiB, {non_torch}",
                self.max_batched_tokens(gpu),
                match self.engine {
                    Engine::Vllm | Engine::Tgi => format!(
                        "sampler buffers for {} sequences (logits, probabilities and log-probabilities in fp32: 12 B per vocabulary entry)",
                        self.max_seqs(gpu)
                    ),
                    Engine::Trtllm => format!(
                        "fp32 logits for {} sequences",
                        self.max_seqs(gpu)
                    ),
                    _ => "fp32 logits of one micro-batch".to_string(),
                },
                if self.engine.graphs() { Self::CUDA_GRAPHS_GIB } else { 0.0 },
            ),
        };
        vec![
            format!("engine {e}: {reserve}"),
            format!("engine {e} overheads: {overheads}"),
            format!(
                "engine {e} kernels: per-layer fixed cost x {} of the GPU table's; MoE kernels reach half their streaming bandwidth at {} (token, expert) pairs per layer and GPU; {} of the decode roofline under full load, at most {} sequences in flight and {} tokens per forward pass; KV cache {} by default{}",
                self.layer_overhead_factor(),
                self.moe_half_experts(),
                self.load_efficiency(),
                self.max_seqs(gpu),
                self.max_batched_tokens(gpu),
                if self.engine == Engine::Trtllm { "fp8 with fp8/fp4 weights, else bf16" } else { "bf16" },
                if self.fp8_blocks() { "; FP8 plans keep each rank's MLP and expert slices whole 128-wide blocks" } else { "" },
            ),
        ]
    }
}

/// vLLM's larger defaults apply on GPUs with at least 70 GiB that are not A100s.
fn large_vllm_gpu(gpu: &Gpu) -> bool {
    gpu.usable_gib() >= 70.0 && !gpu.id.starts_with("a100")
}

/// Vision encoder: engines profile it with a batch of images filling the batched-token limit;
/// its activations and the encoder-output cache take about 16 bytes per token and hidden unit
/// (assumed: ViT working set plus cached embeddings in 16-bit).
fn vision_gib(tokens: f64, d: &ModelDims) -> f64 {
    tokens * d.hidden * 16.0 / GIB
}
