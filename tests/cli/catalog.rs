use super::*;

#[test]
fn list_json_contract() {
    let v = json(&pick(&["list", "--format", "json"]));
    assert_eq!(v["schema_version"], 1);
    let models = v["models"].as_array().unwrap();
    assert!(models.len() >= 90, "{}", models.len());
    for m in models {
        for key in [
            "id",
            "name",
            "vendor",
            "family",
            "hf_repo",
            "weights",
            "architecture",
            "params_total_b",
            "params_active_b",
            "context_tokens",
            "license",
            "released",
            "arch",
        ] {
            assert!(m.get(key).is_some(), "{} lacks {key}", m["id"]);
        }
        assert!(m["license"]["id"].is_string() && m["license"]["tier"].is_string());
        let released = m["released"].as_str().unwrap();
        assert_eq!(released.len(), 10, "{released}");
        match m["weights"].as_str().unwrap() {
            "open" => {
                assert!(m["hf_repo"].is_string());
                for key in [
                    "layers",
                    "hidden_size",
                    "attention_heads",
                    "kv_heads",
                    "head_dim",
                    "vocab_size",
                    "experts",
                    "experts_per_token",
                ] {
                    assert!(m["arch"][key].is_u64(), "{} arch.{key}", m["id"]);
                }
                let dense = m["architecture"] == "dense" || m["architecture"] == "hybrid-dense";
                assert_eq!(dense, m["arch"]["experts"] == 0, "{}", m["id"]);
            }
            "api" => assert!(m["hf_repo"].is_null()),
            other => panic!("weights {other}"),
        }
    }
}

#[test]
fn every_required_model_is_listed() {
    let ids = pick(&["list", "--format", "ids"]).stdout;
    let required = [
        "llama-3.1-8b",
        "llama-3.1-70b",
        "llama-3.1-405b",
        "llama-3.2-1b",
        "llama-3.2-3b",
        "llama-3.2-11b-vision",
        "llama-3.2-90b-vision",
        "llama-3.3-70b",
        "llama-4-scout",
        "llama-4-maverick",
        "mistral-large-2407",
        "mistral-small-3",
        "mistral-small-3.1",
        "mixtral-8x7b",
        "mixtral-8x22b",
        "pixtral-12b",
        "pixtral-large",
        "qwen2.5-0.5b",
        "qwen2.5-1.5b",
        "qwen2.5-3b",
        "qwen2.5-7b",
        "qwen2.5-14b",
        "qwen2.5-32b",
        "qwen2.5-72b",
        "qwen3-0.6b",
        "qwen3-1.7b",
        "qwen3-4b",
        "qwen3-8b",
        "qwen3-14b",
        "qwen3-32b",
        "qwen3-30b-a3b",
        "qwen3-235b-a22b",
        "qwen2.5-vl-3b",
        "qwen2.5-vl-7b",
        "qwen2.5-vl-72b",
        "qwen3-vl-8b",
        "yi-1.5-6b",
        "yi-1.5-9b",
        "yi-1.5-34b",
        "yi-34b-200k",
        "yi-coder-9b",
        "falcon-180b",
        "falcon3-1b",
        "falcon3-3b",
        "falcon3-7b",
        "falcon3-10b",
        "dbrx",
        "gemma-2-2b",
        "gemma-2-9b",
        "gemma-2-27b",
        "gemma-3-270m",
        "gemma-3-1b",
        "gemma-3-4b",
        "gemma-3-12b",
        "gemma-3-27b",
        "deepseek-v3",
        "deepseek-v3-0324",
        "deepseek-r1",
        "deepseek-r1-distill-qwen-1.5b",
        "deepseek-r1-distill-qwen-7b",
        "deepseek-r1-distill-qwen-14b",
        "deepseek-r1-distill-qwen-32b",
        "deepseek-r1-distill-llama-8b",
        "deepseek-r1-distill-llama-70b",
        "arctic",
        "grok-1",
        "phi-3.5-mini",
        "phi-3.5-moe",
        "phi-4",
        "smollm2-135m",
        "smollm2-360m",
        "smollm2-1.7b",
        "gpt-oss-20b",
        "gpt-oss-120b",
        "kimi-k2",
        "glm-4.5",
        "glm-4.5-air",
        "olmo-2-7b",
        "olmo-2-13b",
        "command-r-plus",
        "claude-opus-4.5",
        "claude-sonnet-4.5",
        "gpt-5",
        "o3",
        "o4-mini",
        "gemini-2.5-pro",
        "gemini-2.5-flash",
        "grok-4",
        "mistral-medium-3",
        "yi-large",
    ];
    for id in required {
        assert!(ids.lines().any(|l| l == id), "{id} missing");
    }
    let unreleased = pick(&["list", "--weights", "none", "--format", "ids"]).stdout;
    assert!(unreleased.contains("grok-1.5") && unreleased.contains("llama-4-behemoth"));
    assert!(!ids.contains("qwen3-72b"), "there is no Qwen3 72B");
}

#[test]
fn facts_the_landscape_document_gets_wrong() {
    let v = json(&pick(&["list", "--format", "json"]));
    let get = |id: &str| {
        v["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(get("mistral-small-3")["params_total_b"], 24.0);
    assert_eq!(get("dbrx")["params_total_b"], 132.0);
    assert_eq!(get("dbrx")["params_active_b"], 36.0);
    assert_eq!(get("yi-1.5-34b")["license"]["id"], "apache-2.0");
    assert_eq!(get("qwen2.5-72b")["license"]["id"], "qwen");
    assert_eq!(get("qwen2.5-3b")["license"]["tier"], "non-commercial");
}

#[test]
fn list_filters_and_formats() {
    let moe = pick(&["list", "--class", "moe", "--format", "ids"]).stdout;
    assert!(moe.contains("deepseek-v3\n") && !moe.contains("llama-3.1-8b\n"));
    let apache = pick(&["list", "--license", "apache", "--format", "ids"]).stdout;
    assert!(
        apache.contains("qwen3-8b\n")
            && !apache.contains("llama-3.1-8b\n")
            && !apache.contains("deepseek-r1-distill-qwen-7b\n")
    );
    let api = pick(&["list", "--weights", "api", "--format", "csv"]).stdout;
    assert!(api.starts_with("id,name,vendor,family,weights,architecture,params_total_b,params_active_b,context_tokens,context_usable_tokens,license_id,license_tier,released,base_released,status\n"), "{api}");
    assert!(api.lines().skip(1).all(|l| l.contains(",api,")));
    // TSV is data: every row has the header's fields, and the numeric ones parse as numbers.
    let tsv = pick(&["list", "--format", "tsv"]).stdout;
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (total, active, context) = (
        col("params_total_b"),
        col("params_active_b"),
        col("context_tokens"),
    );
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), header.len(), "{line}");
        assert!(f[context].parse::<u64>().is_ok(), "{line}");
        for i in [total, active] {
            assert!(f[i].is_empty() || f[i].parse::<f64>().is_ok(), "{line}");
        }
        if f[col("weights")] == "open" {
            assert!(
                f[total].parse::<f64>().unwrap() >= f[active].parse::<f64>().unwrap(),
                "{line}"
            );
        }
    }
    let bad = pick(&["list", "--license", "apachee"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("did you mean"), "{}", bad.stderr);
}

#[test]
fn show_by_id_and_repo() {
    let r = pick(&["show", "meta-llama/Llama-3.1-70B-Instruct"]);
    assert_eq!(r.code, 0);
    for want in [
        "Llama 3.1 70B",
        "fine-tune redistrib.",
        "700M MAU",
        "Built with Llama",
        "source: config",
        "131072",
    ] {
        assert!(r.stdout.contains(want), "missing {want}:\n{}", r.stdout);
    }
    let v = json(&pick(&["show", "deepseek-v3", "--format", "json"]));
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["arch"]["kv_lora_rank"], 512);
    assert!(v["sources"]["config"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    assert!(v["licenses"][0]["outputs_training"] == "derivative");
    let unknown = pick(&["show", "llama-3.1-7b"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("did you mean `llama-3.1-70b`")
            || unknown.stderr.contains("did you mean `llama-3.1-8b`"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn embedded_catalog_checks_clean() {
    let r = pick(&["catalog", "check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("catalog ok"));
}

#[test]
fn broken_catalogs_give_precise_errors() {
    let r = pick(&["catalog", "check", "catalogs/syntax-error.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("catalogs/syntax-error.toml:2:"),
        "{}",
        r.stderr
    );

    let r = pick(&["catalog", "check", "catalogs/unknown-key.toml"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("catalogs/unknown-key.toml:11:") && r.stderr.contains("colour"),
        "{}",
        r.stderr
    );

    let r = pick(&["catalog", "check", "catalogs/semantic.toml"]);
    assert_eq!(r.code, 2);
    let e = &r.stderr;
    for (line, what) in [
        // Each at the line of the key it is about; the `id` line when no key holds it.
        (18, "license `no-such-license` is not in the catalog"),
        (47, "params_active_b 20 exceeds params_total_b 10"),
        (79, "params_total_b 12 but the architecture gives 8.030B"),
        (101, "missing sources.card"),
        (113, "context_tokens 0 is impossible"),
        (127, "duplicate model id `no-sources`"),
        (130, "family `missing-family` is not in the catalog"),
        (127, "an API-only model needs price_input_per_m"),
        (150, "capability_mmlu needs capability_protocol"),
    ] {
        assert!(
            e.contains(&format!("catalogs/semantic.toml:{line}: ")) && e.contains(what),
            "want line {line}: {what}\n{e}"
        );
    }
    // Every problem is reported, not just the first.
    assert!(
        e.lines().filter(|l| l.contains("semantic.toml:")).count() >= 8,
        "{e}"
    );
}

#[test]
fn catalog_check_includes_the_user_catalog() {
    // `pick catalog check` checks what every other command would load: PICK_CATALOG and --catalog
    // files over the embedded catalog, every problem at its own line.
    for run in [
        pick_env(
            &["catalog", "check"],
            &[("PICK_CATALOG", "catalogs/semantic.toml")],
        ),
        pick(&["--catalog", "catalogs/semantic.toml", "catalog", "check"]),
    ] {
        assert_eq!(run.code, 2, "{}", run.stdout);
        for (line, what) in [(18, "no-such-license"), (130, "missing-family")] {
            assert!(
                run.stderr
                    .contains(&format!("catalogs/semantic.toml:{line}: "))
                    && run.stderr.contains(what),
                "{line} {what}: {}",
                run.stderr
            );
        }
    }
    let ok = pick_env(
        &["catalog", "check"],
        &[("PICK_CATALOG", "catalogs/override.toml")],
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(
        ok.stdout.contains("catalogs/override.toml"),
        "{}",
        ok.stdout
    );
}

#[test]
fn user_catalog_merges_and_overrides() {
    let r = pick(&[
        "--catalog",
        "catalogs/override.toml",
        "show",
        "smollm2-135m",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("local override")
            && r.stdout
                .contains("replaces the one in catalog/models/huggingface.toml"),
        "{}",
        r.stdout
    );
    let r = pick_env(
        &["show", "acme/acme-8b", "--format", "json"],
        &[("PICK_CATALOG", "catalogs/override.toml")],
    );
    let v = json(&r);
    assert_eq!(v["id"], "acme-8b");
    assert!(pick(&["catalog", "check", "catalogs/override.toml"]).code == 0);
    // Every command sees the merged catalog, not only `show`.
    let ids = pick(&[
        "--catalog",
        "catalogs/override.toml",
        "list",
        "--format",
        "ids",
    ]);
    assert_eq!(ids.code, 0, "{}", ids.stderr);
    assert!(ids.stdout.lines().any(|l| l == "acme-8b"));
    let rec = pick(&[
        "--catalog",
        "catalogs/override.toml",
        "--license",
        "llama3.1",
        "--gpus",
        "H100",
        "--format",
        "ids",
        "--top",
        "50",
    ]);
    assert_eq!(rec.code, 0, "{}", rec.stderr);
    assert!(rec.stdout.lines().any(|l| l == "acme-8b"), "{}", rec.stdout);
    let fit = pick(&[
        "--catalog",
        "catalogs/override.toml",
        "fit",
        "acme/acme-8b",
        "--gpus",
        "L4",
    ]);
    assert_eq!(fit.code, 0, "{}", fit.stderr);
    let bad = pick(&["--catalog", "catalogs/semantic.toml", "list"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("no-such-license"));
    let missing = pick(&["--catalog", "catalogs/nope.toml", "list"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("catalogs/nope.toml"));
}

#[test]
fn licenses_and_gpus_list() {
    let ids_of = |v: &serde_json::Value, key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    let ids = ids_of(&json(&pick(&["licenses", "--format", "json"])), "licenses");
    for id in [
        "llama3.1",
        "llama3.2",
        "llama3.3",
        "llama4",
        "gemma",
        "qwen",
        "qwen-research",
        "mistral-research",
        "deepseek",
        "dbrx",
        "falcon-180b",
        "falcon-llm",
        "kimi-modified-mit",
        "cc-by-nc-4.0",
        "apache-2.0",
        "mit",
    ] {
        assert!(ids.iter().any(|x| x == id), "{id}");
    }
    let gids = ids_of(&json(&pick(&["gpus", "--format", "json"])), "gpus");
    for id in [
        "h100-sxm",
        "h100-pcie",
        "h100-nvl",
        "h200",
        "b200",
        "b300",
        "gb200",
        "a100-40gb",
        "a100-80gb",
        "l40s",
        "l4",
        "a10g",
        "rtx-4090",
        "rtx-5090",
        "rtx-6000-ada",
        "mi300x",
        "mi325x",
        "mi355x",
        "tpu-v5e",
        "tpu-v5p",
        "tpu-v6e",
        "gaudi3",
        "m3-ultra",
        "m4-max",
    ] {
        assert!(gids.iter().any(|x| x == id), "{id}");
    }
}

#[test]
fn checkpoints_say_which_bases_exist() {
    // Never released as bases: the entry says so, with the evidence.
    for id in [
        "qwen3-32b",
        "qwen3-235b-a22b",
        "gpt-oss-120b",
        "gpt-oss-20b",
    ] {
        let v = json(&pick(&["show", id, "--format", "json"]));
        assert_eq!(v["base_released"], false, "{id}");
        let note = v["base_note"].as_str().unwrap_or_default();
        assert!(
            note.contains("http"),
            "{id}: evidence with its source: {note}"
        );
    }
    // Models with a base name it.
    for (id, base) in [
        ("qwen3-8b", "Qwen/Qwen3-8B-Base"),
        ("llama-3.1-8b", "meta-llama/Llama-3.1-8B"),
        ("qwen3.5-9b", "Qwen/Qwen3.5-9B-Base"),
    ] {
        let v = json(&pick(&["show", id, "--format", "json"]));
        assert_eq!(v["base_released"], true, "{id}");
        let kinds: Vec<(String, String)> = v["checkpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap().into(),
                    c["hf_repo"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert!(
            kinds.contains(&("base".into(), base.into())),
            "{id}: {kinds:?}"
        );
    }
    // The table says it too.
    let r = pick(&["show", "qwen3-32b"]);
    assert!(r.stdout.contains("none released"), "{}", r.stdout);
}

#[test]
fn catalog_as_of_prints_and_staleness_warns() {
    let v = json(&pick(&["list", "--format", "json"]));
    let as_of = v["catalog_as_of"].as_str().unwrap().to_string();
    assert_eq!(as_of.len(), 10);
    assert!(pick(&["list"])
        .stdout
        .contains(&format!("catalog as of {as_of}")));
    assert!(
        json(&pick(&["show", "qwen3-8b", "--format", "json"]))["catalog_as_of"] == as_of.as_str()
    );
    // 91 days later the embedded catalog is stale: a warning on stderr, the output unchanged.
    let run = |today: &str, ok: &str| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pick"));
        cmd.args(["list", "--format", "ids"])
            .env_remove("PICK_CATALOG")
            .env("PICK_TODAY", today);
        if ok.is_empty() {
            cmd.env_remove("PICK_STALE_OK");
        } else {
            cmd.env("PICK_STALE_OK", ok);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run("2026-12-20", "");
    assert_eq!((code, err.as_str()), (Some(0), ""));
    let (code, err) = run("2027-12-20", "");
    assert_eq!(code, Some(0));
    assert!(err.contains("warning") && err.contains(&as_of), "{err}");
    let (_, err) = run("2027-12-20", "1");
    assert!(err.is_empty(), "PICK_STALE_OK silences it: {err}");
}

#[test]
fn misspelt_keys_and_references_get_a_suggestion() {
    let dir = temp_dir("suggest");
    let file = dir.join("c.toml");
    std::fs::write(
        &file,
        "[[model]]\nid = \"x\"\nnmae = \"y\"\n\n[[model]]\nid = \"z\"\nname = \"Z\"\nvendor = \"V\"\nfamily = \"qwen-3\"\nweights = \"api\"\nreleased = 2025-01-01\nlicense = \"api-openai\"\nmodalities = [\"text\"]\ncontext_tokens = 8192\nprice_input_per_m = 1.0\nprice_output_per_m = 2.0\nprice_as_of = 2025-01-01\n[model.sources]\nprice = \"https://example.org\"\n",
    )
    .unwrap();
    let r = pick(&["catalog", "check", file.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    // Both entries are reported: a schema error in one does not hide the other's problem.
    assert!(
        r.stderr.contains(":3:1: unknown field `nmae`")
            && r.stderr.contains("did you mean `name`?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            ":9: model `z`: family `qwen-3` is not in the catalog (did you mean `qwen3`?)"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn compiled_catalogs_load_like_their_sources() {
    let dir = temp_dir("compile");
    let out = dir.join("models.pickcat");
    let r = pick(&[
        "catalog",
        "compile",
        "catalogs/override.toml",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("compiled 2 models"), "{}", r.stdout);
    // Same answers from the compiled form as from the TOML.
    for args in [
        vec!["show", "acme/acme-8b", "--format", "json"],
        vec!["list", "--format", "ids"],
    ] {
        let toml = pick_env(&args, &[("PICK_CATALOG", "catalogs/override.toml")]);
        let compiled = pick_env(&args, &[("PICK_CATALOG", out.to_str().unwrap())]);
        assert_eq!(compiled.code, 0, "{}", compiled.stderr);
        let strip = |s: &str| {
            s.replace(out.to_str().unwrap(), "")
                .replace("catalogs/override.toml", "")
        };
        let (a, b) = (strip(&toml.stdout), strip(&compiled.stdout));
        if args[0] == "list" {
            assert_eq!(a, b);
        } else {
            assert!(
                b.contains("\"id\": \"acme-8b\"") || b.contains("\"id\":\"acme-8b\""),
                "{b}"
            );
        }
    }
    // A catalog with problems is not compiled, and nothing is written.
    let bad = dir.join("bad.pickcat");
    let r = pick(&[
        "catalog",
        "compile",
        "catalogs/semantic.toml",
        "-o",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("nothing was written") && !bad.exists(),
        "{}",
        r.stderr
    );
    // A damaged compiled file is a clear error, exit 2.
    let mut bytes = std::fs::read(&out).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&bad, bytes).unwrap();
    let r = pick_env(&["list"], &[("PICK_CATALOG", bad.to_str().unwrap())]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("damaged"), "{}", r.stderr);
    // One compiled by an older format (v1 held dates as text, v2 grouped entries by file, v3 held
    // the models in one run), or by a pick whose catalog schema differs (the hash after the
    // version), is refused by its header, not misread: exit 2.
    let header = b"pick compiled catalog v4 ".len();
    for (at, byte) in [(header - 2, b'1'), (header, b'z')] {
        let mut bytes = std::fs::read(&out).unwrap();
        bytes[at] = byte;
        std::fs::write(&bad, bytes).unwrap();
        let r = pick_env(&["list"], &[("PICK_CATALOG", bad.to_str().unwrap())]);
        assert_eq!(r.code, 2);
        assert!(
            r.stderr.contains("another version or build of pick")
                && r.stderr.contains("compile it again"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn licenses_table_says_what_the_json_says() {
    let t = pick(&["licenses"]).stdout;
    // Columns: id, name, tier, grants, no rights above, display above, territory, fine-tunes,
    // outputs, hosting (cells are separated by two spaces or more).
    let row = |id: &str| -> Vec<String> {
        let line = t
            .lines()
            .map(|l| l.trim_matches(|c: char| c == '|' || c.is_whitespace()))
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("{id} in\n{t}"));
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect()
    };
    // Gemma §1.1(e): a student "to perform similarly to Gemma" is a Model Derivative.
    assert_eq!(
        row("gemma")[8],
        "student performing similarly is a derivative"
    );
    assert_eq!(
        row("deepseek")[8],
        "student performing similarly is a derivative"
    );
    // Kimi's 100M MAU is a display duty, not a limit on rights.
    let kimi = row("kimi-modified-mit");
    assert_eq!(
        (
            kimi[4].as_str(),
            kimi[5].contains("100M MAU (product, commercial)")
        ),
        ("-", true),
        "{kimi:?}"
    );
    assert_eq!(row("llama3.1")[4], "700M MAU (licensee)");
    // Plain CC BY-NC restricts the material, not outputs (Cohere's terms do).
    assert_eq!(row("cc-by-nc-4.0")[8], "allowed");
    assert_eq!(row("cohere-c4ai-nc")[8], "within the grant only");
    assert_eq!(
        row("tencent-hunyuan-community")[6],
        "EU, GB, KR (domicile, users, hosting)"
    );
    // The missing families are there.
    for id in [
        "llama2",
        "llama3",
        "tongyi-qianwen",
        "mistral-non-production",
        "bigcode-openrail-m",
    ] {
        row(id);
    }
    let j: serde_json::Value =
        serde_json::from_str(&pick(&["licenses", "--format", "json"]).stdout).unwrap();
    let by_id = |id: &str| {
        j["licenses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("gemma")["outputs_training"], "derivative");
    assert_eq!(by_id("cc-by-nc-4.0")["outputs_training"], "allowed");
    assert_eq!(by_id("llama3")["outputs_training"], "forbidden");
}

#[test]
fn list_and_recommender_count_the_same_catalog() {
    let listed = json(&pick(&["list", "--format", "json"]))["models"]
        .as_array()
        .unwrap()
        .len();
    let announced = json(&pick(&["list", "--weights", "none", "--format", "json"]))["models"]
        .as_array()
        .unwrap()
        .len();
    assert!(announced > 0, "the catalog lists announced models");
    let total = listed + announced;
    let list = pick(&["list"]).stdout;
    assert!(
        list.contains(&format!("{listed} of {total} models"))
            && list.contains(&format!("{announced} announced and never released")),
        "{list}"
    );
    let query = pick(&["--license", "apache", "--gpus", "4xH100"]).stdout;
    assert!(
        query.contains(&format!(" of {total} models qualify")),
        "{query}"
    );
}
