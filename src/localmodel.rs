//! Sizing a private checkpoint: a folder with a Hugging Face `config.json` (and, if present,
//! `model.safetensors.index.json`, whose `metadata.total_size` gives the exact weight bytes).

use crate::arch;
use crate::catalog::{Arch, Attention, Dtype, LayerGroup, LayerKind};
use crate::fit::Shape;
use crate::input::{self, Kind};
use anyhow::{anyhow, Result};
use serde_json::Value;
use std::path::Path;

/// Bounds on config.json sizes: far above any published model, low enough that the arithmetic on
/// them stays exact and nothing overflows. The catalog check uses the same (`catalog::check`).
pub const MAX_LAYERS: u64 = 10_000;
/// Hidden size, head dimension, LoRA ranks.
pub const MAX_WIDTH: u64 = 1_000_000;
pub const MAX_HEADS: u64 = 100_000;
pub const MAX_VOCAB: u64 = 10_000_000;
/// FFN widths (dense and per expert).
pub const MAX_FFN: u64 = 10_000_000;
pub const MAX_EXPERTS: u64 = 100_000;

/// Reads `dir/config.json` into a sizing shape.
pub fn load(dir: &Path) -> Result<Shape> {
    let path = dir.join("config.json");
    let text = input::read_text(&path, Kind::ModelConfig)?;
    let mut shape = parse_config(&path.display().to_string(), &text)?;
    let index = dir.join("model.safetensors.index.json");
    // The index is optional; when something is there it must be a readable regular file.
    if let Some(text) = input::read_text_if_present(&index, Kind::SafetensorsIndex)? {
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| anyhow!("{}:{}:{}: {e}", index.display(), e.line(), e.column()))?;
        match v.pointer("/metadata/total_size").and_then(Value::as_f64) {
            Some(bytes) if bytes > 0.0 => shape.native_bytes = Some(bytes),
            _ => {
                return Err(anyhow!(
                    "{}: metadata.total_size is missing or not a positive number",
                    index.display()
                ))
            }
        }
    }
    shape.id = dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(shape)
}

/// Parses config.json text (a vision-language config's `text_config` is used when present).
pub fn parse_config(file: &str, text: &str) -> Result<Shape> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| anyhow!("{file}:{}:{}: {e}", e.line(), e.column()))?;
    if !root.is_object() {
        return Err(anyhow!(
            "{file}: expected a JSON object (a Hugging Face config.json)"
        ));
    }
    let c = root
        .get("text_config")
        .filter(|v| v.is_object())
        .unwrap_or(&root);
    // The first of `keys` present as a whole number, with the name config.json uses for it.
    let lookup = |keys: &[&'static str]| -> Option<(&'static str, u64)> {
        keys.iter().find_map(|k| {
            c.get(*k)
                .or_else(|| root.get(*k))
                .and_then(Value::as_u64)
                .map(|v| (*k, v))
        })
    };
    let get = |keys: &[&'static str]| lookup(keys).map(|(_, v)| v);
    // A size of 0 divides by zero or sizes nothing; sizes far beyond any model are a broken file.
    // The message names the file and the key as the file spells it.
    let in_range = |key: &str, v: u64, min: u64, max: u64| {
        if (min..=max).contains(&v) {
            Ok(v)
        } else {
            Err(anyhow!(
                "{file}: `{key}` is {v}; it must be between {min} and {max} (fix the file or give a catalog id)"
            ))
        }
    };
    let need = |keys: &[&'static str], max: u64| {
        let (key, v) = lookup(keys)
            .ok_or_else(|| anyhow!("{file}: `{}` is missing or not a whole number", keys[0]))?;
        in_range(key, v, 1, max)
    };
    // Optional sizes: when present they must be plausible (0 is allowed: a feature not used).
    let optional = |keys: &[&'static str], max: u64| match lookup(keys) {
        Some((key, v)) => in_range(key, v, 0, max).map(Some),
        None => Ok(None),
    };
    let layers = need(&["num_hidden_layers", "n_layer", "num_layers"], MAX_LAYERS)?;
    let hidden = need(&["hidden_size", "d_model", "n_embd"], MAX_WIDTH)?;
    let heads = need(&["num_attention_heads", "n_head", "n_heads"], MAX_HEADS)?;
    let vocab = need(&["vocab_size"], MAX_VOCAB)?;
    let kv_heads = get(&["num_key_value_heads", "num_kv_heads"]).unwrap_or(heads);
    if kv_heads == 0 || kv_heads > heads || heads % kv_heads != 0 {
        return Err(anyhow!(
            "{file}: num_key_value_heads ({kv_heads}) must divide num_attention_heads ({heads})"
        ));
    }
    let head_dim = match lookup(&["head_dim"]) {
        Some((key, v)) => in_range(key, v, 1, MAX_WIDTH)?,
        None if hidden / heads == 0 => {
            return Err(anyhow!(
                "{file}: `hidden_size` {hidden} / `num_attention_heads` {heads} gives a head_dim of 0; give `head_dim` or fix the sizes"
            ))
        }
        None => hidden / heads,
    };
    let experts = optional(
        &["num_local_experts", "n_routed_experts", "num_experts"],
        MAX_EXPERTS,
    )?
    .unwrap_or(0);
    let kv_lora = optional(&["kv_lora_rank"], MAX_WIDTH)?.unwrap_or(0);
    let sliding = get(&["sliding_window"]).unwrap_or(0);
    let max_ctx = get(&["max_position_embeddings", "n_positions", "max_seq_len"]).unwrap_or(0);
    let layer_types = c.get("layer_types").and_then(Value::as_array);
    let sliding_layers = match layer_types {
        Some(types) => types
            .iter()
            .filter(|t| t.as_str().is_some_and(|s| s.contains("sliding")))
            .count() as u64,
        None if sliding > 0
            && sliding < max_ctx
            && c.get("use_sliding_window").and_then(Value::as_bool) != Some(false) =>
        {
            layers
        }
        None => 0,
    };
    let group = layer_groups(c, layers, kv_heads, head_dim, sliding, kv_lora)
        .map_err(|e| anyhow!("{file}: {e}"))?;
    let arch = Arch {
        layers,
        hidden_size: hidden,
        attention_heads: heads,
        kv_heads,
        head_dim,
        intermediate_size: optional(&["intermediate_size", "ffn_hidden_size"], MAX_FFN)?
            .unwrap_or(4 * hidden),
        vocab_size: vocab,
        tied_embeddings: c
            .get("tie_word_embeddings")
            .or_else(|| root.get("tie_word_embeddings"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        attention: Some(if kv_lora > 0 {
            Attention::Mla
        } else if kv_heads == heads {
            Attention::Mha
        } else {
            Attention::Gqa
        }),
        experts,
        experts_per_token: get(&["num_experts_per_tok", "moe_top_k"])
            .unwrap_or(0)
            .min(experts),
        shared_experts: optional(&["n_shared_experts"], MAX_EXPERTS)?.unwrap_or(0),
        moe_intermediate_size: if experts > 0 {
            optional(&["moe_intermediate_size"], MAX_FFN)?
                .or(optional(&["intermediate_size"], MAX_FFN)?)
                .unwrap_or(0)
        } else {
            0
        },
        dense_layers: get(&["first_k_dense_replace"]).unwrap_or(0).min(layers),
        q_lora_rank: optional(&["q_lora_rank"], MAX_WIDTH)?.unwrap_or(0),
        kv_lora_rank: kv_lora,
        qk_rope_head_dim: optional(&["qk_rope_head_dim"], MAX_WIDTH)?.unwrap_or(0),
        qk_nope_head_dim: optional(&["qk_nope_head_dim"], MAX_WIDTH)?.unwrap_or(0),
        v_head_dim: optional(&["v_head_dim"], MAX_WIDTH)?.unwrap_or(0),
        sliding_window: if sliding_layers > 0 && group.is_empty() {
            sliding
        } else {
            0
        },
        sliding_window_layers: if sliding > 0 && group.is_empty() {
            sliding_layers
        } else {
            0
        },
        group: group.into(),
        ..Arch::default()
    };
    let dtype = c
        .get("torch_dtype")
        .or_else(|| root.get("torch_dtype"))
        .or_else(|| root.get("dtype"))
        .and_then(Value::as_str)
        .unwrap_or("bfloat16");
    let native = match dtype {
        "float32" => Dtype::Fp32,
        "float16" => Dtype::Fp16,
        _ => Dtype::Bf16,
    };
    let params = arch::params(&arch, 0.0);
    Ok(Shape {
        id: file.to_string(),
        kv: arch::kv_layout(&arch),
        params,
        arch,
        native,
        max_context: max_ctx,
        native_bytes: None,
        checkpoint: None,
        multimodal: false,
    })
}

/// The layer groups of a layout that is not "every layer alike" (catalog/FORMAT.md): linear
/// attention (Qwen3-Next, Qwen3.5: `layer_types` with `linear_attention`), Mamba-2 hybrids
/// (Nemotron-H `hybrid_override_pattern`, Granite 4.0-H `layer_types` with `mamba`), KV-shared
/// layers (Gemma 3n / 4 `num_kv_shared_layers`), per-type global heads (Gemma 4), sparse attention
/// with a cached indexer (DeepSeek-V3.2 `index_head_dim`), chunked attention. Empty for the
/// classic layouts, which `kv_layout` derives from the plain fields.
fn layer_groups(
    c: &Value,
    layers: u64,
    kv_heads: u64,
    head_dim: u64,
    window: u64,
    kv_lora: u64,
) -> Result<Vec<LayerGroup>> {
    let num = |k: &str| c.get(k).and_then(Value::as_u64).unwrap_or(0);
    // Per-layer kinds, from whichever field the architecture uses.
    let kinds: Vec<LayerKind> =
        if let Some(p) = c.get("hybrid_override_pattern").and_then(Value::as_str) {
            p.chars()
                .map(|ch| match ch {
                    'M' => LayerKind::Mamba,
                    '*' => LayerKind::Full,
                    _ => LayerKind::MlpOnly,
                })
                .collect()
        } else if let Some(types) = c.get("layer_types").and_then(Value::as_array) {
            types
                .iter()
                .map(|t| match t.as_str().unwrap_or("") {
                    s if s.contains("linear") => LayerKind::Linear,
                    s if s.contains("mamba") => LayerKind::Mamba,
                    s if s.contains("sliding") => LayerKind::Sliding,
                    s if s.contains("chunked") => LayerKind::Chunked,
                    _ => LayerKind::Full,
                })
                .collect()
        } else {
            Vec::new()
        };
    let indexer = num("index_head_dim");
    let shared = num("num_kv_shared_layers");
    let special = kinds.iter().any(|k| {
        matches!(
            k,
            LayerKind::Linear | LayerKind::Mamba | LayerKind::Chunked | LayerKind::MlpOnly
        )
    }) || shared > 0
        || (indexer > 0 && kv_lora > 0)
        || c.get("global_head_dim").is_some();
    if !special {
        return Ok(Vec::new());
    }
    if indexer > 0 && kv_lora > 0 && kinds.is_empty() {
        return Ok(vec![LayerGroup {
            kind: Some(LayerKind::MlaIndexed),
            count: layers,
            indexer_head_dim: indexer,
            indexer_heads: num("index_n_heads"),
            ..LayerGroup::default()
        }]);
    }
    if kinds.len() as u64 != layers {
        return Err(anyhow!(
            "the layer pattern names {} layers but num_hidden_layers is {layers}",
            kinds.len()
        ));
    }
    // The last `num_kv_shared_layers` reuse earlier layers' caches.
    let owned = layers.saturating_sub(shared) as usize;
    let count = |k: LayerKind| kinds[..owned].iter().filter(|x| **x == k).count() as u64;
    let mut groups = Vec::new();
    let global_heads = num("num_global_key_value_heads");
    let attention = |kind: LayerKind, n: u64, global: bool| LayerGroup {
        kind: Some(kind),
        count: n,
        kv_heads: Some(if global && global_heads > 0 {
            global_heads
        } else {
            kv_heads
        }),
        head_dim: Some(if global && num("global_head_dim") > 0 {
            num("global_head_dim")
        } else {
            head_dim
        }),
        window: if kind == LayerKind::Sliding {
            window
        } else {
            0
        },
        k_eq_v: global && c.get("attention_k_eq_v").and_then(Value::as_bool) == Some(true),
        ..LayerGroup::default()
    };
    for kind in [LayerKind::Full, LayerKind::Sliding, LayerKind::Chunked] {
        let n = count(kind);
        if n > 0 {
            groups.push(attention(kind, n, kind != LayerKind::Sliding));
        }
    }
    let linear = count(LayerKind::Linear);
    if linear > 0 {
        let (vh, kh) = (num("linear_num_value_heads"), num("linear_num_key_heads"));
        let (kd, vd) = (num("linear_key_head_dim"), num("linear_value_head_dim"));
        groups.push(LayerGroup {
            kind: Some(LayerKind::Linear),
            count: linear,
            state_heads: vh,
            state_key_dim: kd,
            state_value_dim: vd,
            key_heads: kh,
            conv_kernel: num("linear_conv_kernel_dim"),
            conv_channels: 2 * kh * kd + vh * vd,
            ..LayerGroup::default()
        });
    }
    let mamba = count(LayerKind::Mamba);
    if mamba > 0 {
        // Nemotron-H and Granite 4.0-H spell the same sizes differently.
        let pick = |a: &str, b: &str| if num(a) > 0 { num(a) } else { num(b) };
        let heads = pick("mamba_num_heads", "mamba_n_heads");
        let hd = pick("mamba_head_dim", "mamba_d_head");
        let state = pick("ssm_state_size", "mamba_d_state");
        let groups_n = pick("n_groups", "mamba_n_groups");
        groups.push(LayerGroup {
            kind: Some(LayerKind::Mamba),
            count: mamba,
            state_heads: heads,
            state_key_dim: state,
            state_value_dim: hd,
            key_heads: groups_n,
            conv_kernel: pick("conv_kernel", "mamba_d_conv"),
            conv_channels: heads * hd + 2 * groups_n * state,
            ..LayerGroup::default()
        });
    }
    let none = count(LayerKind::MlpOnly);
    if none > 0 {
        groups.push(LayerGroup {
            kind: Some(LayerKind::MlpOnly),
            count: none,
            ..LayerGroup::default()
        });
    }
    if shared > 0 {
        groups.push(LayerGroup {
            kind: Some(LayerKind::KvShared),
            count: shared.min(layers),
            ..LayerGroup::default()
        });
    }
    if groups.iter().any(|g| {
        matches!(g.kind, Some(LayerKind::Linear | LayerKind::Mamba))
            && (g.state_heads == 0 || g.state_key_dim == 0 || g.state_value_dim == 0)
    }) {
        return Err(anyhow!(
            "linear-attention or Mamba layers without their state sizes (linear_num_value_heads, linear_key_head_dim, linear_value_head_dim / mamba_num_heads, mamba_head_dim, ssm_state_size)"
        ));
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_attention_layers_from_layer_types() {
        // 3 Gated DeltaNet layers to 1 full-attention layer, as Qwen3-Next / Qwen3.5 configs say.
        let types: Vec<&str> = (0..48)
            .map(|i| {
                if i % 4 == 3 {
                    "\"full_attention\""
                } else {
                    "\"linear_attention\""
                }
            })
            .collect();
        let cfg = format!(
            r#"{{"num_hidden_layers":48,"hidden_size":2048,"num_attention_heads":16,"num_key_value_heads":2,"head_dim":256,"vocab_size":151936,"layer_types":[{}],"linear_num_value_heads":32,"linear_num_key_heads":16,"linear_key_head_dim":128,"linear_value_head_dim":128,"linear_conv_kernel_dim":4}}"#,
            types.join(",")
        );
        let s = parse_config("config.json", &cfg).unwrap();
        // 12 full layers x 2 (K, V) x 2 KV heads x 256 = 12,288 elements per token.
        assert_eq!(s.kv.per_token(), 12_288.0);
        // 36 linear layers x (32 x 128 x 128 state + (4 - 1) x (2 x 16 x 128 + 32 x 128) conv).
        assert_eq!(s.kv.state_per_sequence(), 36.0 * (524_288.0 + 3.0 * 8192.0));
    }

    #[test]
    fn mamba_hybrids_from_the_override_pattern() {
        // Nemotron-H: M = Mamba-2, * = attention, - = MLP only.
        let cfg = r#"{"num_hidden_layers":4,"hidden_size":256,"num_attention_heads":8,"num_key_value_heads":2,"head_dim":32,"vocab_size":1000,"hybrid_override_pattern":"M-M*","mamba_num_heads":8,"mamba_head_dim":16,"ssm_state_size":32,"n_groups":2,"conv_kernel":4}"#;
        let s = parse_config("config.json", cfg).unwrap();
        assert_eq!(s.kv.per_token(), 2.0 * 2.0 * 32.0);
        // 2 Mamba layers x (8 x 32 x 16 + 3 x (8 x 16 + 2 x 2 x 32)).
        assert_eq!(s.kv.state_per_sequence(), 2.0 * (4096.0 + 3.0 * 256.0));
        // A pattern that disagrees with the layer count is refused, naming the file.
        let bad = cfg.replace("\"M-M*\"", "\"M-M\"");
        let e = parse_config("m/config.json", &bad).unwrap_err().to_string();
        assert!(
            e.starts_with("m/config.json: the layer pattern names 3 layers"),
            "{e}"
        );
    }

    #[test]
    fn kv_shared_layers_and_sparse_indexers() {
        // Gemma 3n / 4: the last layers reuse earlier caches.
        let types: Vec<&str> = (0..10)
            .map(|i| {
                if i % 5 == 4 {
                    "\"full_attention\""
                } else {
                    "\"sliding_attention\""
                }
            })
            .collect();
        let cfg = format!(
            r#"{{"num_hidden_layers":10,"hidden_size":512,"num_attention_heads":8,"num_key_value_heads":1,"head_dim":64,"vocab_size":1000,"sliding_window":128,"layer_types":[{}],"num_kv_shared_layers":4}}"#,
            types.join(",")
        );
        let s = parse_config("config.json", &cfg).unwrap();
        // 6 owned layers: 5 sliding (window 128) and 1 full, 2 x 1 x 64 elements each per token.
        assert_eq!(s.kv.per_token(), 6.0 * 128.0);
        assert_eq!(
            s.kv.per_sequence(1000),
            5.0 * 128.0 * 128.0 + 128.0 * 1000.0
        );
        // DeepSeek-V3.2: MLA plus a 128-wide indexer key per token in every layer.
        let dsa = r#"{"num_hidden_layers":61,"hidden_size":7168,"num_attention_heads":128,"num_key_value_heads":128,"vocab_size":129280,"kv_lora_rank":512,"qk_rope_head_dim":64,"qk_nope_head_dim":128,"v_head_dim":128,"index_head_dim":128,"index_n_heads":64}"#;
        let s = parse_config("config.json", dsa).unwrap();
        assert_eq!(s.kv.per_token(), 61.0 * (512.0 + 64.0 + 128.0));
    }

    #[test]
    fn reads_a_llama_config() {
        let cfg = r#"{"architectures":["LlamaForCausalLM"],"hidden_size":4096,"intermediate_size":14336,
            "num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,"vocab_size":128256,
            "max_position_embeddings":131072,"tie_word_embeddings":false,"torch_dtype":"bfloat16"}"#;
        let s = parse_config("config.json", cfg).unwrap();
        assert_eq!(s.params.total(), 8_030_261_248.0);
        assert_eq!(s.kv.per_token() * 2.0, 131_072.0);
    }

    #[test]
    fn bad_configs_say_where() {
        let e = parse_config("x/config.json", "{\n \"hidden_size\": 4096,\n oops }")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x/config.json:3:"), "{e}");
        let e = parse_config("config.json", "{\"hidden_size\": 4096}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("num_hidden_layers"), "{e}");
        assert!(parse_config("config.json", "[]").is_err());
        let llama = r#""hidden_size":4096,"num_attention_heads":32,"num_hidden_layers":32,"vocab_size":128256"#;
        for (extra, key) in [
            (r#","head_dim":0"#, "`head_dim` is 0"),
            (
                r#","num_local_experts":1000000"#,
                "`num_local_experts` is 1000000",
            ),
            (r#","kv_lora_rank":18446744073709551615"#, "`kv_lora_rank`"),
        ] {
            let e = parse_config("m/config.json", &format!("{{{llama}{extra}}}"))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("m/config.json: ") && e.contains(key), "{e}");
        }
        for (from, to, key) in [
            (
                "\"num_hidden_layers\":32",
                "\"num_hidden_layers\":0",
                "`num_hidden_layers` is 0",
            ),
            (
                "\"hidden_size\":4096",
                "\"hidden_size\":0",
                "`hidden_size` is 0",
            ),
            (
                "\"num_attention_heads\":32",
                "\"num_attention_heads\":0",
                "`num_attention_heads` is 0",
            ),
            (
                "\"vocab_size\":128256",
                "\"vocab_size\":0",
                "`vocab_size` is 0",
            ),
            (
                "\"num_hidden_layers\":32",
                "\"num_hidden_layers\":20000",
                "between 1 and 10000",
            ),
            (
                "\"hidden_size\":4096",
                "\"hidden_size\":16",
                "head_dim of 0",
            ),
        ] {
            let e = parse_config("config.json", &format!("{{{}}}", llama.replace(from, to)))
                .unwrap_err()
                .to_string();
            assert!(e.contains(key), "{e}");
        }
        assert!(parse_config("config.json", r#"{"num_hidden_layers":2,"hidden_size":8,"num_attention_heads":3,"num_key_value_heads":2,"vocab_size":10}"#).is_err());
    }
}
