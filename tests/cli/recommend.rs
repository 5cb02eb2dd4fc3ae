use super::*;
use serde_json::Value;

fn rec(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let r = pick(&a);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

#[test]
fn apache_on_4xh100_the_main_job() {
    let v = rec(&["--license", "apache", "--gpus", "4xH100", "--top", "100"]);
    assert_eq!(v["schema_version"], 1);
    let candidates = v["candidates"].as_array().unwrap();
    assert!(candidates.len() >= 10);
    for c in candidates {
        assert_eq!(c["license"]["id"], "apache-2.0", "{}", c["id"]);
        for key in [
            "rank",
            "id",
            "score",
            "license",
            "plan",
            "cost_per_million_tokens_usd",
            "reasons",
        ] {
            assert!(c.get(key).is_some(), "candidate lacks {key}");
        }
        let plan = &c["plan"];
        for key in ["precision", "tensor_parallel", "replicas", "gpus_used"] {
            assert!(plan[key].is_string() || plan[key].is_u64(), "plan.{key}");
        }
        assert!(plan["gpus_used"].as_u64().unwrap() <= 4);
        for r in c["reasons"].as_array().unwrap() {
            assert!(["pass", "info", "warn"].contains(&r["level"].as_str().unwrap()));
        }
    }
    // Every candidate's plan fits per `pick fit`, at the same precision and TP.
    for c in candidates.iter().take(8) {
        let id = c["id"].as_str().unwrap();
        let precision = c["plan"]["precision"].as_str().unwrap();
        let f = json(&pick(&[
            "fit",
            id,
            "--gpus",
            "4xH100",
            "--precision",
            if precision == "mxfp4" {
                "auto"
            } else {
                precision
            },
            "--format",
            "json",
        ]));
        let tp = c["plan"]["tensor_parallel"].as_u64().unwrap();
        let fitting = f["plans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["precision"] == precision && p["fits"] == true);
        assert!(fitting, "{id} {precision} TP{tp} should fit per pick fit");
    }
    // The Llama, Gemma, Qwen-licensed and research-licensed models are excluded with reasons.
    for id in [
        "llama-3.1-70b",
        "gemma-3-27b",
        "qwen2.5-72b",
        "mistral-large-2407",
        "qwen2.5-3b",
        "command-r-plus",
    ] {
        let codes = excluded_codes(&v, id);
        assert!(
            codes.contains(&"license-not-allowed".to_string()),
            "{id}: {codes:?}"
        );
    }
    assert!(
        excluded_codes(&v, "mistral-large-2407").contains(&"license-non-commercial".to_string())
    );
    assert!(excluded_codes(&v, "deepseek-v3").contains(&"fit-insufficient-memory".to_string()));
    for e in v["excluded"].as_array().unwrap() {
        let reasons = e["reasons"].as_array().unwrap();
        assert!(!reasons.is_empty(), "{}", e["id"]);
        assert!(reasons.iter().all(|r| r["level"] == "fail"));
    }
    // Every model is either a candidate or excluded.
    let total =
        v["candidates_total"].as_u64().unwrap() + v["excluded"].as_array().unwrap().len() as u64;
    let all = pick(&["list", "--weights", "open", "--format", "ids"])
        .stdout
        .lines()
        .count()
        + pick(&["list", "--weights", "api", "--format", "ids"])
            .stdout
            .lines()
            .count()
        + pick(&["list", "--weights", "none", "--format", "ids"])
            .stdout
            .lines()
            .count();
    assert_eq!(total as usize, all);
}

#[test]
fn explain_prints_every_exclusion() {
    let r = pick(&["--license", "apache", "--gpus", "4xH100", "--explain"]);
    assert_eq!(r.code, 0);
    for want in [
        "llama-3.1-70b",
        "license-not-allowed",
        "gemma-2-9b",
        "mistral-large-2407",
        "license-non-commercial",
        "primary:",
        "fallback:",
    ] {
        assert!(r.stdout.contains(want), "missing {want}");
    }
}

#[test]
fn economics_equal_a_hand_computation() {
    // One replica of the chosen plan at $2.00/GPU-h serving 500k tokens/h:
    // cost per 1M = gpus_used x 2.00 / min(load, capacity) x 1e6.
    let v = rec(&[
        "--license",
        "apache",
        "--gpus",
        "2xH100",
        "--gpu-price",
        "2.00",
        "--tokens-per-hour",
        "500k",
        "--top",
        "3",
    ]);
    for c in v["candidates"].as_array().unwrap() {
        let gpus = c["plan"]["gpus_used"].as_f64().unwrap();
        let capacity = c["plan"]["capacity_tokens_per_hour"].as_f64().unwrap()
            / c["plan"]["replicas_available"].as_f64().unwrap()
            * c["plan"]["replicas"].as_f64().unwrap();
        let want = gpus * 2.0 / 500_000f64.min(capacity) * 1e6;
        let got = c["cost_per_million_tokens_usd"].as_f64().unwrap();
        assert!((got - want).abs() < 0.002, "{}: {got} vs {want}", c["id"]);
        assert!((c["hourly_cost_usd"].as_f64().unwrap() - gpus * 2.0).abs() < 1e-9);
    }
}

#[test]
fn dense_70b_beats_deepseek_at_low_load_and_the_gap_closes() {
    // Reference case: a 70B dense on 2 GPUs vs DeepSeek-V3 on 8xH200, same $/GPU-h.
    let cost = |model: &str, gpus: &str, load: &str| {
        // The floor is off: this is about economics, whatever the capability.
        let v = rec(&[
            "--gpus",
            gpus,
            "--gpu-price",
            "3.00",
            "--tokens-per-hour",
            load,
            "--top",
            "200",
            "--min-capability",
            "0",
        ]);
        let c = v["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == model)
            .unwrap_or_else(|| panic!("{model} on {gpus}"))
            .clone();
        c["cost_per_million_tokens_usd"].as_f64().unwrap()
    };
    let low = cost("deepseek-v3", "8xH200", "200k") / cost("llama-3.3-70b", "2xH200", "200k");
    // 3M/h with peaks of 4.5M/h: what both plans still carry (one DeepSeek-V3 replica on 8x H200,
    // the 70B on 2x H200).
    let high = cost("deepseek-v3", "8xH200", "3M") / cost("llama-3.3-70b", "2xH200", "3M");
    assert!(low > 3.0, "at low load the 70B is far cheaper: ratio {low}");
    assert!(high < low, "the gap closes as load grows: {low} -> {high}");
}

#[test]
fn license_context_flags() {
    let eu = rec(&["--region", "eu", "--top", "200"]);
    assert!(excluded_codes(&eu, "llama-4-scout").contains(&"license-region".to_string()));
    assert!(
        excluded_codes(&eu, "llama-3.2-3b").is_empty()
            || !excluded_codes(&eu, "llama-3.2-3b").contains(&"license-region".to_string())
    );
    let mau = rec(&["--mau", "800M", "--top", "200"]);
    assert!(excluded_codes(&mau, "llama-3.1-8b").contains(&"license-mau-limit".to_string()));
    let hosted = rec(&["--hosted", "--top", "200"]);
    assert!(excluded_codes(&hosted, "falcon-180b").contains(&"license-hosting".to_string()));
    let distill = rec(&["--distill", "--top", "200"]);
    assert!(excluded_codes(&distill, "dbrx").contains(&"license-distill-forbidden".to_string()));
    // CC BY-NC (Command R+) is non-commercial: an academic's research may redistribute.
    let redist = rec(&[
        "--redistribute",
        "--research",
        "--licensee",
        "academic",
        "--top",
        "200",
    ]);
    assert!(
        excluded_codes(&redist, "command-r-plus").is_empty()
            || !excluded_codes(&redist, "command-r-plus")
                .contains(&"license-non-commercial".to_string())
    );
    let ctx = rec(&["--context", "100k", "--top", "200"]);
    assert!(excluded_codes(&ctx, "falcon-180b").contains(&"context-too-short".to_string()));
    let vision = rec(&["--modality", "vision", "--top", "200"]);
    assert!(excluded_codes(&vision, "llama-3.1-8b").contains(&"modality-missing".to_string()));
    let api = rec(&["--top", "200"]);
    assert!(excluded_codes(&api, "gpt-5").contains(&"api-only".to_string()));
    let with_api = rec(&["--include-api", "--top", "200"]);
    let gpt5 = with_api["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "gpt-5")
        .unwrap();
    assert!(gpt5["plan"].is_null());
    assert!(
        (gpt5["cost_per_million_tokens_usd"].as_f64().unwrap() - 11.25).abs() < 1e-9,
        "$10 out + 1 x $1.25 in"
    );
}

#[test]
fn no_candidate_exits_1_and_says_why() {
    let r = pick(&["--license", "apache", "--gpus", "L4", "--context", "1M"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("no model qualifies")
            && r.stdout.contains("excluded most")
            && r.stdout.contains("nearest miss"),
        "{}",
        r.stdout
    );
}

#[test]
fn ranking_is_deterministic_and_formats_agree() {
    let a = pick(&["--gpus", "8xH100", "--format", "json"]).stdout;
    let b = pick(&["--gpus", "8xH100", "--format", "json"]).stdout;
    assert_eq!(a, b);
    let ids = pick(&["--gpus", "8xH100", "--format", "ids"]).stdout;
    let v: Value = serde_json::from_str(&a).unwrap();
    let json_ids = candidate_ids(&v);
    assert_eq!(ids.lines().collect::<Vec<_>>(), json_ids);
    let csv = pick(&["--gpus", "8xH100", "--format", "csv"]).stdout;
    assert_eq!(csv.lines().count(), json_ids.len() + 1);
    // CSV is data: the JSON's values under its field names, numbers that parse.
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    for (line, c) in lines.zip(v["candidates"].as_array().unwrap()) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[col("id")], c["id"].as_str().unwrap());
        let cost: f64 = f[col("cost_per_million_tokens_usd")].parse().unwrap();
        assert!(
            (cost - c["cost_per_million_tokens_usd"].as_f64().unwrap()).abs() < 1e-3,
            "{line}"
        );
        let gpus: u64 = f[col("gpus_used")].parse().unwrap();
        assert_eq!(gpus, c["plan"]["gpus_used"].as_u64().unwrap(), "{line}");
        let _: f64 = f[col("capacity_tokens_per_hour")].parse().unwrap();
    }
    // The primary is the best-ranked candidate rated on the axis.
    let primary_rank = v["primary_rank"].as_u64().unwrap() as usize;
    assert_eq!(v["primary"], json_ids[primary_rank - 1]);
    assert!(v["candidates"][primary_rank - 1]["capability"]["value"].is_f64());
    for c in &v["candidates"].as_array().unwrap()[..primary_rank - 1] {
        assert!(
            c["capability"]["value"].is_null(),
            "{} ranks above the primary unrated",
            c["id"]
        );
    }
    let fallback = v["fallback"].as_str().unwrap();
    let vendor = |id: &str| {
        v["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["vendor"].clone())
    };
    if let Some(fv) = vendor(fallback) {
        assert_ne!(Some(fv), vendor(json_ids[0]));
    }
}

#[test]
fn bad_recommend_input_exits_2() {
    for args in [
        &["--license", "nonsense"][..],
        &["--gpus", "0xH100"],
        &["--top", "0"],
        &["--tokens-per-hour", "lots"],
        &["--gpu-price", "-1"],
        &["--context", "12q"],
    ] {
        let r = pick(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty());
    }
}

#[test]
fn prefer_changes_weights() {
    let q = rec(&["--gpus", "8xH100", "--prefer", "quality", "--top", "1"]);
    let c = rec(&["--gpus", "8xH100", "--prefer", "cost", "--top", "1"]);
    assert_eq!(q["query"]["prefer"], "quality");
    // Preferring quality puts a rated model first, at least as capable as the cost preference's
    // first (which may be unrated: its capability weight is spread over the other components).
    let value = |v: &Value| v["candidates"][0]["capability"]["value"].as_f64();
    let quality = value(&q).expect("a rated model leads a quality ranking");
    assert!(value(&c).is_none_or(|v| quality >= v));
}

#[test]
fn lifecycle_and_checkpoints_shape_the_ranking() {
    let v = json(&pick(&[
        "--include-api",
        "--top",
        "1000",
        "--format",
        "json",
    ]));
    let ids = candidate_ids(&v);
    let excluded = |id: &str| -> Vec<String> {
        v["excluded"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .map(|e| {
                e["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["code"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    // Retired API models are never candidates; deprecated ones are, with a warning.
    for retired in ["o4-mini", "grok-4", "claude-sonnet-4.5"] {
        assert!(!ids.contains(&retired), "{retired}");
        assert!(
            excluded(retired).contains(&"model-retired".to_string()),
            "{retired}"
        );
    }
    let gpt5 = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "gpt-5");
    if let Some(c) = gpt5 {
        assert!(c["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "model-deprecated"));
    }
    // A model without a released base carries the warning.
    let q = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "qwen3-32b")
        .unwrap();
    assert!(q["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == "no-base-checkpoint"));
    // --checkpoint base excludes it, with the same code.
    let b = json(&pick(&[
        "--checkpoint",
        "base",
        "--top",
        "1000",
        "--format",
        "json",
    ]));
    assert!(!b["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "qwen3-32b"));
    let why: Vec<&str> = b["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "qwen3-32b")
        .unwrap()["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(why.contains(&"no-base-checkpoint"), "{why:?}");
}

#[test]
fn a_deprecated_model_retires_on_its_shutdown_date() {
    // Every model the catalog lists as deprecated with a shutdown date, ranked the day before that
    // date and on it. Expect: the day before, a candidate (or excluded for other reasons) with a
    // warning that counts 1 day; on the date, excluded as retired, and `list` and `show` say
    // retired too. Nothing in the catalog changes: only the date (PICK_TODAY).
    let list = json(&pick(&["list", "--format", "json"]));
    let deprecated: Vec<(String, String)> = list["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "deprecated" && m["status_date"].is_string())
        .map(|m| {
            let id = m["id"].as_str().unwrap().to_string();
            (id, m["status_date"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(
        !deprecated.is_empty(),
        "the catalog lists deprecated models"
    );
    let ranking_on = |day: &str| {
        let r = pick_env(
            &["--include-api", "--top", "1000", "--format", "json"],
            &[("PICK_TODAY", day)],
        );
        let v = serde_json::from_str::<Value>(&r.stdout).unwrap();
        assert_eq!(
            v["query"]["today"], day,
            "the JSON says which day it answers for"
        );
        v
    };
    let codes = |v: &Value, list: &str, id: &str| -> Vec<(String, String)> {
        v[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["id"] == id)
            .flat_map(|e| e["reasons"].as_array().unwrap().iter())
            .map(|r| {
                let code = r["code"].as_str().unwrap().to_string();
                (code, r["message"].as_str().unwrap().to_string())
            })
            .collect()
    };
    for (id, shutdown) in &deprecated {
        let day = |offset: i64| {
            let d = pick::catalog::Date::parse(shutdown).unwrap();
            pick::catalog::Date::from_days(d.days() + offset).to_string()
        };
        let before = ranking_on(&day(-1));
        let warned = codes(&before, "candidates", id)
            .into_iter()
            .any(|(code, message)| {
                code == "model-deprecated"
                    && message.contains("in 1 day")
                    && !message.contains("in 1 days")
            });
        let retired = |v: &Value| {
            codes(v, "excluded", id)
                .iter()
                .any(|(code, _)| code == "model-retired")
        };
        assert!(
            warned || (!retired(&before) && !codes(&before, "excluded", id).is_empty()),
            "{id} the day before {shutdown}"
        );
        let on = ranking_on(shutdown);
        assert!(retired(&on), "{id} on {shutdown}");
        assert!(!candidate_ids(&on).contains(&id.as_str()), "{id}");
        let listed = json(&pick_env(
            &["list", "--format", "json"],
            &[("PICK_TODAY", shutdown)],
        ));
        let entry = listed["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id.as_str())
            .unwrap();
        assert_eq!(entry["status"], "retired", "{id}");
        // As a teacher it warns (its terms still bind outputs collected) and excludes no student.
        let taught = pick_env(
            &["--teacher", id, "--top", "1000", "--format", "json"],
            &[("PICK_TODAY", shutdown)],
        );
        let taught: Value = serde_json::from_str(&taught.stdout).unwrap();
        assert!(
            taught["teacher"]["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "model-retired" && f["level"] == "warn"),
            "{id}: {}",
            taught["teacher"]
        );
        let students_excluded_for_it = taught["excluded"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["reasons"].as_array().unwrap())
            .filter(|r| {
                r["code"] == "model-retired"
                    && r["message"].as_str().unwrap().starts_with("teacher")
            })
            .count();
        assert_eq!(students_excluded_for_it, 0, "{id}");
        let shown = pick_env(&["show", id], &[("PICK_TODAY", shutdown)]);
        assert!(
            shown.stdout.contains(&format!("retired {shutdown}")),
            "{}",
            shown.stdout
        );
    }
}

#[test]
fn places_use_licensee_and_domains_on_the_command_line() {
    // Tencent Hunyuan (github.com/Tencent-Hunyuan/Hunyuan-A13B, LICENSE): "THIS LICENSE AGREEMENT
    // DOES NOT APPLY IN THE EUROPEAN UNION, UNITED KINGDOM AND SOUTH KOREA": where the users are
    // counts, not only the licensee's domicile.
    let hunyuan = "hunyuan-a13b";
    let v = rec(&[
        "--region",
        "us",
        "--users-in",
        "us,gb",
        "--hosted-in",
        "us",
        "--top",
        "300",
    ]);
    assert!(excluded_codes(&v, hunyuan).contains(&"license-region".to_string()));
    let v = rec(&[
        "--region",
        "us",
        "--users-in",
        "us",
        "--hosted-in",
        "Japan",
        "--top",
        "300",
    ]);
    assert!(!excluded_codes(&v, hunyuan).contains(&"license-region".to_string()));
    assert_eq!(v["query"]["usage"]["users_in"], serde_json::json!(["us"]));
    assert_eq!(v["query"]["usage"]["hosted_in"], serde_json::json!(["jp"]));
    // Unknown places exit 2 with a did-you-mean, whichever flag.
    for flag in ["--region", "--users-in", "--hosted-in"] {
        let r = pick(&[flag, "mars"]);
        assert_eq!(r.code, 2, "{flag}");
        assert!(r.stderr.contains("unknown region `mars`"), "{}", r.stderr);
    }
    // Llama's 700M clause counts the licensee and its affiliates, whatever the use (§2).
    let v = rec(&["--research", "--group-mau", "800M", "--top", "300"]);
    assert!(excluded_codes(&v, "llama-3.1-8b").contains(&"license-mau-limit".to_string()));
    assert_eq!(v["query"]["usage"]["use"], "research");
    // The Mistral Research License grants research to academics, not to companies.
    let v = rec(&["--use", "research", "--top", "300"]);
    assert!(
        excluded_codes(&v, "mistral-large-2407").contains(&"license-non-commercial".to_string())
    );
    let v = rec(&[
        "--use",
        "research",
        "--licensee",
        "academic",
        "--top",
        "300",
    ]);
    assert!(
        !excluded_codes(&v, "mistral-large-2407").contains(&"license-non-commercial".to_string())
    );
    assert_eq!(v["query"]["usage"]["licensee"], "academic");
    assert_eq!(
        pick(&["--use", "research", "--research"]).code,
        2,
        "one or the other"
    );
    // DeepSeek Attachment A: "For military use in any way;".
    let v = rec(&["--domain", "military", "--top", "300"]);
    assert!(excluded_codes(&v, "deepseek-v3").contains(&"license-use-restricted".to_string()));
    assert!(!excluded_codes(&v, "qwen3-8b").contains(&"license-use-restricted".to_string()));
    // A narrow student is outside DBRX's "any other large language model".
    let v = rec(&["--distill=narrow", "--top", "300"]);
    assert!(!excluded_codes(&v, "dbrx").contains(&"license-distill-forbidden".to_string()));
    assert_eq!(v["query"]["usage"]["student"], "narrow");
    // The value may follow as the next word, as users type it; alone, the student is general.
    assert_eq!(rec(&["--distill", "narrow", "--top", "300"]), v);
    let general = rec(&["--distill", "--top", "1"]);
    assert_eq!(general["query"]["usage"]["student"], "general");
    assert_eq!(rec(&["--top", "1", "--distill"]), general);
    let r = pick(&["--distill", "list"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("possible values: general, narrow"),
        "{}",
        r.stderr
    );
}

#[test]
fn every_binding_license_is_shown() {
    // R1-Distill-Llama-70B is MIT and bound by Llama 3.3 too (DeepSeek-R1 README §7: built on
    // Llama-3.3-70B-Instruct, "originally licensed under llama3.3 license").
    // No quality floor: the point is the licenses shown, whatever the ranking.
    let v = rec(&["--top", "300", "--min-capability", "0"]);
    let c = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "deepseek-r1-distill-llama-70b")
        .expect("a candidate with no constraints");
    assert_eq!(
        c["licenses"],
        serde_json::json!([
            {"id": "mit", "tier": "permissive", "via": "own"},
            {"id": "llama3.3", "tier": "conditional", "via": "also-bound-by"}
        ])
    );
    let table = pick(&["--top", "300", "--min-capability", "0"]).stdout;
    assert!(
        table.contains("mit (permissive) + llama3.3 (conditional)"),
        "{table}"
    );
    let show = pick(&["show", "deepseek-r1-distill-llama-70b"]).stdout;
    assert!(
        show.contains("[llama3.3]") && show.contains("binds via also-bound-by"),
        "{show}"
    );
}

#[test]
fn the_nearest_miss_is_nearest_on_every_criterion() {
    // No model serves 200K tokens on one L4 at the default load: the nearest miss named must fail
    // on as few criteria as any excluded model (all of them weighed, sizing included).
    let args = ["--gpus", "1xL4", "--context", "200k"];
    let table = pick(&args);
    assert_eq!(table.code, 1);
    let named = table
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("nearest miss: "))
        .and_then(|l| l.split(':').next())
        .expect("a nearest miss is named")
        .to_string();
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let r = pick(&json_args);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let fails = |e: &Value| e["reasons"].as_array().unwrap().len();
    let self_hostable: Vec<&Value> = v["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            !e["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["code"] == "api-only" || r["code"] == "no-weights")
        })
        .collect();
    let fewest = self_hostable.iter().map(|e| fails(e)).min().unwrap();
    let miss = self_hostable
        .iter()
        .find(|e| e["id"] == named.as_str())
        .unwrap();
    assert_eq!(fails(miss), fewest, "{named}");
}

#[test]
fn the_floor_counts_alike_whether_or_not_every_reason_is_wanted() {
    // The table sizes a model only when it clears the quality floor (rated at or above it, or
    // unrated and not smaller than the median rated candidate); JSON and --explain size every model. A model under the floor that one L4 also cannot serve at the load is below the
    // floor in both, with its sizing reason as well where every reason is wanted.
    let args = ["--gpus", "1xL4", "--license", "apache"];
    let table = pick(&args).stdout;
    let below: usize = table
        .split(" excluded below it)")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no floor line:\n{table}"));
    let v = rec(&args);
    let excluded = v["excluded"].as_array().unwrap();
    let floored: Vec<&Value> = excluded
        .iter()
        .filter(|e| {
            excluded_codes(&v, e["id"].as_str().unwrap())
                .contains(&"below-quality-floor".to_string())
        })
        .collect();
    assert_eq!(floored.len(), below, "{table}");
    assert!(
        floored.iter().any(|e| {
            let codes = excluded_codes(&v, e["id"].as_str().unwrap());
            codes.contains(&"capacity-below-load".to_string())
        }),
        "a model both under the floor and too slow for the load on one L4"
    );
    // The unrated ones too: the table does not size an unrated model smaller than the median rated
    // candidate above the floor (falcon3-1b, 1.7B against gemma-4-e4b's 8B), JSON gives it both.
    let unrated_and_slow = floored.iter().any(|e| {
        let reasons = e["reasons"].as_array().unwrap();
        reasons.iter().any(|r| r["code"] == "capacity-below-load")
            && reasons.iter().any(|r| {
                r["code"] == "below-quality-floor"
                    && r["message"]
                        .as_str()
                        .unwrap()
                        .starts_with("unrated on general")
            })
    });
    assert!(
        unrated_and_slow,
        "an unrated model below the floor and too slow on one L4"
    );
    // The same candidates, in the same order.
    let ids = candidate_ids(&v);
    let shown = pick(&[&args[..], &["--format", "ids"]].concat()).stdout;
    assert_eq!(shown.lines().collect::<Vec<_>>(), ids);
    let explain = pick(&[&args[..], &["--explain"]].concat()).stdout;
    assert_eq!(explain.matches("below-quality-floor").count(), below);
}
