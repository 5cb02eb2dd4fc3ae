//! The JSON contract, mirrored: every document `pick` prints is read into structs declared here,
//! each with `deny_unknown_fields`, and written back, which must give the same document. So a field
//! added to or dropped from the output, or a number turned from float to integer, fails here until
//! the mirror is changed with it: a deliberate, reviewed change (README "JSON output"). The mirrors
//! are kept apart from `src/render` on purpose: sharing the types would make the test agree with
//! any change.

// The mirrors exist to be deserialized; most fields are never read.
#![allow(dead_code)]

use super::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Runs pick, expects `code`, and reads stdout as the mirror `T`, which must hold the document
/// exactly: `deny_unknown_fields` rejects a field the mirror lacks, and serializing the mirror back
/// must give the same JSON value, which catches a field the output dropped (a mirror's `Option`
/// would read a missing field as None) and a float that became an integer (serde_json keeps the two
/// apart when comparing values).
fn mirror<T: DeserializeOwned + Serialize>(args: &[&str], code: i32) -> T {
    let r = pick(args);
    assert_eq!(r.code, code, "pick {args:?}\nstderr: {}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("pick {args:?}: not JSON ({e}): {}", r.stdout));
    let typed: T = serde_json::from_value(doc.clone())
        .unwrap_or_else(|e| panic!("pick {args:?}: the output does not match the mirror: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    if back != doc {
        panic!(
            "pick {args:?}: the mirror does not hold the whole document (a field dropped, or a number's type changed)\n{}",
            first_difference(&doc, &back, "")
        );
    }
    typed
}

/// Where two JSON values first differ, for a readable failure.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, path: &str) -> String {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    None => return format!("{path}.{k}: missing from the mirror"),
                    Some(w) if v != w => return first_difference(v, w, &format!("{path}.{k}")),
                    _ => {}
                }
            }
            match y.keys().find(|k| !x.contains_key(*k)) {
                Some(k) => format!("{path}.{k}: not in the output"),
                None => format!("{path}: differs"),
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (v, w))| v != w)
            .map_or(format!("{path}: differs"), |(i, (v, w))| {
                first_difference(v, w, &format!("{path}[{i}]"))
            }),
        _ => format!("{path}: output {a} vs mirror {b}"),
    }
}

// ---- values shared by several documents ----

#[derive(Debug, Deserialize, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum Weights {
    Open,
    Api,
    None,
}

#[derive(Debug, Deserialize, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum ArchClass {
    Dense,
    Moe,
    HybridDense,
    HybridMoe,
}

#[derive(Debug, Deserialize, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum Tier {
    Permissive,
    Conditional,
    NonCommercial,
    Proprietary,
}

#[derive(Debug, Deserialize, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum Level {
    Pass,
    Info,
    Warn,
    Fail,
}

#[derive(Debug, Deserialize, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum Support {
    None,
    Community,
    Partial,
    Full,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Gpus {
    #[serde(rename = "type")]
    gpu: String,
    count: u64,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Reason {
    code: String,
    level: Level,
    message: String,
}

// ---- pick list / pick show ----

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CheckpointEntry {
    kind: String,
    hf_repo: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ListDoc {
    schema_version: u32,
    catalog_as_of: Option<String>,
    models: Vec<ListModel>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ListModel {
    id: String,
    name: String,
    vendor: String,
    family: String,
    hf_repo: Option<String>,
    hf_repo_instruct: Option<String>,
    checkpoints: Vec<CheckpointEntry>,
    base_released: bool,
    base_note: Option<String>,
    specialized: Option<String>,
    status: String,
    status_date: Option<String>,
    superseded_by: Option<String>,
    weights: Weights,
    architecture: Option<ArchClass>,
    params_total_b: Option<f64>,
    params_active_b: Option<f64>,
    context_tokens: u64,
    context_usable_tokens: Option<u64>,
    license: ModelLicense,
    released: String,
    modalities: Vec<String>,
    capability_mmlu: Option<f64>,
    capability_protocol: Option<String>,
    price_input_per_m: Option<f64>,
    price_output_per_m: Option<f64>,
    arch: Option<Arch>,
    catalog_file: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ModelLicense {
    id: String,
    tier: Option<Tier>,
    also_bound_by: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Arch {
    layers: u64,
    hidden_size: u64,
    attention_heads: u64,
    kv_heads: u64,
    head_dim: u64,
    vocab_size: u64,
    intermediate_size: u64,
    tied_embeddings: bool,
    experts: u64,
    experts_per_token: u64,
    shared_experts: u64,
    moe_intermediate_size: u64,
    dense_layers: u64,
    kv_lora_rank: u64,
    qk_rope_head_dim: u64,
    sliding_window: u64,
    sliding_window_layers: u64,
}

/// `pick show`: the list entry's fields, then the card's.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ShowDoc {
    schema_version: u32,
    catalog_as_of: Option<String>,
    id: String,
    name: String,
    vendor: String,
    family: String,
    hf_repo: Option<String>,
    hf_repo_instruct: Option<String>,
    checkpoints: Vec<CheckpointEntry>,
    base_released: bool,
    base_note: Option<String>,
    specialized: Option<String>,
    status: String,
    status_date: Option<String>,
    superseded_by: Option<String>,
    weights: Weights,
    architecture: Option<ArchClass>,
    params_total_b: Option<f64>,
    params_active_b: Option<f64>,
    context_tokens: u64,
    context_usable_tokens: Option<u64>,
    license: ModelLicense,
    released: String,
    modalities: Vec<String>,
    capability_mmlu: Option<f64>,
    capability_protocol: Option<String>,
    price_input_per_m: Option<f64>,
    price_output_per_m: Option<f64>,
    arch: Option<Arch>,
    catalog_file: String,
    family_name: String,
    licenses: Vec<BoundLicenseTerms>,
    sources: Sources,
    params_note: Option<String>,
    context_note: Option<String>,
    position_encoding: Option<String>,
    tokenizer: Option<String>,
    languages: Option<String>,
    native_dtype: Option<String>,
    kv_bytes_per_token_bf16: Option<f64>,
    capability_note: Option<String>,
    price_as_of: Option<String>,
    training_tokens_t: Option<f64>,
    data_openness: Option<DataOpenness>,
    data_note: Option<String>,
    safety: Option<String>,
    cadence: Option<String>,
    ecosystem: Ecosystem,
    overridden: Option<Overridden>,
    notes: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum DataOpenness {
    Open,
    Described,
    Undisclosed,
}

/// Only the fact groups with a source are present.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Sources {
    #[serde(skip_serializing_if = "Option::is_none")]
    card: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paper: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    release: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    training_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    safety: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ecosystem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capability: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Ecosystem {
    serving: Serving,
    finetune: Finetune,
    quant: Quant,
}

/// Every known tool is present; null is unknown.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Serving {
    vllm: Option<Support>,
    sglang: Option<Support>,
    trtllm: Option<Support>,
    llamacpp: Option<Support>,
    ollama: Option<Support>,
    tgi: Option<Support>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Finetune {
    axolotl: Option<Support>,
    llamafactory: Option<Support>,
    trl: Option<Support>,
    peft: Option<Support>,
    unsloth: Option<Support>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Quant {
    fp8: Option<Support>,
    awq: Option<Support>,
    gptq: Option<Support>,
    gguf: Option<Support>,
    bnb: Option<Support>,
    mlx: Option<Support>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Overridden {
    replaced: String,
    by: String,
}

// ---- pick licenses / pick gpus ----

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct LicensesDoc {
    schema_version: u32,
    licenses: Vec<LicenseTerms>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct LicenseTerms {
    id: String,
    name: String,
    spdx: String,
    hf_license: Option<String>,
    hf_license_names: Vec<String>,
    tier: Tier,
    commercial: bool,
    mau_limit: Option<u64>,
    mau_effect: Option<String>,
    revenue_limit_usd_month: Option<u64>,
    redistribute_finetunes: String,
    outputs_training: String,
    eu_multimodal_excluded: bool,
    hosting: String,
    attribution: Vec<String>,
    notice: Option<String>,
    aup: Option<String>,
    source: String,
    grant: Vec<Grant>,
    thresholds: Vec<Threshold>,
    territories: Vec<Territory>,
    outputs: Outputs,
    hosting_terms: HostingTerms,
    duties: Vec<Duty>,
    aup_transcribed: bool,
    restrictions: Vec<Restriction>,
    versions: Vec<Version>,
}

/// `show`'s binding licenses: why it binds, then the terms (flatten cannot deny unknown fields,
/// so the fields are repeated).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct BoundLicenseTerms {
    via: String,
    id: String,
    name: String,
    spdx: String,
    hf_license: Option<String>,
    hf_license_names: Vec<String>,
    tier: Tier,
    commercial: bool,
    mau_limit: Option<u64>,
    mau_effect: Option<String>,
    revenue_limit_usd_month: Option<u64>,
    redistribute_finetunes: String,
    outputs_training: String,
    eu_multimodal_excluded: bool,
    hosting: String,
    attribution: Vec<String>,
    notice: Option<String>,
    aup: Option<String>,
    source: String,
    grant: Vec<Grant>,
    thresholds: Vec<Threshold>,
    territories: Vec<Territory>,
    outputs: Outputs,
    hosting_terms: HostingTerms,
    duties: Vec<Duty>,
    aup_transcribed: bool,
    restrictions: Vec<Restriction>,
    versions: Vec<Version>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Grant {
    uses: Vec<String>,
    licensees: Vec<String>,
    clause: String,
    quote: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Threshold {
    metric: String,
    limit: u64,
    counted: String,
    applies: String,
    effect: String,
    display: Option<String>,
    counted_before: Option<String>,
    clause: String,
    quote: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Territory {
    excluded: Vec<String>,
    parties: Vec<String>,
    models: String,
    end_users_exempt: bool,
    clause: String,
    quote: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Outputs {
    training: String,
    barred: Option<String>,
    student: String,
    naming: Option<String>,
    clause: Option<String>,
    quote: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct HostingTerms {
    allowed: bool,
    distribution: bool,
    background_exempt: bool,
    clause: Option<String>,
    quote: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Duty {
    text: String,
    clause: String,
    when: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Restriction {
    domains: Vec<String>,
    clause: String,
    quote: String,
    conditional: bool,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Version {
    date: String,
    sha256: Option<String>,
    url: Option<String>,
    revisions: Vec<String>,
    terms: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct GpusDoc {
    schema_version: u32,
    gpus: Vec<Gpu>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Gpu {
    id: String,
    name: String,
    aliases: Vec<String>,
    vendor: String,
    memory_gb: f64,
    usable_gib: Option<f64>,
    usable_measured: bool,
    bandwidth_tbs: f64,
    bf16_tflops: f64,
    fp8_tflops: f64,
    fp4_tflops: f64,
    interconnect: Option<String>,
    price_low_usd_h: Option<f64>,
    price_high_usd_h: Option<f64>,
    price_as_of: Option<String>,
    price_typical_usd_h: Option<f64>,
    price_typical_source: Option<String>,
    price_typical_as_of: Option<String>,
    price_default_usd_h: Option<f64>,
    sources: Vec<String>,
}

// ---- pick fit ----

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct FitDoc {
    schema_version: u32,
    model: String,
    gpus: Gpus,
    task: String,
    engine: String,
    gpus_per_node: u64,
    context: u64,
    concurrency: u64,
    plans: Vec<FitPlan>,
    /// Findings about the request as a whole (`context-too-short`).
    findings: Vec<Reason>,
    assumptions: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct FitPlan {
    precision: String,
    tensor_parallel: u64,
    pipeline_parallel: u64,
    expert_parallel: u64,
    replicas: u64,
    gpus_used: u64,
    fits: bool,
    best: bool,
    weights_bytes_total: f64,
    kv_bytes_per_token: f64,
    state_bytes_per_sequence: f64,
    memory_per_gpu_gib: Memory,
    budget_per_gpu_gib: Option<f64>,
    short_by_gib: Option<f64>,
    max_concurrency: u64,
    decode_tokens_per_s_single: Option<f64>,
    decode_tokens_per_s: Option<f64>,
    prefill_tokens_per_s: Option<f64>,
    capacity_tokens_per_hour: Option<f64>,
    train_tokens_per_s: Option<f64>,
    remedies: Vec<String>,
    notes: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Memory {
    weights: Option<f64>,
    kv_cache: Option<f64>,
    overhead: Option<f64>,
    total: Option<f64>,
    gradients: Option<f64>,
    optimizer: Option<f64>,
    activations: Option<f64>,
}

// ---- pick [OPTIONS]: the recommender ----

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RecommendDoc {
    schema_version: u32,
    query: Query,
    candidates: Vec<Candidate>,
    candidates_total: u64,
    primary: Option<String>,
    primary_rank: Option<u64>,
    fallback: Option<String>,
    fallback_rank: Option<u64>,
    cheapest_api: Option<CheapestApi>,
    capability_reference: Option<String>,
    quality_floor: QualityFloor,
    teacher: Option<Teacher>,
    excluded: Vec<Excluded>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct QualityFloor {
    min_capability: f64,
    best_id: Option<String>,
    best_capability: Option<f64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Teacher {
    id: String,
    findings: Vec<Reason>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Query {
    license: String,
    usage: Usage,
    gpus: Option<Gpus>,
    yardstick_gpu: Option<String>,
    task: String,
    context: u64,
    concurrency: u64,
    precision: Option<String>,
    tokens_per_hour: f64,
    peak_factor: f64,
    min_tokens_per_s: Option<f64>,
    input_ratio: f64,
    gpu_price: Option<f64>,
    #[serde(rename = "for")]
    for_task: String,
    min_capability: f64,
    checkpoint: Option<String>,
    teacher: Option<String>,
    modality: Option<String>,
    class: Option<ArchClass>,
    engine: Option<String>,
    finetune_with: Option<String>,
    include_api: bool,
    prefer: String,
    top: u64,
    /// YYYY-MM-DD: the day the ranking answers for.
    today: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Usage {
    commercial: bool,
    mau: Option<u64>,
    region: Option<String>,
    hosted: bool,
    redistribute: bool,
    distill: bool,
    #[serde(rename = "use")]
    purpose: String,
    licensee: String,
    group_mau: Option<u64>,
    revenue_usd_month: Option<u64>,
    users_in: Vec<String>,
    hosted_in: Vec<String>,
    student: Option<String>,
    domains: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Candidate {
    rank: u64,
    id: String,
    name: String,
    vendor: String,
    params_total_b: Option<f64>,
    score: Option<f64>,
    score_components: ScoreComponents,
    capability: Capability,
    license: CandidateLicense,
    licenses: Vec<BoundLicense>,
    weights: Weights,
    plan: Option<CandidatePlan>,
    cost_per_million_tokens_usd: Option<f64>,
    hourly_cost_usd: Option<f64>,
    utilization: Option<f64>,
    break_even_tokens_per_hour: Option<f64>,
    serverless: Option<ServerlessOffer>,
    break_even_serverless_tokens_per_hour: Option<f64>,
    why: String,
    reasons: Vec<Reason>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Capability {
    axis: String,
    value: Option<f64>,
    share_of_best: Option<f64>,
    unrated: Option<String>,
    evidence: Vec<Evidence>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Evidence {
    benchmark: String,
    value: f64,
    checkpoint: String,
    protocol: Option<String>,
    group: String,
    source: String,
    as_of: String,
    weight: f64,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ServerlessOffer {
    provider: String,
    offer: Option<String>,
    cost_per_million_tokens_usd: Option<f64>,
    as_of: String,
    source: String,
    note: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ScoreComponents {
    capability: Option<f64>,
    cost: Option<f64>,
    ecosystem: Option<f64>,
    license: Option<f64>,
    headroom: Option<f64>,
    freshness: Option<f64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CandidateLicense {
    id: String,
    tier: Tier,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct BoundLicense {
    id: String,
    tier: Tier,
    via: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CandidatePlan {
    precision: String,
    tensor_parallel: u64,
    pipeline_parallel: u64,
    expert_parallel: u64,
    replicas: u64,
    replicas_available: u64,
    gpus_used: u64,
    gpus_free: Option<u64>,
    gpu: Option<String>,
    memory_per_gpu_gib: Option<f64>,
    headroom_gib: Option<f64>,
    max_concurrency: u64,
    decode_tokens_per_s_single: Option<f64>,
    capacity_tokens_per_hour: Option<f64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CheapestApi {
    id: String,
    cost_per_million_tokens_usd: Option<f64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Excluded {
    id: String,
    reasons: Vec<Reason>,
}

// ---- pick gate ----

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct GateDoc {
    schema_version: u32,
    passed: bool,
    policy: String,
    today: String,
    models: Vec<GatedModel>,
    policy_findings: Vec<GateFinding>,
    scan: Option<GateScan>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct GateScan {
    paths: Vec<String>,
    files: u64,
    references: u64,
    skipped: Vec<GateSkipped>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct GateSkipped {
    path: String,
    reason: String,
    detail: String,
}

#[derive(Debug, Deserialize, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum Verdict {
    Allowed,
    Excepted,
    Denied,
    Unknown,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct GatedModel {
    #[serde(rename = "ref")]
    reference: String,
    revision: Option<String>,
    id: Option<String>,
    license: Option<String>,
    source: Option<Source>,
    lineage: Vec<LineageStep>,
    licenses: Vec<GateBound>,
    verdict: Verdict,
    location: Location,
    findings: Vec<GateFinding>,
}

#[derive(Debug, Deserialize, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum Source {
    Catalog,
    Lock,
    Cache,
    Hub,
}

#[derive(Debug, Deserialize, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum Relation {
    Finetune,
    Adapter,
    Quantized,
    Merge,
    TrainedOnOutputs,
}

/// One upstream of a gated (or shown) model.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct LineageStep {
    #[serde(rename = "ref")]
    reference: String,
    relation: Relation,
    license: Option<String>,
    source: Option<Source>,
    revision: Option<String>,
    binds: bool,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct GateBound {
    id: String,
    tier: Option<Tier>,
    via: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct GateFinding {
    code: String,
    level: Level,
    message: String,
    location: Option<Location>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Location {
    file: String,
    line: u64,
}

// ---- the tests: one per command, a few values checked beside the shape ----

#[test]
fn json_list() {
    let doc: ListDoc = mirror(&["list", "--format", "json"], 0);
    assert_eq!(doc.schema_version, 1);
    let ids: HashSet<&str> = doc.models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids.len(), doc.models.len(), "ids are unique");
    for m in &doc.models {
        // Architecture facts are published for open weights only.
        assert_eq!(
            m.arch.is_some(),
            m.weights == Weights::Open,
            "{}: arch only for open weights",
            m.id
        );
        assert!(m.license.tier.is_some(), "{}: license terms known", m.id);
    }
    let api = doc.models.iter().find(|m| m.weights == Weights::Api);
    assert!(api.is_some_and(|m| m.hf_repo.is_none()));
}

#[test]
fn json_show_open_model() {
    let doc: ShowDoc = mirror(&["show", "llama-3.1-70b", "--format", "json"], 0);
    assert_eq!(doc.schema_version, 1);
    assert_eq!(
        (doc.id.as_str(), doc.weights),
        ("llama-3.1-70b", Weights::Open)
    );
    assert_eq!(doc.family_name, "Llama 3.1");
    // The fields the JSON once lacked: the table showed them.
    assert!(doc.languages.as_deref().is_some_and(|l| !l.is_empty()));
    assert_eq!(
        doc.data_openness,
        Some(DataOpenness::Undisclosed),
        "inherited from the family"
    );
    assert!(doc.data_note.as_deref().is_some_and(|n| !n.is_empty()));
    assert!(doc.safety.is_some() && doc.training_tokens_t.is_some());
    // Every binding license's terms, its own first.
    assert_eq!(doc.licenses[0].id, doc.license.id);
    assert!(doc.sources.card.is_some() && doc.sources.license.is_some());
    assert_eq!(doc.ecosystem.serving.vllm, Some(Support::Full));
    // 80 layers x 8 KV heads x 128 x K and V x 2 bytes.
    assert_eq!(
        doc.kv_bytes_per_token_bf16,
        Some(80.0 * 8.0 * 128.0 * 2.0 * 2.0)
    );
    assert!(doc.overridden.is_none());
}

#[test]
fn json_show_api_model() {
    let doc: ShowDoc = mirror(&["show", "gpt-5", "--format", "json"], 0);
    assert_eq!(doc.weights, Weights::Api);
    assert!(doc.hf_repo.is_none() && doc.arch.is_none() && doc.kv_bytes_per_token_bf16.is_none());
    assert!(doc.price_output_per_m.is_some() && doc.price_as_of.is_some());
    assert_eq!(doc.license.tier, Some(Tier::Proprietary));
    assert!(doc.ecosystem.serving.vllm.is_none(), "no weights to serve");
}

#[test]
fn json_show_moe_mla_model() {
    let doc: ShowDoc = mirror(&["show", "deepseek-v3", "--format", "json"], 0);
    assert_eq!(doc.architecture, Some(ArchClass::Moe));
    let a = doc.arch.as_ref().unwrap();
    assert!(a.experts > 0 && a.experts_per_token > 0 && a.dense_layers > 0);
    assert!(a.kv_lora_rank > 0 && a.qk_rope_head_dim > 0);
    // MLA caches one latent plus the RoPE key per layer.
    assert_eq!(
        doc.kv_bytes_per_token_bf16,
        Some(((a.kv_lora_rank + a.qk_rope_head_dim) * a.layers * 2) as f64)
    );
    assert!(doc.params_active_b < doc.params_total_b);
    assert!(doc.params_note.is_some());
}

#[test]
fn json_show_overridden_model() {
    let doc: ShowDoc = mirror(
        &[
            "show",
            "smollm2-135m",
            "--format",
            "json",
            "--catalog",
            "catalogs/override.toml",
        ],
        0,
    );
    let o = doc.overridden.unwrap();
    assert_eq!(o.by, "catalogs/override.toml");
    assert_eq!(doc.catalog_file, o.by);
}

#[test]
fn json_licenses() {
    let doc: LicensesDoc = mirror(&["licenses", "--format", "json"], 0);
    assert_eq!(doc.schema_version, 1);
    let apache = doc.licenses.iter().find(|l| l.id == "apache-2.0").unwrap();
    assert_eq!((apache.tier, apache.commercial), (Tier::Permissive, true));
    assert!(doc.licenses.iter().any(|l| l.mau_limit.is_some()));
}

#[test]
fn json_gpus() {
    let doc: GpusDoc = mirror(&["gpus", "--format", "json"], 0);
    assert_eq!(doc.schema_version, 1);
    let h100 = doc.gpus.iter().find(|g| g.id == "h100-sxm").unwrap();
    assert!(h100.usable_gib.is_some_and(|u| u > 70.0 && u < 80.0));
    assert!(h100.aliases.iter().any(|a| a == "h100"));
}

#[test]
fn json_fit_serve() {
    let doc: FitDoc = mirror(
        &[
            "fit",
            "llama-3.1-70b",
            "--gpus",
            "2xH100",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(doc.schema_version, 1);
    assert_eq!((doc.gpus.gpu.as_str(), doc.gpus.count), ("h100-sxm", 2));
    assert_eq!(doc.task, "serve");
    assert_eq!((doc.engine.as_str(), doc.gpus_per_node), ("vllm", 8));
    assert_eq!(doc.plans.iter().filter(|p| p.best).count(), 1);
    assert!(doc.plans.iter().all(|p| !p.best || p.fits));
    assert!(doc.plans.iter().all(|p| p.train_tokens_per_s.is_none()));
    assert!(!doc.assumptions.is_empty());
}

#[test]
fn json_fit_training() {
    let doc: FitDoc = mirror(
        &[
            "fit",
            "qwen3-32b",
            "--gpus",
            "8xH100",
            "--task",
            "lora",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(doc.task, "lora");
    let best = doc.plans.iter().find(|p| p.best).unwrap();
    assert!(best.train_tokens_per_s.is_some_and(|t| t > 0.0));
    assert!(best.memory_per_gpu_gib.activations.is_some_and(|a| a > 0.0));
}

#[test]
fn json_fit_that_does_not_fit() {
    let doc: FitDoc = mirror(
        &["fit", "deepseek-v3", "--gpus", "4xH100", "--format", "json"],
        1,
    );
    assert!(doc.plans.iter().all(|p| !p.fits && !p.best));
    assert!(doc
        .plans
        .iter()
        .any(|p| p.short_by_gib.is_some_and(|s| s > 0.0) && !p.remedies.is_empty()));
}

#[test]
fn json_recommend_without_gpus() {
    let doc: RecommendDoc = mirror(&["--format", "json"], 0);
    assert_eq!(doc.schema_version, 1);
    // Without --gpus, each model is sized on the yardstick GPU.
    assert!(doc.query.gpus.is_none());
    assert_eq!(doc.query.yardstick_gpu.as_deref(), Some("h100-sxm"));
    assert_eq!(doc.candidates.len() as u64, doc.query.top);
    assert_eq!(doc.primary.as_deref(), Some(doc.candidates[0].id.as_str()));
    for e in &doc.excluded {
        assert!(e.reasons.iter().all(|r| r.level == Level::Fail), "{}", e.id);
    }
}

#[test]
fn json_recommend_with_gpus() {
    let doc: RecommendDoc = mirror(
        &[
            "--license",
            "apache",
            "--gpus",
            "4xH100",
            "--format",
            "json",
        ],
        0,
    );
    let gpus = doc.query.gpus.as_ref().unwrap();
    assert_eq!((gpus.gpu.as_str(), gpus.count), ("h100-sxm", 4));
    assert!(doc.query.yardstick_gpu.is_none());
    for c in &doc.candidates {
        assert_eq!(c.license.tier, Tier::Permissive, "{}", c.id);
        let plan = c.plan.as_ref().unwrap();
        assert!(plan.gpus_used <= 4 && plan.replicas <= plan.replicas_available);
        assert!(c.reasons.iter().all(|r| r.level != Level::Fail));
    }
}

#[test]
fn json_recommend_with_api_models() {
    let doc: RecommendDoc = mirror(&["--include-api", "--top", "1000", "--format", "json"], 0);
    assert!(doc.query.include_api);
    let api: Vec<&Candidate> = doc
        .candidates
        .iter()
        .filter(|c| c.weights == Weights::Api)
        .collect();
    assert!(!api.is_empty(), "--include-api admits API models");
    for c in api {
        assert!(c.plan.is_none() && c.hourly_cost_usd.is_none(), "{}", c.id);
        assert!(c.cost_per_million_tokens_usd.is_some(), "{}", c.id);
    }
    assert!(doc.cheapest_api.is_some());
}

#[test]
fn json_gate_passing() {
    let doc: GateDoc = mirror(
        &[
            "gate",
            "--policy",
            "gate/pass.toml",
            "--today",
            "2026-06-01",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(doc.schema_version, 1);
    assert!(doc.passed);
    assert_eq!(
        (doc.policy.as_str(), doc.today.as_str()),
        ("tests/fixtures/gate/pass.toml", "2026-06-01")
    );
    assert_eq!(doc.models.len(), 2);
    assert!(doc.models.iter().all(|m| m.verdict == Verdict::Allowed));
    assert_eq!(doc.models[0].revision.as_deref(), Some("0e9e39f"));
}

#[test]
fn json_gate_failing() {
    let doc: GateDoc = mirror(
        &[
            "gate",
            "--policy",
            "gate/fail.toml",
            "--today",
            "2026-06-01",
            "--scan",
            "scan",
            "--format",
            "json",
        ],
        1,
    );
    assert!(!doc.passed);
    let verdict = |r: &str| {
        doc.models
            .iter()
            .find(|m| m.reference == r)
            .unwrap()
            .verdict
    };
    assert_eq!(verdict("google/gemma-2-9b-it"), Verdict::Denied);
    assert_eq!(verdict("acme/secret-model"), Verdict::Unknown);
    assert_eq!(verdict("qwen2.5-72b"), Verdict::Excepted);
    // A scanned reference is located at its file line.
    let scanned = doc
        .models
        .iter()
        .find(|m| m.reference == "someorg/private-model-v2")
        .unwrap();
    // Relative to the repository root, whatever the current folder.
    assert_eq!(
        scanned.location.file,
        "tests/fixtures/scan/configs/deploy.sh"
    );
    let scan = doc.scan.as_ref().unwrap();
    assert_eq!(scan.paths, ["tests/fixtures/scan"]);
    assert!(scan.files >= 3 && scan.references >= 4, "{scan:?}");
    assert_eq!(scanned.id, None);
    assert!(doc
        .policy_findings
        .iter()
        .any(|f| f.code == "exception-unused" && f.location.is_some()));
}

// ---- pick gate --format sarif: SARIF 2.1.0, the subset the gate writes ----

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SarifLog {
    #[serde(rename = "$schema")]
    schema: String,
    version: String,
    runs: Vec<SarifRun>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SarifRun {
    tool: SarifTool,
    results: Vec<SarifResult>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SarifTool {
    driver: SarifDriver,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SarifDriver {
    name: String,
    version: String,
    rules: Vec<SarifRule>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SarifRule {
    id: String,
    name: String,
    short_description: SarifText,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SarifText {
    text: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SarifResult {
    rule_id: String,
    rule_index: u64,
    level: String,
    message: SarifText,
    locations: Vec<SarifLocation>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SarifLocation {
    physical_location: SarifPhysicalLocation,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SarifPhysicalLocation {
    artifact_location: SarifArtifactLocation,
    region: SarifRegion,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SarifArtifactLocation {
    uri: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SarifRegion {
    start_line: u64,
}

#[test]
fn json_gate_sarif() {
    let log: SarifLog = mirror(
        &[
            "gate",
            "--policy",
            "gate/fail.toml",
            "--today",
            "2026-06-01",
            "--format",
            "sarif",
        ],
        1,
    );
    assert_eq!(log.version, "2.1.0");
    let run = &log.runs[0];
    for r in &run.results {
        // Each result names its rule by id and by index.
        assert_eq!(run.tool.driver.rules[r.rule_index as usize].id, r.rule_id);
        assert!(r.level == "error" || r.level == "warning");
        assert_eq!(
            r.locations[0].physical_location.artifact_location.uri,
            "tests/fixtures/gate/fail.toml"
        );
    }
    assert!(run.results.iter().any(|r| r.rule_id == "exception-expired"));
}

// ---- pick show ORG/NAME of a repository the catalog lacks (from the fixture HF cache) ----

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RepoDoc {
    schema_version: u32,
    #[serde(rename = "ref")]
    reference: String,
    revision: String,
    source: Source,
    license: Option<String>,
    declared: RepoDeclared,
    lineage: Vec<LineageStep>,
    relation_inferred: bool,
    architecture: Option<RepoArch>,
    weight_bytes: Option<u64>,
    quantization: Option<String>,
    facts: Vec<RepoFact>,
    files: Vec<RepoFile>,
    hash: String,
    findings: Vec<Reason>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RepoDeclared {
    license: Vec<String>,
    license_name: Option<String>,
    license_link: Option<String>,
    license_file: Option<String>,
    base_model: Vec<String>,
    base_model_relation: Option<Relation>,
    card_problem: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RepoArch {
    architectures: Vec<String>,
    model_type: Option<String>,
    layers: u64,
    hidden_size: u64,
    params: u64,
    experts: u64,
    max_context: u64,
    multimodal: bool,
    torch_dtype: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RepoFact {
    fact: String,
    file: String,
    source: Source,
    revision: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RepoFile {
    name: String,
    sha256: String,
}

#[test]
fn json_show_cached_repository() {
    let doc: RepoDoc = mirror(
        &[
            "show",
            "unsloth/Llama-3.2-1B-Instruct-bnb-4bit",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(doc.schema_version, 1);
    assert_eq!(doc.source, Source::Cache);
    assert_eq!(doc.license.as_deref(), Some("llama3.2"));
    assert_eq!(doc.lineage[0].relation, Relation::Quantized);
    assert!(doc.relation_inferred);
    assert!(doc.facts.iter().all(|f| f.revision == doc.revision));
    assert!(doc.hash.starts_with("sha256:"));
    let unknown: RepoDoc = mirror(&["show", "acme/no-license", "--format", "json"], 0);
    assert!(unknown.license.is_none());
    assert_eq!(unknown.findings[0].code, "license-missing");
}

#[test]
fn json_gate_cached_repositories() {
    let doc: GateDoc = mirror(
        &[
            "gate",
            "--policy",
            "gate/repos.toml",
            "--today",
            "2026-06-01",
            "--format",
            "json",
        ],
        1,
    );
    let gguf = &doc.models[0];
    assert_eq!(gguf.source, Some(Source::Cache));
    assert_eq!(gguf.lineage.len(), 2);
    assert_eq!(gguf.lineage[1].source, Some(Source::Catalog));
    assert_eq!(doc.models[1].source, None, "not resolved");
}
