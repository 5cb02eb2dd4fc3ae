use super::*;

#[test]
fn fit_json_contract() {
    let v = json(&pick(&[
        "fit",
        "llama-3.1-70b",
        "--gpus",
        "4xH100",
        "--format",
        "json",
    ]));
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["model"], "llama-3.1-70b");
    assert_eq!(v["gpus"]["type"], "h100-sxm");
    assert_eq!(v["gpus"]["count"], 4);
    assert_eq!(v["task"], "serve");
    let plans = v["plans"].as_array().unwrap();
    assert!(plans.len() >= 3, "bf16, fp8, int4");
    for p in plans {
        for key in [
            "precision",
            "tensor_parallel",
            "pipeline_parallel",
            "replicas",
            "fits",
            "weights_bytes_total",
            "kv_bytes_per_token",
            "max_concurrency",
            "decode_tokens_per_s_single",
            "decode_tokens_per_s",
            "prefill_tokens_per_s",
        ] {
            assert!(p.get(key).is_some(), "plan lacks {key}");
        }
        for key in ["weights", "kv_cache", "overhead", "total"] {
            assert!(
                p["memory_per_gpu_gib"][key].is_number(),
                "memory_per_gpu_gib.{key}"
            );
        }
        assert_eq!(p["kv_bytes_per_token"], 327_680.0);
    }
    let fixed = json(&pick(&[
        "fit",
        "llama-3.1-70b",
        "--gpus",
        "4xH100",
        "--precision",
        "int8",
        "--format",
        "json",
    ]));
    assert!(fixed["plans"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["precision"] == "int8"));
}

#[test]
fn fit_verdicts_and_exit_codes() {
    let r = pick(&["fit", "deepseek-v3", "--gpus", "4xH100"]);
    assert_eq!(r.code, 1, "nothing fits: exit 1");
    assert!(
        r.stdout.contains("short by") && r.stdout.contains("fits on"),
        "{}",
        r.stdout
    );
    let r = pick(&[
        "fit",
        "deepseek-v3",
        "--gpus",
        "8xH200",
        "--precision",
        "fp8",
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("assumptions"));
}

#[test]
fn fit_local_config_folder() {
    let v = json(&pick(&[
        "fit",
        "local-model",
        "--gpus",
        "H100",
        "--precision",
        "bf16",
        "--format",
        "json",
    ]));
    assert_eq!(v["plans"][0]["weights_bytes_total"], 16_060_522_496.0);
    assert_eq!(v["plans"][0]["kv_bytes_per_token"], 131_072.0);
    let dir = temp_dir("bad-config");
    std::fs::write(
        dir.join("config.json"),
        "{ \"hidden_size\": 4096,\n  nope }",
    )
    .unwrap();
    let r = pick(&["fit", dir.to_str().unwrap(), "--gpus", "H100"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("config.json:2:"), "{}", r.stderr);
}

#[test]
fn fit_training_tasks() {
    let v = json(&pick(&[
        "fit",
        "llama-3.1-8b",
        "--gpus",
        "H100",
        "--task",
        "qlora",
        "--format",
        "json",
    ]));
    assert_eq!(v["plans"][0]["precision"], "nf4");
    assert_eq!(v["plans"][0]["fits"], true);
    let full = pick(&["fit", "llama-3.1-70b", "--gpus", "H100", "--task", "full"]);
    assert_eq!(full.code, 1);
    assert!(
        full.stdout.contains("fits with QLoRA") || full.stdout.contains("fits on"),
        "{}",
        full.stdout
    );
}

#[test]
fn bad_gpu_specs_exit_2_with_help() {
    for spec in [
        "0xH100",
        "4x",
        "x100",
        "99999999999xH100",
        "4xH1OO",
        "2xH100,2xA100",
    ] {
        let r = pick(&["fit", "llama-3.1-8b", "--gpus", spec]);
        assert_eq!(r.code, 2, "{spec}");
        assert!(
            r.stderr.starts_with("pick: error: --gpus"),
            "{spec}: {}",
            r.stderr
        );
    }
    assert!(pick(&["fit", "llama-3.1-8b", "--gpus", "4xH10"])
        .stderr
        .contains("did you mean"));
    for (spec, n) in [("4x h100-sxm", 4), ("2xA100-40GB", 2), ("H100", 1)] {
        let v = json(&pick(&[
            "fit",
            "llama-3.1-8b",
            "--gpus",
            spec,
            "--format",
            "json",
        ]));
        assert_eq!(v["gpus"]["count"], n);
    }
    let r = pick(&[
        "fit",
        "llama-3.1-8b",
        "--gpus",
        "8xh200",
        "--context",
        "32k",
        "--format",
        "json",
    ]);
    assert_eq!(json(&r)["context"], 32_000);
}

#[test]
fn gpus_auto_reads_nvidia_smi() {
    let dir = temp_dir("smi");
    let script = dir.join("nvidia-smi");
    std::fs::write(&script, "#!/bin/sh\necho 'NVIDIA H100 80GB HBM3, 81559 MiB'\necho 'NVIDIA H100 80GB HBM3, 81559 MiB'\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let r = pick_env(
            &["fit", "llama-3.1-8b", "--gpus", "auto", "--format", "json"],
            &[("PICK_NVIDIA_SMI", script.to_str().unwrap())],
        );
        let v = json(&r);
        assert_eq!(v["gpus"]["type"], "h100-sxm");
        assert_eq!(v["gpus"]["count"], 2);
    }
    let r = pick_env(
        &["fit", "llama-3.1-8b", "--gpus", "auto"],
        &[("PICK_NVIDIA_SMI", "/nonexistent/nvidia-smi")],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nvidia-smi"));
}
