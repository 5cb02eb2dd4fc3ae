//! Sizing a private checkpoint: a folder with a Hugging Face `config.json` (and, if present,
//! `model.safetensors.index.json`, whose `metadata.total_size` gives the exact weight bytes).

use crate::arch;
use crate::catalog::{Arch, Attention, Dtype};
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
        sliding_window: if sliding_layers > 0 { sliding } else { 0 },
        sliding_window_layers: if sliding > 0 { sliding_layers } else { 0 },
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

#[cfg(test)]
mod tests {
    use super::*;

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
