//! Quantities derived from a model's architecture (config.json): parameter counts by component and
//! the KV cache per token. Pure arithmetic; `catalog check` and the sizing engine both use it, so the
//! numbers a user can recompute by hand from config.json are the ones the tool uses.

use crate::catalog::{Arch, Attention, Mlp};

/// Parameter counts by component (counts, not bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Params {
    /// Token embeddings plus the output head when it is not tied.
    pub embeddings: f64,
    /// Attention projections and norms of every layer, plus the final norm.
    pub attention: f64,
    /// Dense FFNs (dense layers, Arctic's residual FFN) and shared experts: always active.
    pub dense_ffn: f64,
    /// Routed experts of all MoE layers (and their routers).
    pub experts: f64,
    /// Routed expert parameters that one token touches (experts_per_token of them per MoE layer).
    pub experts_active: f64,
    /// Outside the decoder stack (vision tower, MTP module), from the catalog's `extra_params_b`.
    pub extra: f64,
}

impl Params {
    pub fn total(&self) -> f64 {
        self.embeddings + self.attention + self.dense_ffn + self.experts + self.extra
    }
    pub fn active(&self) -> f64 {
        self.embeddings + self.attention + self.dense_ffn + self.experts_active + self.extra
    }
    /// Parameters in linear layers of the decoder (what weight quantization applies to).
    pub fn linear(&self) -> f64 {
        self.attention + self.dense_ffn + self.experts
    }
}

/// Parameter counts from the architecture, by the formula in `catalog/FORMAT.md`.
pub fn params(arch: &Arch, extra_params_b: f64) -> Params {
    let h = arch.hidden_size as f64;
    let layers = arch.layers as f64;
    let (nh, nkv, hd) = (
        arch.attention_heads as f64,
        arch.kv_heads as f64,
        arch.head_dim as f64,
    );

    let attention_per_layer = if arch.attention == Some(Attention::Mla) {
        let (rope, nope, v) = (
            arch.qk_rope_head_dim as f64,
            arch.qk_nope_head_dim as f64,
            arch.v_head_dim as f64,
        );
        let (q_lora, kv_lora) = (arch.q_lora_rank as f64, arch.kv_lora_rank as f64);
        let q = if q_lora > 0.0 {
            h * q_lora + q_lora + q_lora * nh * (nope + rope)
        } else {
            h * nh * (nope + rope)
        };
        let kv_a = h * (kv_lora + rope) + kv_lora;
        let kv_b = kv_lora * nh * (nope + v);
        q + kv_a + kv_b + nh * v * h
    } else {
        let bias = if arch.qkv_bias {
            nh * hd + 2.0 * nkv * hd
        } else {
            0.0
        };
        2.0 * h * nh * hd + 2.0 * h * nkv * hd + bias
    };
    let norms_per_layer = 2.0 * h;

    let matrices = match arch.mlp {
        Mlp::Gated => 3.0,
        Mlp::Plain => 2.0,
    };
    let dense_ffn_one = matrices * h * arch.intermediate_size as f64;
    let moe_layers = if arch.experts > 0 {
        layers - arch.dense_layers as f64
    } else {
        0.0
    };
    let dense_layers = layers - moe_layers;
    let expert_one = matrices * h * arch.moe_intermediate_size as f64;
    let shared_width = if arch.shared_expert_intermediate_size > 0 {
        arch.shared_expert_intermediate_size
    } else {
        arch.moe_intermediate_size
    } as f64;
    let shared = arch.shared_experts as f64 * matrices * h * shared_width;
    let router = h * arch.experts as f64;

    let residual = if arch.dense_residual {
        layers * dense_ffn_one
    } else {
        0.0
    };
    let dense_ffn = dense_layers * dense_ffn_one + moe_layers * shared + residual;
    let experts = moe_layers * (arch.experts as f64 * expert_one + router);
    let experts_active = moe_layers * (arch.experts_per_token as f64 * expert_one + router);

    let vocab = arch.vocab_size as f64 * h;
    Params {
        embeddings: if arch.tied_embeddings {
            vocab
        } else {
            2.0 * vocab
        },
        attention: layers * (attention_per_layer + norms_per_layer) + h,
        dense_ffn,
        experts,
        experts_active,
        extra: extra_params_b * 1e9,
    }
}

/// KV cache cost of one token, in elements (multiply by bytes per element), for the whole model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KvLayout {
    /// Elements per token per layer on full-attention layers (K and V, or the MLA latent).
    pub per_layer: f64,
    pub full_layers: u64,
    /// Layers that keep at most `window` tokens.
    pub window_layers: u64,
    pub window: u64,
    /// MLA caches one latent shared by all heads: tensor parallelism does not split it.
    pub latent: bool,
    pub kv_heads: u64,
}

pub fn kv_layout(arch: &Arch) -> KvLayout {
    let latent = arch.attention == Some(Attention::Mla);
    let per_layer = if latent {
        (arch.kv_lora_rank + arch.qk_rope_head_dim) as f64
    } else {
        2.0 * arch.kv_heads as f64 * arch.head_dim as f64
    };
    let window_layers = if arch.sliding_window > 0 {
        arch.sliding_window_layers.min(arch.layers)
    } else {
        0
    };
    KvLayout {
        per_layer,
        full_layers: arch.layers - window_layers,
        window_layers,
        window: arch.sliding_window,
        latent,
        kv_heads: arch.kv_heads,
    }
}

impl KvLayout {
    /// Elements per token for the whole model, before any window cap.
    pub fn per_token(&self) -> f64 {
        self.per_layer * (self.full_layers + self.window_layers) as f64
    }

    /// Elements for one sequence of `context` tokens, sliding-window layers capped at the window.
    pub fn per_sequence(&self, context: u64) -> f64 {
        let windowed = context.min(self.window.max(1)) as f64;
        self.per_layer
            * (self.full_layers as f64 * context as f64 + self.window_layers as f64 * windowed)
    }

    /// Share of the per-sequence cache one GPU holds under tensor parallel `tp`: KV heads split across
    /// the group, replicated once TP exceeds them (vLLM `get_num_kv_heads`); an MLA latent is whole
    /// on every GPU.
    pub fn tp_share(&self, tp: u64) -> f64 {
        if self.latent || self.kv_heads == 0 {
            return 1.0;
        }
        let per_gpu = self.kv_heads.div_ceil(tp).max(1);
        per_gpu as f64 / self.kv_heads as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Arch;

    fn llama_3_1_8b() -> Arch {
        Arch {
            layers: 32,
            hidden_size: 4096,
            attention_heads: 32,
            kv_heads: 8,
            head_dim: 128,
            intermediate_size: 14336,
            vocab_size: 128_256,
            tied_embeddings: false,
            attention: Some(Attention::Gqa),
            ..Arch::default()
        }
    }

    #[test]
    fn dense_gqa_params_match_the_published_exact_count() {
        // Llama-3.1-8B: 8,030,261,248 parameters (safetensors index total_size 16,060,522,496 B / 2).
        let p = params(&llama_3_1_8b(), 0.0);
        assert_eq!(p.total(), 8_030_261_248.0);
        assert_eq!(p.active(), p.total());
    }

    #[test]
    fn dense_gqa_kv_per_token_is_128_kib() {
        // 2 (K,V) x 32 layers x 8 KV heads x 128 head_dim x 2 bytes = 131,072 B.
        let kv = kv_layout(&llama_3_1_8b());
        assert_eq!(kv.per_token() * 2.0, 131_072.0);
        // TP 16 > 8 KV heads: each GPU still holds one head (replication).
        assert_eq!(kv.tp_share(16), 1.0 / 8.0);
        assert_eq!(kv.tp_share(2), 0.5);
    }

    #[test]
    fn mla_latent_cache_is_70272_bytes_for_deepseek_v3() {
        // (kv_lora_rank 512 + rope 64) x 61 layers x 2 bytes = 70,272 B per token.
        let arch = Arch {
            layers: 61,
            hidden_size: 7168,
            attention_heads: 128,
            kv_heads: 128,
            head_dim: 192,
            kv_lora_rank: 512,
            qk_rope_head_dim: 64,
            qk_nope_head_dim: 128,
            v_head_dim: 128,
            q_lora_rank: 1536,
            attention: Some(Attention::Mla),
            ..Arch::default()
        };
        let kv = kv_layout(&arch);
        assert_eq!(kv.per_token() * 2.0, 70_272.0);
        assert_eq!(kv.tp_share(8), 1.0);
    }

    #[test]
    fn sliding_window_layers_stop_growing_at_the_window() {
        // Gemma-2-9B-like: 42 layers, half with a 4096 window, 8 KV heads x 256.
        let arch = Arch {
            layers: 42,
            kv_heads: 8,
            head_dim: 256,
            sliding_window: 4096,
            sliding_window_layers: 21,
            ..llama_3_1_8b()
        };
        let kv = kv_layout(&arch);
        let per_layer = 2.0 * 8.0 * 256.0;
        assert_eq!(kv.per_sequence(1000), per_layer * 42.0 * 1000.0);
        assert_eq!(
            kv.per_sequence(8192),
            per_layer * (21.0 * 8192.0 + 21.0 * 4096.0)
        );
    }

    #[test]
    fn moe_active_counts_only_routed_experts_per_token() {
        // Mixtral-8x7B: 46.70B total, 12.88B active (Mistral AI's figures: 46.7B / 12.9B).
        let arch = Arch {
            layers: 32,
            hidden_size: 4096,
            attention_heads: 32,
            kv_heads: 8,
            head_dim: 128,
            intermediate_size: 14336,
            vocab_size: 32000,
            experts: 8,
            experts_per_token: 2,
            moe_intermediate_size: 14336,
            attention: Some(Attention::Gqa),
            ..Arch::default()
        };
        let p = params(&arch, 0.0);
        assert!((p.total() / 1e9 - 46.70).abs() < 0.01, "{}", p.total());
        assert!((p.active() / 1e9 - 12.88).abs() < 0.01, "{}", p.active());
    }
}
