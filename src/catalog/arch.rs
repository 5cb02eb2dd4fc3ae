//! Quantities derived from a model's architecture (config.json): parameter counts by component and
//! the KV cache per token. Pure arithmetic; `catalog check` and the sizing engine both use it, so the
//! numbers a user can recompute by hand from config.json are the ones the tool uses.

use super::{Arch, Attention, LayerGroup, LayerKind, Mlp};

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
    /// Rescales the decoder's linear parts so the total equals `total` (embeddings and extras
    /// stay as counted).
    pub fn scale_to(&mut self, total: f64) {
        let linear = self.linear();
        let target = total - self.embeddings - self.extra;
        if linear > 0.0 && target > 0.0 && total.is_finite() {
            let f = target / linear;
            self.attention *= f;
            self.dense_ffn *= f;
            self.experts *= f;
            self.experts_active *= f;
        }
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

/// Bytes per element of a linear-attention or SSM state: 16-bit, as vLLM keeps it by default
/// (`mamba_ssm_cache_dtype = auto` = the model dtype); `--kv-dtype` does not change it.
pub const STATE_BYTES: f64 = 2.0;

/// What one group of layers caches for a sequence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KvTerm {
    pub kind: LayerKind,
    pub layers: u64,
    /// Elements one cached entry takes in one layer (K and V, one shared tensor, or the MLA
    /// latent plus an indexer key).
    pub per_entry: f64,
    /// Tokens per cached entry (compressed attention); 1 elsewhere.
    pub ratio: u64,
    /// Uncompressed tokens kept: the sliding window, or a compressed layer's own window (0: none
    /// for compressed, unlimited for the others).
    pub window: u64,
    /// Heads the entry is split across under tensor parallelism (0: replicated on every rank,
    /// as an MLA latent or a single shared KV vector is).
    pub heads: u64,
    /// Elements of constant state per sequence per layer (linear attention, Mamba).
    pub state: f64,
}

impl KvTerm {
    /// Cache elements for one sequence of `context` tokens in all the group's layers.
    fn elements(&self, context: u64) -> f64 {
        let layers = self.layers as f64;
        let entries = match self.kind {
            LayerKind::Compressed => {
                context.div_ceil(self.ratio.max(1)) as f64 + context.min(self.window) as f64
            }
            LayerKind::Sliding => context.min(self.window.max(1)) as f64,
            LayerKind::Linear | LayerKind::Mamba | LayerKind::KvShared | LayerKind::MlpOnly => 0.0,
            _ => context as f64,
        };
        layers * self.per_entry * entries
    }

    /// Share of the group's cache one rank holds under tensor parallel `tp`: heads split across
    /// the group and replicated once TP exceeds them (vLLM `get_num_kv_heads`).
    fn tp_share(&self, tp: u64) -> f64 {
        if self.heads == 0 {
            return 1.0;
        }
        self.heads.div_ceil(tp.max(1)).max(1) as f64 / self.heads as f64
    }
}

/// The cache of a model: one term per layer group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KvLayout {
    pub terms: Vec<KvTerm>,
}

/// The cache layout from the architecture: the explicit layer groups when the catalog gives them,
/// else every layer full attention (or MLA), `sliding_window_layers` of them windowed.
pub fn kv_layout(arch: &Arch) -> KvLayout {
    let mla_entry = (arch.kv_lora_rank + arch.qk_rope_head_dim) as f64;
    let groups: Vec<LayerGroup> = if arch.group.is_empty() {
        let windowed = if arch.sliding_window > 0 {
            arch.sliding_window_layers.min(arch.layers)
        } else {
            0
        };
        let kind = if arch.attention == Some(Attention::Mla) {
            LayerKind::Mla
        } else {
            LayerKind::Full
        };
        let mut g = vec![LayerGroup {
            kind: Some(kind),
            count: arch.layers - windowed,
            ..LayerGroup::default()
        }];
        if windowed > 0 {
            g.push(LayerGroup {
                kind: Some(LayerKind::Sliding),
                count: windowed,
                window: arch.sliding_window,
                ..LayerGroup::default()
            });
        }
        g
    } else {
        arch.group.to_vec()
    };
    let terms = groups
        .iter()
        .filter(|g| g.count > 0)
        .map(|g| {
            let kind = g.kind.unwrap_or(LayerKind::Full);
            let kv_heads = g.kv_heads.unwrap_or(arch.kv_heads);
            let head_dim = g.head_dim.unwrap_or(arch.head_dim) as f64;
            let kv = if g.k_eq_v { 1.0 } else { 2.0 } * kv_heads as f64 * head_dim;
            let (per_entry, heads, state) = match kind {
                LayerKind::Full | LayerKind::Sliding | LayerKind::Chunked => (kv, kv_heads, 0.0),
                LayerKind::Mla => (mla_entry, 0, 0.0),
                LayerKind::MlaIndexed => (mla_entry + g.indexer_head_dim as f64, 0, 0.0),
                // One entry per `compress_ratio` tokens plus an indexer key per entry; a single
                // shared vector (one KV head) is replicated under TP.
                LayerKind::Compressed => (
                    kv + g.indexer_head_dim as f64,
                    if kv_heads > 1 { kv_heads } else { 0 },
                    0.0,
                ),
                LayerKind::Linear | LayerKind::Mamba => (
                    0.0,
                    g.state_heads,
                    (g.state_heads * g.state_key_dim * g.state_value_dim) as f64
                        + (g.conv_kernel.saturating_sub(1) * g.conv_channels) as f64,
                ),
                LayerKind::KvShared | LayerKind::MlpOnly => (0.0, 0, 0.0),
            };
            KvTerm {
                kind,
                layers: g.count,
                per_entry,
                ratio: g.compress_ratio.max(1),
                window: g.window,
                heads,
                state,
            }
        })
        .collect();
    KvLayout { terms }
}

impl KvLayout {
    /// Cache elements one more token adds, summed over every layer that grows (before window
    /// caps; a compressed layer adds 1/ratio of an entry).
    pub fn per_token(&self) -> f64 {
        self.terms
            .iter()
            .filter(|t| t.per_entry > 0.0)
            .map(|t| t.layers as f64 * t.per_entry / t.ratio as f64)
            .sum()
    }

    /// Cache elements for one sequence of `context` tokens (windows capped), without the state.
    pub fn per_sequence(&self, context: u64) -> f64 {
        self.terms.iter().map(|t| t.elements(context)).sum()
    }

    /// Elements of constant state one sequence holds (linear attention and SSM layers).
    pub fn state_per_sequence(&self) -> f64 {
        self.terms.iter().map(|t| t.layers as f64 * t.state).sum()
    }

    /// Bytes one sequence holds on one tensor-parallel rank: the cache at `kv_bytes` per element
    /// and the state at `STATE_BYTES`, each split by its heads (or replicated).
    pub fn sequence_bytes_per_rank(&self, context: u64, kv_bytes: f64, tp: u64) -> f64 {
        self.terms
            .iter()
            .map(|t| {
                (t.elements(context) * kv_bytes + t.layers as f64 * t.state * STATE_BYTES)
                    * t.tp_share(tp)
            })
            .sum()
    }

    /// KV heads of the attention layers (the first attention group), 0 when none split by heads.
    pub fn kv_heads(&self) -> u64 {
        self.terms
            .iter()
            .find(|t| t.per_entry > 0.0)
            .map_or(0, |t| t.heads)
    }

    /// Whether some cache is replicated on every TP rank (MLA latents, shared KV vectors).
    pub fn latent(&self) -> bool {
        self.terms.iter().any(|t| t.per_entry > 0.0 && t.heads == 0)
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
        let seq = kv.sequence_bytes_per_rank(1000, 2.0, 1);
        assert_eq!(kv.sequence_bytes_per_rank(1000, 2.0, 16), seq / 8.0);
        assert_eq!(kv.sequence_bytes_per_rank(1000, 2.0, 2), seq / 2.0);
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
        assert_eq!(
            kv.sequence_bytes_per_rank(100, 2.0, 8),
            kv.sequence_bytes_per_rank(100, 2.0, 1)
        );
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
