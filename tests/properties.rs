//! Property tests: no parser panics on any input, and the sizing and ranking invariants hold for
//! every model of the embedded catalog.

use pick::catalog::{read_file, Catalog};
use pick::fit::{self, Precision, Request, Shape};
use pick::license::{Allow, Usage};
use pick::recommend::{self, Hardware, Prefer, Query};
use proptest::prelude::*;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::embedded)
}

fn open_models() -> Vec<&'static pick::catalog::Model> {
    catalog()
        .models
        .iter()
        .filter(|m| m.arch.is_some())
        .collect()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gpu_specs_never_panic(s in "\\PC{0,24}", n in 0u64..100_000, name in "[a-zA-Z0-9 -]{0,12}") {
        let c = catalog();
        let _ = pick::hardware::parse_spec(c, &s);
        let _ = pick::hardware::parse_spec(c, &format!("{n}x{name}"));
        let _ = pick::hardware::parse_nvidia_smi(c, &s);
    }

    #[test]
    fn counts_never_panic_and_round_trip(s in "\\PC{0,16}", n in 0u64..1_000_000_000) {
        let _ = pick::units::parse_count(&s);
        prop_assert_eq!(pick::units::parse_count(&n.to_string()), Ok(n));
        prop_assert_eq!(pick::units::parse_count(&format!("{n}k")), Ok(n * 1000));
    }

    #[test]
    fn catalog_toml_never_panics(s in "\\PC{0,200}") {
        let _ = read_file("fuzz.toml", &s);
        let _ = read_file("fuzz.toml", &format!("[[model]]\n{s}"));
    }

    #[test]
    fn policy_toml_never_panics(s in "\\PC{0,200}", key in "[a-z_]{1,10}", value in "\\PC{0,10}") {
        let c = catalog();
        let _ = pick::gate::parse_policy("pick.toml", &s, c);
        let doc = format!("[usage]\ncommercial = true\n{key} = {value}\n[allow]\ntiers = [\"permissive\"]\n[[model]]\nref = \"{value}\"\n");
        if let Ok(p) = pick::gate::parse_policy("pick.toml", &doc, c) {
            let _ = pick::gate::run(c, &p, &[], pick::catalog::Date::parse("2026-01-01").unwrap());
        }
    }

    #[test]
    fn config_json_never_panics(s in "\\PC{0,200}", layers in 0u64..200, hidden in 0u64..20_000, heads in 0u64..200, kv in 0u64..200) {
        let _ = pick::localmodel::parse_config("config.json", &s);
        let doc = format!("{{\"num_hidden_layers\": {layers}, \"hidden_size\": {hidden}, \"num_attention_heads\": {heads}, \"num_key_value_heads\": {kv}, \"vocab_size\": 32000}}");
        if let Ok(shape) = pick::localmodel::parse_config("config.json", &doc) {
            let gpu = catalog().gpu("h100-sxm").unwrap();
            let _ = fit::fit_explained(&shape, gpu, 8, &Request::serve(4096));
        }
    }

    #[test]
    fn scanned_lines_never_panic(s in "\\PC{0,120}") {
        for r in pick::scan::references_in_line(&s) {
            prop_assert!(r.contains('/'));
        }
    }

    #[test]
    fn more_gpus_never_stop_a_fit(model in 0usize..1000, gpu in 0usize..1000, n in 1u64..16, p in 0usize..4) {
        let models = open_models();
        let c = catalog();
        let m = models[model % models.len()];
        let g = &c.gpus[gpu % c.gpus.len()];
        let shape = Shape::from_model(m).unwrap();
        let precision = [Precision::Bf16, Precision::Fp8, Precision::Int8, Precision::Int4][p];
        let req = Request { precision: Some(precision), ..Request::serve(4096) };
        let fewer = fit::fit(&shape, g, n, &req).plans[0].fits;
        let more = fit::fit(&shape, g, n * 2, &req).plans[0].fits;
        prop_assert!(!fewer || more, "{} fits {}x{} but not {}x at {:?}", m.id, n, g.id, n * 2, precision);
    }

    #[test]
    fn higher_precision_never_uses_less_memory(model in 0usize..1000, n in 1u64..9) {
        let models = open_models();
        let m = models[model % models.len()];
        let shape = Shape::from_model(m).unwrap();
        let order = [Precision::Int4, Precision::Int8, Precision::Fp8, Precision::Bf16];
        let bytes: Vec<f64> = order.iter().map(|p| shape.weight_bytes(*p)).collect();
        for w in bytes.windows(2) {
            prop_assert!(w[0] <= w[1], "{}: {:?}", m.id, bytes);
        }
        let gpu = catalog().gpu("h200").unwrap();
        let per_gpu: Vec<f64> = order.iter().map(|p| fit::serve_plan_at(&shape, gpu, n, &Request::serve(4096), *p, 1, 1).memory.total()).collect();
        for w in per_gpu.windows(2) {
            prop_assert!(w[0] <= w[1], "{}: {:?}", m.id, per_gpu);
        }
    }

    #[test]
    fn more_context_never_lowers_kv(model in 0usize..1000, a in 1u64..300_000, b in 1u64..300_000) {
        let models = open_models();
        let m = models[model % models.len()];
        let shape = Shape::from_model(m).unwrap();
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(shape.kv.per_sequence(lo) <= shape.kv.per_sequence(hi));
        let gpu = catalog().gpu("h100-sxm").unwrap();
        let kv = |ctx| fit::serve_plan_at(&shape, gpu, 8, &Request::serve(ctx), Precision::Bf16, 1, 1).memory.kv_cache;
        prop_assert!(kv(lo) <= kv(hi));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// What every plan `pick fit` prints must hold: never more GPUs than given; no speed for a plan
    /// that does not fit; a batch at least as fast as one sequence; remedies that say something
    /// (no "short by 0.0 GiB", no context limit equal to the one requested).
    #[test]
    fn plans_are_consistent(model in 0usize..1000, gpu in 0usize..1000, n in 1u64..40, ctx in 512u64..200_000, conc in 1u64..64) {
        let models = open_models();
        let c = catalog();
        let m = models[model % models.len()];
        let g = &c.gpus[gpu % c.gpus.len()];
        let shape = Shape::from_model(m).unwrap();
        let req = Request { concurrency: conc, ..Request::serve(ctx) };
        let report = fit::fit_explained(&shape, g, n, &req);
        for p in &report.plans {
            prop_assert!(p.gpus_used() <= n, "{} on {}x{}: {} uses {} GPUs", m.id, n, g.id, p.layout(), p.gpus_used());
            if p.fits {
                prop_assert!(p.perf.decode_aggregate >= p.perf.decode_single * (1.0 - 1e-9),
                    "{} on {}x{} {}: aggregate {} below one sequence {}", m.id, n, g.id, p.layout(), p.perf.decode_aggregate, p.perf.decode_single);
            } else {
                prop_assert_eq!(p.perf, pick::throughput::Perf::default(), "{} on {}x{} {}: speed for a plan that does not fit", m.id, n, g.id, p.layout());
                prop_assert_eq!(p.max_concurrency, 0);
            }
            // Tensor parallelism inside a node; a replica beyond one node takes whole nodes.
            let per_node = report.gpus_per_node;
            prop_assert!(p.tensor_parallel <= per_node, "{} on {}x{}: {}", m.id, n, g.id, p.layout());
            prop_assert!(p.gpus_per_replica() <= per_node || p.gpus_per_replica() % per_node == 0,
                "{} on {}x{}: {} is not whole nodes of {}", m.id, n, g.id, p.layout(), per_node);
            for r in &p.remedies {
                prop_assert!(!r.contains("short by 0.0"), "{}: {}", m.id, r);
                prop_assert!(!r.contains(&format!("context <= {ctx} ")), "{}: {}", m.id, r);
                // "fits on Nx ...": any count inside one node, whole nodes beyond it.
                if let Some(count) = r.strip_prefix("fits on ").and_then(|t| t.split('x').next()).and_then(|c| c.parse::<u64>().ok()) {
                    prop_assert!(count > n && (count <= per_node || count % per_node == 0), "{}: {}", m.id, r);
                }
            }
        }
    }

    /// On GPUs without NVLink (PCIe only), a model one GPU holds runs as replicas, not TP.
    #[test]
    fn replicas_before_tp_without_nvlink(model in 0usize..1000, n in 2u64..9) {
        let models = open_models();
        let m = models[model % models.len()];
        let shape = Shape::from_model(m).unwrap();
        for g in catalog().gpus.iter().filter(|g| !fit::has_scale_up_link(g)) {
            let req = Request { precision: Some(Precision::Bf16), ..Request::serve(4096) };
            let one = fit::serve_plan_at(&shape, g, n, &req, Precision::Bf16, 1, 1);
            let plan = &fit::fit(&shape, g, n, &req).plans[0];
            if one.fits {
                prop_assert_eq!(plan.tensor_parallel, 1, "{} on {}x{}: {}", m.id, n, g.id, plan.layout());
                prop_assert!(plan.replicas > 1);
            }
        }
    }
}

fn query(allow: Allow, gpus: u64, prefer: Prefer) -> Query<'static> {
    let c = catalog();
    Query {
        allow,
        usage: Usage::default(),
        hardware: Hardware {
            gpu: c.gpu("h100-sxm").unwrap(),
            count: gpus,
            given: true,
        },
        fit: Request::serve(8192),
        tokens_per_hour: 1e6,
        peak_factor: pick::economics::DEFAULT_PEAK_FACTOR,
        min_tokens_per_s: None,
        gpu_price: None,
        modality: None,
        class: None,
        checkpoint: None,
        engine: None,
        finetune_with: None,
        include_api: true,
        axis: pick::capability::Axis::General,
        min_capability: None,
        teacher: None,
        prefer,
        top: usize::MAX,
        all_reasons: false,
        today: pick::catalog::embedded_as_of().unwrap(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// (The floor is relative: see below.) A stricter allow-list only removes candidates.
    #[test]
    fn a_stricter_license_filter_never_adds_candidates(gpus in 1u64..9, extra in proptest::sample::subsequence(vec!["permissive", "conditional", "non-commercial", "proprietary", "llama3.1", "gemma", "qwen"], 0..4)) {
        let c = catalog();
        let mut words: Vec<String> = extra.iter().map(|s| (*s).to_string()).collect();
        words.push("apache".into());
        let strict = Allow::parse(c, &words).unwrap();
        let mut wider_words = words.clone();
        wider_words.push("mit".into());
        let wider = Allow::parse(c, &wider_words).unwrap();
        // With the quality floor off: the floor is relative to the best qualifying model, and a
        // wider license set may admit a better one, which raises it.
        let ids = |a: Allow| {
            let mut q = query(a, gpus, Prefer::Balanced);
            q.min_capability = Some(0.0);
            recommend::recommend(c, &q).candidates.into_iter().map(|c| c.id).collect::<std::collections::BTreeSet<_>>()
        };
        let (s, w) = (ids(strict), ids(wider));
        prop_assert!(s.is_subset(&w), "{:?} not within {:?}", s, w);
    }

    #[test]
    fn ranking_is_deterministic(gpus in 1u64..9, prefer in 0usize..4) {
        let prefer = [Prefer::Balanced, Prefer::Quality, Prefer::Cost, Prefer::Ecosystem][prefer];
        let a = recommend::recommend(catalog(), &query(Allow::any(), gpus, prefer));
        let b = recommend::recommend(catalog(), &query(Allow::any(), gpus, prefer));
        let ids = |r: &recommend::Report| r.candidates.iter().map(|c| (c.id.clone(), c.score.to_bits())).collect::<Vec<_>>();
        prop_assert_eq!(ids(&a), ids(&b));
        for w in a.candidates.windows(2) {
            prop_assert!(w[0].score > w[1].score || (w[0].score == w[1].score && w[0].id < w[1].id));
        }
    }
}

/// The gate and the recommender share one license evaluation: for any usage, the license
/// findings that deny a model in the gate are exactly those that exclude it in the recommender.
/// The usage spans every dimension a license reads: use and licensee, product and group users,
/// revenue, the licensee's domicile, where users are and where the model runs, hosting,
/// redistribution, the kind of student trained on outputs, and fields of use.
#[derive(Debug, Clone)]
struct Declared {
    purpose: &'static str,
    licensee: &'static str,
    mau: Option<u64>,
    group_mau: Option<u64>,
    revenue: Option<u64>,
    region: Option<&'static str>,
    users_in: Vec<&'static str>,
    hosted_in: Vec<&'static str>,
    hosted: bool,
    redistribute: bool,
    distill: Option<&'static str>,
    domains: Vec<&'static str>,
}

const PLACES: [&str; 6] = ["de", "us", "eu", "gb", "kr", "jp"];

fn declared_strategy() -> impl Strategy<Value = Declared> {
    let counts = || {
        proptest::option::of(prop_oneof![
            Just(50_000_000u64),
            Just(150_000_000),
            Just(800_000_000)
        ])
    };
    (
        (
            proptest::sample::select(vec!["research", "evaluation", "poc", "production"]),
            proptest::sample::select(vec!["individual", "academic", "nonprofit", "company"]),
            counts(),
            counts(),
            proptest::option::of(prop_oneof![Just(5_000_000u64), Just(25_000_000)]),
        ),
        (
            proptest::option::of(proptest::sample::select(PLACES.to_vec())),
            proptest::sample::subsequence(PLACES.to_vec(), 0..3),
            proptest::sample::subsequence(PLACES.to_vec(), 0..2),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(proptest::sample::select(vec!["general", "narrow"])),
            proptest::sample::subsequence(
                vec![
                    "military",
                    "weapons",
                    "critical-infrastructure",
                    "legal-decisions",
                    "medical",
                    "biometric",
                    "surveillance",
                ],
                0..3,
            ),
        ),
    )
        .prop_map(
            |(
                (purpose, licensee, mau, group_mau, revenue),
                (region, users_in, hosted_in),
                (hosted, redistribute, distill, domains),
            )| Declared {
                purpose,
                licensee,
                mau,
                group_mau,
                revenue,
                region,
                users_in,
                hosted_in,
                hosted,
                redistribute,
                distill,
                domains,
            },
        )
}

fn toml_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn gate_and_recommender_agree(d in declared_strategy(), tiers in proptest::sample::subsequence(vec!["permissive", "conditional", "non-commercial", "proprietary"], 1..4)) {
        let c = catalog();
        let mut policy = format!(
            "[usage]\nuse = \"{}\"\nlicensee = \"{}\"\nhosted = {}\nredistribute = {}\nusers_in = {}\nhosted_in = {}\ndomains = {}\n",
            d.purpose,
            d.licensee,
            d.hosted,
            d.redistribute,
            toml_list(&d.users_in),
            toml_list(&d.hosted_in),
            toml_list(&d.domains),
        );
        for (key, v) in [("mau", d.mau), ("group_mau", d.group_mau), ("revenue_usd_month", d.revenue)] {
            if let Some(v) = v {
                policy.push_str(&format!("{key} = {v}\n"));
            }
        }
        if let Some(r) = d.region {
            policy.push_str(&format!("region = \"{r}\"\n"));
        }
        if let Some(s) = d.distill {
            policy.push_str(&format!("distill = \"{s}\"\n"));
        }
        let tier_list: Vec<String> = tiers.iter().map(|t| format!("\"{t}\"")).collect();
        policy.push_str(&format!("[allow]\ntiers = [{}]\n", tier_list.join(", ")));
        for m in &c.models {
            policy.push_str(&format!("[[model]]\nref = \"{}\"\n", m.id));
        }
        let parsed = pick::gate::parse_policy("pick.toml", &policy, c).unwrap();
        let gate = pick::gate::run(c, &parsed, &[], pick::catalog::Date::parse("2026-01-01").unwrap()).unwrap();

        let mut q = query(Allow::parse(c, &tiers.iter().map(|t| (*t).to_string()).collect::<Vec<_>>()).unwrap(), 8, Prefer::Balanced);
        q.usage = parsed.usage.clone();
        // Every reason wanted (JSON, --explain): the table does not read the licenses of a model
        // another filter already excluded. It ranks the same candidates either way.
        let table = recommend::recommend(c, &q);
        q.all_reasons = true;
        let report = recommend::recommend(c, &q);
        prop_assert_eq!(
            table.candidates.iter().map(|c| &c.id).collect::<Vec<_>>(),
            report.candidates.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
        prop_assert_eq!(table.excluded.len(), report.excluded.len());
        for (model, result) in c.models.iter().zip(&gate.models) {
            let mut gate_codes: Vec<&str> = result.findings.iter().filter(|f| f.finding.level == pick::license::Level::Fail).map(|f| f.finding.code.as_str()).collect();
            let mut rec_codes: Vec<&str> = report
                .excluded
                .iter()
                .find(|e| e.id == model.id)
                .map(|e| e.reasons.iter().map(|r| r.code.as_str()).filter(|code| code.starts_with("license-")).collect())
                .unwrap_or_default();
            gate_codes.sort_unstable();
            rec_codes.sort_unstable();
            prop_assert_eq!(gate_codes, rec_codes, "{} under {:?}", model.id, d);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    /// One plan meaning everywhere: every serving candidate's kept replicas carry the load times
    /// the peak factor; GPUs used = TP x PP x replicas (and no more than given); capacity is
    /// those replicas'; utilization = load / capacity; hourly cost = GPUs used x price.
    #[test]
    fn every_candidate_carries_its_load_and_its_plan_figures_agree(
        gpus in 1u64..9,
        load in prop_oneof![Just(200_000.0f64), Just(1e6), Just(5e6), Just(20e6), Just(50e6)],
        peak in prop_oneof![Just(1.0f64), Just(1.5), Just(2.5)],
        price in prop_oneof![Just(None), Just(Some(2.0f64))],
        prefer in 0usize..4,
    ) {
        let mut q = query(Allow::any(), gpus, [Prefer::Balanced, Prefer::Quality, Prefer::Cost, Prefer::Ecosystem][prefer]);
        q.tokens_per_hour = load;
        q.peak_factor = peak;
        q.gpu_price = price;
        let report = recommend::recommend(catalog(), &q);
        for c in &report.candidates {
            let (Some(plan), Some(e)) = (&c.plan, c.economics) else { continue };
            let capacity = plan.perf.capacity_tokens_per_hour;
            prop_assert!(capacity >= load * peak * 0.999_999, "{}: capacity {} < {} x {}", c.id, capacity, load, peak);
            prop_assert_eq!(plan.gpus_used(), plan.tensor_parallel * plan.pipeline_parallel * plan.replicas);
            prop_assert!(plan.gpus_used() <= gpus, "{} uses {} of {} GPUs", c.id, plan.gpus_used(), gpus);
            prop_assert_eq!(e.gpus_used, plan.gpus_used());
            prop_assert_eq!(e.replicas, plan.replicas);
            prop_assert_eq!(c.gpus_free, Some(gpus - plan.gpus_used()));
            prop_assert!((e.capacity_tokens_per_hour - capacity).abs() <= 1e-6 * capacity.max(1.0));
            prop_assert!((e.utilization - load / capacity).abs() < 1e-9, "{}", c.id);
            prop_assert!((e.hourly_cost - e.gpus_used as f64 * e.price_per_gpu_hour).abs() < 1e-9);
            prop_assert!((e.cost_per_million - e.hourly_cost / load * 1e6).abs() < 1e-6 * e.cost_per_million.max(1.0));
        }
    }

    /// A candidate never has a usable context shorter than the one served, given or default.
    #[test]
    fn no_candidate_has_a_shorter_context_than_requested(
        gpus in 1u64..9,
        context in prop_oneof![Just(None), Just(Some(4096u64)), Just(Some(32_768)), Just(Some(100_000)), Just(Some(131_072)), Just(Some(262_144))],
    ) {
        let mut q = query(Allow::any(), gpus, Prefer::Balanced);
        if let Some(ctx) = context {
            q.fit = Request::serve(ctx);
        }
        let asked = q.fit.context;
        let report = recommend::recommend(catalog(), &q);
        for c in &report.candidates {
            let m = catalog().model(&c.id).unwrap();
            let usable = m.context_usable_tokens.unwrap_or(m.context_tokens);
            prop_assert!(usable >= asked, "{}: usable {} < {}", c.id, usable, asked);
        }
    }
}
