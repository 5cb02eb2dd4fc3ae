//! Fine-tuning stacks: what `--trainer hf|unsloth|torchtune|deepspeed|megatron`, `--optimizer
//! adamw|adamw-8bit|paged-adamw-8bit|sgd` and `--offload none|optimizer|params` change in a
//! fine-tuning estimate: bytes per parameter of weights, gradients, master copy and optimizer
//! states and how they shard across GPUs, activation memory, and training speed.
//!
//! Every constant is printed by `Stack::lines` with its source; `tests/estimates.rs` checks the
//! results against torchtune's and Megatron-Bridge's published tables.

/// The training framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Trainer {
    /// Hugging Face Trainer / TRL with PEFT: mixed precision (fp32 master weights), ZeRO or FSDP
    /// sharding as `--zero` says, full fp32 logits.
    #[default]
    Hf,
    /// Unsloth: offloaded gradient checkpointing (layer inputs in CPU memory), chunked
    /// cross-entropy, its own kernels; one GPU.
    Unsloth,
    /// torchtune: pure bf16 (no fp32 master copy, bf16 optimizer states), FSDP2 across GPUs,
    /// chunked cross-entropy, the optimizer step fused into the backward pass on one GPU.
    Torchtune,
    /// DeepSpeed ZeRO: mixed precision, stage from `--zero`.
    Deepspeed,
    /// Megatron-LM: bf16 parameters with fp32 main gradients and the distributed optimizer
    /// (master copy and Adam states sharded: 6 + 12/d bytes per parameter).
    Megatron,
}

/// The optimizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Optimizer {
    /// AdamW: two states per parameter (fp32, or bf16 under torchtune's pure-bf16 recipes).
    #[default]
    AdamW,
    /// bitsandbytes 8-bit AdamW: two 8-bit states (2 bytes per parameter).
    AdamW8bit,
    /// bitsandbytes paged 8-bit AdamW: as 8-bit AdamW, in unified memory the driver pages to the
    /// CPU when the GPU is full (so it never stops a fit).
    PagedAdamW8bit,
    /// Plain SGD without momentum: no state.
    Sgd,
}

/// What lives in CPU memory instead of the GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Offload {
    #[default]
    None,
    /// Optimizer states and the fp32 master copy (ZeRO-Offload, FSDP optimizer offload).
    Optimizer,
    /// Parameters, gradients and optimizer states (ZeRO-Infinity, FSDP CPU offload): the GPU holds
    /// the layers being gathered.
    Params,
}

impl Trainer {
    pub fn as_str(self) -> &'static str {
        match self {
            Trainer::Hf => "hf",
            Trainer::Unsloth => "unsloth",
            Trainer::Torchtune => "torchtune",
            Trainer::Deepspeed => "deepspeed",
            Trainer::Megatron => "megatron",
        }
    }
}

impl Optimizer {
    pub fn as_str(self) -> &'static str {
        match self {
            Optimizer::AdamW => "adamw",
            Optimizer::AdamW8bit => "adamw-8bit",
            Optimizer::PagedAdamW8bit => "paged-adamw-8bit",
            Optimizer::Sgd => "sgd",
        }
    }
}

impl Offload {
    pub fn as_str(self) -> &'static str {
        match self {
            Offload::None => "none",
            Offload::Optimizer => "optimizer",
            Offload::Params => "params",
        }
    }
}

/// Bytes per trained parameter, before sharding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateBytes {
    pub weights: f64,
    pub gradients: f64,
    /// fp32 master copy (mixed precision) plus optimizer states.
    pub optimizer: f64,
}

/// A fine-tuning stack: trainer, optimizer, offload, ZeRO stage and GPU count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stack {
    pub trainer: Trainer,
    pub optimizer: Optimizer,
    pub offload: Offload,
    /// ZeRO stage (FSDP full sharding = 3) as asked with `--zero`.
    pub zero_stage: u8,
    pub gpus: u64,
}

impl Stack {
    /// The sharding stage the trainer applies: its own where it has one (torchtune FSDP2 = 3,
    /// Megatron's distributed optimizer = 1, Unsloth replicates), else `--zero`; none on one GPU.
    pub fn stage(&self) -> u8 {
        if self.gpus <= 1 {
            return 0;
        }
        match self.trainer {
            Trainer::Torchtune => 3,
            Trainer::Megatron => 1,
            Trainer::Unsloth => 0,
            Trainer::Hf | Trainer::Deepspeed => self.zero_stage.min(3),
        }
    }

    /// Whether the trainer keeps an fp32 master copy of trained weights (mixed precision).
    fn master(&self) -> bool {
        self.trainer != Trainer::Torchtune
    }

    /// Bytes per trained parameter: bf16 weights 2; gradients 2 (Megatron: fp32 main gradients 4;
    /// none kept when torchtune fuses the step into backward on one GPU); master copy 4 under
    /// mixed precision; AdamW states 8 in fp32 (4 in bf16 under torchtune), 8-bit AdamW 2, SGD 0.
    pub fn state_bytes(&self) -> StateBytes {
        let states = match self.optimizer {
            Optimizer::AdamW if self.master() => 8.0,
            Optimizer::AdamW => 4.0,
            Optimizer::AdamW8bit | Optimizer::PagedAdamW8bit => 2.0,
            Optimizer::Sgd => 0.0,
        };
        let gradients = match self.trainer {
            Trainer::Megatron => 4.0,
            Trainer::Torchtune if self.gpus <= 1 => 0.0,
            _ => 2.0,
        };
        StateBytes {
            weights: 2.0,
            gradients,
            optimizer: states + if self.master() { 4.0 } else { 0.0 },
        }
    }

    /// Whether the optimizer states spill to the CPU rather than stop a fit (paged optimizers).
    pub fn paged(&self) -> bool {
        self.optimizer == Optimizer::PagedAdamW8bit
    }

    /// Share of the full-vocabulary fp32 logits the loss materializes: HF, DeepSpeed and Megatron
    /// the whole (vocab x tokens x 4 B); torchtune's `CEWithChunkedOutputLoss` and Unsloth's fused
    /// cross-entropy one chunk of 8.
    pub fn logits_share(&self) -> f64 {
        match self.trainer {
            Trainer::Torchtune | Trainer::Unsloth => 1.0 / 8.0,
            _ => 1.0,
        }
    }

    /// Whether checkpointed layer inputs live in CPU memory (Unsloth's offloaded gradient
    /// checkpointing): the GPU keeps one layer's working set.
    pub fn offloads_activations(&self) -> bool {
        self.trainer == Trainer::Unsloth
    }

    /// Speed relative to the stack-independent estimate: Unsloth's kernels "2x faster" for
    /// LoRA/QLoRA (its README, a vendor claim); CPU offload of parameters 0.67 (fitted: torchtune's
    /// Llama 3.1 70B full fine-tune with CPU offload on 8x A100, 1,568 tok/s); of the optimizer
    /// 0.8 (assumed).
    pub fn speed_factor(&self, adapters: bool) -> f64 {
        let kernels = if self.trainer == Trainer::Unsloth && adapters {
            2.0
        } else {
            1.0
        };
        let offload = match self.offload {
            Offload::None => 1.0,
            Offload::Optimizer => 0.8,
            Offload::Params => 0.67,
        };
        kernels * offload
    }

    pub fn lines(&self) -> Vec<String> {
        let b = self.state_bytes();
        vec![
            format!(
                "stack: {} with {}{}{}: bf16 weights {} B + gradients {} B + master copy and optimizer states {} B per trained parameter, sharded over the GPUs at ZeRO stage {} (1: optimizer, 2: + gradients, 3: + weights, with two layers' all-gather buffers and one layer's gradients before reduce-scatter)",
                self.trainer.as_str(),
                self.optimizer.as_str(),
                if self.offload == Offload::None { String::new() } else { format!(", {} offloaded to CPU memory", self.offload.as_str()) },
                if self.paged() { " (paged: spills to CPU memory, never stops a fit)" } else { "" },
                b.weights,
                b.gradients,
                b.optimizer,
                self.stage(),
            ),
            format!(
                "stack activations: {}; loss logits x {} (chunked cross-entropy: torchtune, Unsloth)",
                if self.offloads_activations() {
                    "one layer's working set (checkpointed inputs offloaded to CPU memory)"
                } else {
                    "per layer as below"
                },
                self.logits_share()
            ),
        ]
    }
}
