//! `pick catalog check`: every problem of a catalog, each with file and line, collected in one pass.
//!
//! Syntax and schema errors come from the TOML parser (file:line:column). The semantic checks below
//! are the ones a reviewer of a catalog change would make: unique ids, references that resolve,
//! values that can exist, a parameter count that agrees with the architecture, and a source for
//! every group of facts.

use super::*;
use crate::arch;
use crate::suggest::elide;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// One finding of the check.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Allowed gap between the stated parameter count and the one derived from the architecture.
pub const PARAMS_TOLERANCE: f64 = 0.03;

/// Checks the embedded catalog from its TOML text.
pub fn check_embedded() -> Vec<Problem> {
    let files: Vec<(String, String)> = embedded_sources()
        .iter()
        .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
        .collect();
    check_texts(&files, None)
}

/// Checks the given files and folders. References may resolve into the embedded catalog (a user
/// file adding one model may use the embedded licenses), but duplicates are looked for among the
/// given files only.
pub fn check_paths(paths: &[PathBuf]) -> Result<Vec<Problem>> {
    let files = read_paths(paths)?;
    let base = Catalog::embedded_with(Detail::Core)?;
    Ok(check_texts(&files, Some(&base)))
}

pub(crate) fn check_texts(files: &[(String, String)], base: Option<&Catalog>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut catalog = Catalog::default();
    let mut texts = IdLines::default();
    let mut seen: BTreeMap<(&'static str, String), (String, usize)> = BTreeMap::new();
    for (name, text) in files {
        texts.add(name, text);
        match parse_file(name, text) {
            Ok(doc) => {
                let ids = doc
                    .family
                    .iter()
                    .map(|x| ("family", &x.id))
                    .chain(doc.model.iter().map(|x| ("model", &x.id)))
                    .chain(doc.license.iter().map(|x| ("license", &x.id)))
                    .chain(doc.gpu.iter().map(|x| ("gpu", &x.id)));
                for (kind, id) in ids {
                    let entry = seen.entry((kind, id.clone())).or_insert((name.clone(), 0));
                    entry.1 += 1;
                    if entry.1 > 1 {
                        let first = entry.0.clone();
                        // Point at this occurrence: the nth in this file when the first is here too.
                        let nth = if first == *name { entry.1 - 1 } else { 0 };
                        problems.push(problem_at_nth(
                            &texts,
                            name,
                            id,
                            nth,
                            format!("duplicate {kind} id `{}` (also in {first})", elide(id)),
                        ));
                    }
                }
                catalog.add_file(name, doc);
            }
            Err(p) => problems.push(p),
        }
    }
    catalog.reindex();
    if let Some(base) = base {
        // Resolve references against the embedded entries the given files do not redefine.
        let mut families: Vec<Family> = base
            .families
            .iter()
            .filter(|b| catalog.family(&b.id).is_none())
            .cloned()
            .collect();
        let mut licenses: Vec<License> = base
            .licenses
            .iter()
            .filter(|b| catalog.license(&b.id).is_none())
            .cloned()
            .collect();
        families.extend(catalog.families.clone());
        licenses.extend(catalog.licenses.clone());
        let mut merged = Catalog {
            families,
            licenses,
            models: catalog.models.clone(),
            gpus: catalog.gpus.clone(),
            ..Catalog::default()
        };
        merged.reindex();
        problems.extend(check_catalog(&merged, &texts));
    } else {
        problems.extend(check_catalog(&catalog, &texts));
    }
    problems
}

fn problem_at(texts: &IdLines, file: &str, id: &str, message: String) -> Problem {
    problem_at_nth(texts, file, id, 0, message)
}

/// A problem located at the `nth` (0-based) entry with this id in the file.
fn problem_at_nth(texts: &IdLines, file: &str, id: &str, nth: usize, message: String) -> Problem {
    let line = texts.line(file, id, nth);
    Problem {
        file: file.to_string(),
        line,
        column: None,
        message,
    }
}

/// The lines of every `id = "<id>"` of each file (an entry's first line worth pointing at), found
/// in one pass per file: looking each problem's line up in the text again took time proportional
/// to problems x text.
#[derive(Debug, Default)]
pub(crate) struct IdLines {
    /// File → id → 1-based lines, in file order.
    files: HashMap<String, HashMap<String, Vec<usize>>>,
}

impl IdLines {
    fn add(&mut self, file: &str, text: &str) {
        let ids = self.files.entry(file.to_string()).or_default();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            let Some(value) = t
                .strip_prefix("id")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('='))
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix('"'))
            else {
                continue;
            };
            if let Some(end) = value.find('"') {
                ids.entry(value[..end].to_string()).or_default().push(i + 1);
            }
        }
    }

    /// Line of the `nth` (0-based) `id = "<id>"` in `file`.
    fn line(&self, file: &str, id: &str, nth: usize) -> Option<usize> {
        self.files.get(file)?.get(id)?.get(nth).copied()
    }
}

/// A finite number >= 0 (NaN and infinities are not; TOML can spell both).
fn non_negative(v: f64) -> bool {
    v.is_finite() && v >= 0.0
}

/// Longest id accepted: catalog ids are short kebab-case names (the longest embedded one has 29
/// characters; Hugging Face repo names have at most 96).
pub const MAX_ID_LEN: usize = 128;

/// What is wrong with an entry's id, if anything: too long, or not kebab-case. Long ids are
/// quoted shortened (`suggest::elide`).
fn id_problem(kind: &str, id: &str) -> Option<String> {
    if too_long(id) {
        let n = id.chars().count();
        Some(format!(
            "{kind} id `{}` is {n} characters long; at most {MAX_ID_LEN}",
            elide(id)
        ))
    } else if !is_kebab(id) {
        Some(format!("{kind} id `{id}` is not kebab-case"))
    } else {
        None
    }
}

fn too_long(id: &str) -> bool {
    id.chars().count() > MAX_ID_LEN
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !id.starts_with(['-', '.'])
        && !id.ends_with(['-', '.'])
}

/// Semantic checks over an assembled catalog.
pub(crate) fn check_catalog(c: &Catalog, texts: &IdLines) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut push =
        |origin: &str, id: &str, msg: String| out.push(problem_at(texts, origin, id, msg));

    for f in &c.families {
        if let Some(problem) = id_problem("family", &f.id) {
            push(&f.origin, &f.id, problem);
            if too_long(&f.id) {
                continue; // every other message would quote the id
            }
        }
        if f.training_tokens_t
            .is_some_and(|t| !(t > 0.0 && t < 1000.0))
        {
            push(
                &f.origin,
                &f.id,
                format!(
                    "family `{}`: training_tokens_t must be in trillions, 0 < t < 1000",
                    f.id
                ),
            );
        }
    }

    for l in &c.licenses {
        let at = |m: String| (l.origin.clone(), l.id.clone(), m);
        let mut issues = Vec::new();
        if let Some(problem) = id_problem("license", &l.id) {
            if too_long(&l.id) {
                push(&l.origin, &l.id, problem);
                continue; // every other message would quote the id
            }
            issues.push(at(problem));
        }
        if l.spdx.trim().is_empty() {
            issues.push(at(format!(
                "license `{}`: spdx is empty (use an SPDX id or LicenseRef-...)",
                l.id
            )));
        }
        if (l.mau_limit.is_some() || l.revenue_limit_usd_month.is_some()) != l.mau_effect.is_some()
        {
            issues.push(at(format!(
                "license `{}`: mau_effect goes with mau_limit or revenue_limit_usd_month",
                l.id
            )));
        }
        if l.mau_limit == Some(0) {
            issues.push(at(format!(
                "license `{}`: mau_limit 0 is impossible (omit it for no limit)",
                l.id
            )));
        }
        if !l.source.starts_with("http") {
            issues.push(at(format!("license `{}`: source must be a URL", l.id)));
        }
        if l.tier == Tier::Permissive
            && (!l.commercial || l.outputs_training == OutputsTraining::Forbidden)
        {
            issues.push(at(format!(
                "license `{}`: a permissive license must allow commercial use and outputs",
                l.id
            )));
        }
        for (o, i, m) in issues {
            push(&o, &i, m);
        }
    }

    let mut aliases: HashMap<String, String> = HashMap::new();
    for g in &c.gpus {
        if let Some(problem) = id_problem("gpu", &g.id) {
            push(&g.origin, &g.id, problem);
            if too_long(&g.id) {
                continue; // every other message would quote the id
            }
        }
        for name in std::iter::once(&g.id).chain(&g.aliases) {
            if name.to_ascii_lowercase() != *name {
                push(
                    &g.origin,
                    &g.id,
                    format!("gpu `{}`: alias `{name}` must be lower-case", g.id),
                );
            }
            if let Some(other) = aliases.insert(name.clone(), g.id.clone()) {
                if other != g.id {
                    push(
                        &g.origin,
                        &g.id,
                        format!("gpu `{}`: name `{name}` is also used by `{other}`", g.id),
                    );
                }
            }
        }
        let plausible = |v: f64, max: f64| v > 0.0 && v < max;
        if !plausible(g.memory_gb, 10_000.0) || !plausible(g.bandwidth_tbs, 100.0) {
            push(
                &g.origin,
                &g.id,
                format!(
                    "gpu `{}`: memory_gb and bandwidth_tbs must be positive and plausible",
                    g.id
                ),
            );
        }
        if g.visible_gib
            .is_some_and(|v| !(v > 0.0 && v <= g.memory_gb * 1.1))
        {
            push(
                &g.origin,
                &g.id,
                format!(
                    "gpu `{}`: visible_gib must be positive and not above memory",
                    g.id
                ),
            );
        }
        if [g.bf16_tflops, g.fp8_tflops, g.fp4_tflops]
            .iter()
            .any(|t| *t < 0.0 || !t.is_finite())
        {
            push(
                &g.origin,
                &g.id,
                format!("gpu `{}`: TFLOPS must be >= 0 (0 = unsupported)", g.id),
            );
        }
        if [g.price_low_usd_h, g.price_high_usd_h]
            .iter()
            .flatten()
            .any(|p| !non_negative(*p))
        {
            push(
                &g.origin,
                &g.id,
                format!("gpu `{}`: prices must be finite numbers >= 0", g.id),
            );
        }
        if [g.interconnect_gbs, g.layer_overhead_us.unwrap_or(0.0)]
            .iter()
            .any(|v| !non_negative(*v))
        {
            push(
                &g.origin,
                &g.id,
                format!(
                    "gpu `{}`: interconnect_gbs and layer_overhead_us must be finite numbers >= 0",
                    g.id
                ),
            );
        }
        if let (Some(lo), Some(hi)) = (g.price_low_usd_h, g.price_high_usd_h) {
            if lo < 0.0 || lo > hi {
                push(
                    &g.origin,
                    &g.id,
                    format!(
                        "gpu `{}`: price_low_usd_h must be >= 0 and <= price_high_usd_h",
                        g.id
                    ),
                );
            }
        }
        if (g.price_low_usd_h.is_some() || g.price_high_usd_h.is_some()) && g.price_as_of.is_none()
        {
            push(
                &g.origin,
                &g.id,
                format!("gpu `{}`: a price needs price_as_of", g.id),
            );
        }
        if g.sources.is_empty() {
            push(&g.origin, &g.id, format!("gpu `{}`: no sources", g.id));
        }
    }

    let mut occurrences: HashMap<(&str, &str), usize> = HashMap::new();
    for m in &c.models {
        let nth = occurrences
            .entry((m.origin.as_str(), m.id.as_str()))
            .or_insert(0);
        for msg in check_model(c, m) {
            out.push(problem_at_nth(
                texts,
                &m.origin,
                &m.id,
                *nth,
                format!("model `{}`: {msg}", elide(&m.id)),
            ));
        }
        *nth += 1;
    }
    out
}

fn check_model(c: &Catalog, m: &Model) -> Vec<String> {
    let mut p = Vec::new();
    // Messages are prefixed with "model `id`: " (shortened) by the caller.
    if too_long(&m.id) {
        let n = m.id.chars().count();
        p.push(format!("id is {n} characters long; at most {MAX_ID_LEN}"));
        return p; // the other checks have nothing to say about a broken entry
    }
    if !is_kebab(&m.id) {
        p.push(format!("id `{}` is not kebab-case", m.id));
    }
    if c.family(&m.family).is_none() {
        p.push(format!(
            "family `{}` is not in the catalog",
            elide(&m.family)
        ));
    }
    for lic in m.license_ids() {
        if c.license(lic).is_none() {
            let hint = crate::suggest::did_you_mean(lic, c.licenses.iter().map(|l| l.id.as_str()));
            p.push(format!(
                "license `{}` is not in the catalog{hint}",
                elide(lic)
            ));
        }
    }
    if m.weights != Weights::None && !(1..=100_000_000).contains(&m.context_tokens) {
        p.push(format!("context_tokens {} is impossible", m.context_tokens));
    }
    if m.context_usable_tokens
        .is_some_and(|u| u == 0 || u > m.context_tokens)
    {
        p.push("context_usable_tokens must be between 1 and context_tokens".into());
    }
    if m.released.year < 2015 {
        p.push(format!(
            "released {} is before any model of this kind",
            m.released
        ));
    }
    if let Some(mmlu) = m.capability_mmlu {
        if !(0.0..=100.0).contains(&mmlu) {
            p.push(format!("capability_mmlu {mmlu} is not a percentage"));
        }
        if m.capability_protocol.is_none() {
            p.push("capability_mmlu needs capability_protocol (base-5shot, base, instruct-5shot, instruct, instruct-cot, reasoning)".into());
        }
        if m.capability_note.is_none() {
            p.push(
                "capability_mmlu needs capability_note (variant, shots, who reported it)".into(),
            );
        }
    }
    let sources = c.sources_of(m);
    if m.capability_mmlu.is_some() && sources.capability.is_none() {
        p.push("capability_mmlu needs sources.capability".into());
    }
    for (group, url) in sources.entries() {
        if !url.starts_with("http") {
            p.push(format!("sources.{group} `{url}` is not a URL"));
        }
    }
    if m.modalities.is_empty() {
        p.push("modalities is empty".into());
    }
    for (key, price) in [
        ("price_input_per_m", m.price_input_per_m),
        ("price_output_per_m", m.price_output_per_m),
    ] {
        if price.is_some_and(|v| !non_negative(v)) {
            p.push(format!("{key} must be a finite number >= 0"));
        }
    }
    if m.training_tokens_t
        .is_some_and(|t| !(t > 0.0 && t < 1000.0))
    {
        p.push("training_tokens_t must be in trillions, 0 < t < 1000".into());
    }
    match m.weights {
        Weights::Api => {
            if m.hf_repo.is_some() || m.arch.is_some() {
                p.push("an API-only model has no hf_repo and no [model.arch]".into());
            }
            match (m.price_input_per_m, m.price_output_per_m, m.price_as_of) {
                // A bad price is reported above.
                (Some(_), Some(_), Some(_)) => {}
                _ => p.push(
                    "an API-only model needs price_input_per_m, price_output_per_m and price_as_of"
                        .into(),
                ),
            }
            if sources.price.is_none() {
                p.push("no sources.price".into());
            }
        }
        Weights::None => {
            if sources.card.is_none() && sources.release.is_none() {
                p.push(
                    "an unreleased model needs sources.card or sources.release (the announcement)"
                        .into(),
                );
            }
        }
        Weights::Open => p.extend(check_open_model(m, &sources)),
    }
    p
}

fn check_open_model(m: &Model, sources: &Sources) -> Vec<String> {
    let mut p = Vec::new();
    match &m.hf_repo {
        Some(repo) if repo.split('/').count() == 2 && !repo.contains(' ') => {}
        Some(repo) => p.push(format!("hf_repo `{repo}` is not `org/name`")),
        None => p.push("open weights need hf_repo".into()),
    }
    for (group, present) in [
        ("card", sources.card.is_some()),
        ("config", sources.config.is_some()),
        ("license", sources.license.is_some()),
    ] {
        if !present {
            p.push(format!(
                "missing sources.{group} (on the model or its family)"
            ));
        }
    }
    if m.architecture.is_none() {
        p.push("architecture (dense | moe) is missing".into());
    }
    if m.native_dtype.is_none() {
        p.push("native_dtype is missing".into());
    }
    if !(m.params_total_b > 0.0 && m.params_total_b < 100_000.0) {
        p.push(format!("params_total_b {} is impossible", m.params_total_b));
    }
    if !(m.params_active_b > 0.0 && m.params_active_b.is_finite()) {
        p.push("params_active_b must be a finite number > 0".into());
    }
    if m.params_active_b > m.params_total_b * 1.0001 {
        p.push(format!(
            "params_active_b {} exceeds params_total_b {}",
            m.params_active_b, m.params_total_b
        ));
    }
    if m.architecture == Some(ArchClass::Dense)
        && (m.params_active_b - m.params_total_b).abs() > m.params_total_b * 0.001
    {
        p.push("a dense model's active parameters equal its total".into());
    }
    if !non_negative(m.extra_params_b) {
        p.push("extra_params_b must be a finite number >= 0".into());
    }
    let Some(a) = &m.arch else {
        p.push("open weights need [model.arch]".into());
        return p;
    };
    let mut arch_problem = |cond: bool, msg: &str| {
        if cond {
            p.push(format!("arch: {msg}"));
        }
    };
    arch_problem(
        a.layers == 0
            || a.hidden_size == 0
            || a.attention_heads == 0
            || a.head_dim == 0
            || a.vocab_size == 0,
        "layers, hidden_size, attention_heads, head_dim and vocab_size must be > 0",
    );
    // Sizes beyond any model are typos (or hostile), and would make the sizing arithmetic overflow.
    use crate::localmodel::{MAX_EXPERTS, MAX_FFN, MAX_HEADS, MAX_LAYERS, MAX_VOCAB, MAX_WIDTH};
    for (key, value, max) in [
        ("layers", a.layers, MAX_LAYERS),
        ("dense_layers", a.dense_layers, MAX_LAYERS),
        ("sliding_window_layers", a.sliding_window_layers, MAX_LAYERS),
        ("hidden_size", a.hidden_size, MAX_WIDTH),
        ("head_dim", a.head_dim, MAX_WIDTH),
        ("q_lora_rank", a.q_lora_rank, MAX_WIDTH),
        ("kv_lora_rank", a.kv_lora_rank, MAX_WIDTH),
        ("qk_rope_head_dim", a.qk_rope_head_dim, MAX_WIDTH),
        ("qk_nope_head_dim", a.qk_nope_head_dim, MAX_WIDTH),
        ("v_head_dim", a.v_head_dim, MAX_WIDTH),
        ("attention_heads", a.attention_heads, MAX_HEADS),
        ("kv_heads", a.kv_heads, MAX_HEADS),
        ("vocab_size", a.vocab_size, MAX_VOCAB),
        ("intermediate_size", a.intermediate_size, MAX_FFN),
        ("moe_intermediate_size", a.moe_intermediate_size, MAX_FFN),
        (
            "shared_expert_intermediate_size",
            a.shared_expert_intermediate_size,
            MAX_FFN,
        ),
        ("experts", a.experts, MAX_EXPERTS),
        ("experts_per_token", a.experts_per_token, MAX_EXPERTS),
        ("shared_experts", a.shared_experts, MAX_EXPERTS),
    ] {
        arch_problem(value > max, &format!("{key} {value} is above {max}"));
    }
    arch_problem(
        a.kv_heads == 0 || a.kv_heads > a.attention_heads,
        "kv_heads must be between 1 and attention_heads",
    );
    arch_problem(
        a.kv_heads > 0 && a.attention_heads % a.kv_heads != 0,
        "attention_heads must be a multiple of kv_heads",
    );
    arch_problem(
        a.attention.is_none(),
        "attention (mha | gqa | mqa | mla) is missing",
    );
    arch_problem(
        a.attention == Some(Attention::Mla) && a.kv_lora_rank == 0,
        "mla needs kv_lora_rank",
    );
    arch_problem(
        a.attention == Some(Attention::Mha) && a.kv_heads != a.attention_heads,
        "mha means kv_heads = attention_heads",
    );
    arch_problem(
        a.attention == Some(Attention::Mqa) && a.kv_heads != 1,
        "mqa means kv_heads = 1",
    );
    arch_problem(
        a.experts_per_token > a.experts,
        "experts_per_token exceeds experts",
    );
    arch_problem(a.dense_layers > a.layers, "dense_layers exceeds layers");
    arch_problem(
        a.sliding_window_layers > a.layers,
        "sliding_window_layers exceeds layers",
    );
    arch_problem(
        (a.sliding_window > 0) != (a.sliding_window_layers > 0),
        "sliding_window and sliding_window_layers go together",
    );
    let moe = m.architecture == Some(ArchClass::Moe);
    arch_problem(
        moe && (a.experts < 2 || a.experts_per_token == 0 || a.moe_intermediate_size == 0),
        "a moe model needs experts, experts_per_token and moe_intermediate_size",
    );
    arch_problem(!moe && a.experts > 0, "a dense model has no experts");
    arch_problem(
        a.dense_layers < a.layers && !moe && a.intermediate_size == 0,
        "intermediate_size is 0",
    );

    if a.layers > 0 && a.hidden_size > 0 {
        let derived = arch::params(a, m.extra_params_b);
        let (total, active) = (derived.total() / 1e9, derived.active() / 1e9);
        let gap = |stated: f64, derived: f64| (derived - stated).abs() / stated.max(1e-9);
        if m.params_note.is_none() {
            if gap(m.params_total_b, total) > PARAMS_TOLERANCE {
                p.push(format!(
                    "params_total_b {} but the architecture gives {total:.3}B ({:+.1}%): fix the numbers, add extra_params_b, or say why in params_note",
                    m.params_total_b,
                    (total / m.params_total_b - 1.0) * 100.0
                ));
            }
            if moe && gap(m.params_active_b, active) > PARAMS_TOLERANCE {
                p.push(format!(
                    "params_active_b {} but the architecture gives {active:.3}B ({:+.1}%): fix the numbers or say why in params_note",
                    m.params_active_b,
                    (active / m.params_active_b - 1.0) * 100.0
                ));
            }
        }
    }
    let unique: HashSet<&Modality> = m.modalities.iter().collect();
    if unique.len() != m.modalities.len() {
        p.push("modalities has duplicates".into());
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The problems of the test fixture `override.toml` with `from` replaced by `to`.
    fn problems_with(from: &str, to: &str) -> Vec<String> {
        let text = include_str!("../../tests/fixtures/catalogs/override.toml");
        assert!(text.contains(from), "{from}");
        let files = vec![("user.toml".to_string(), text.replacen(from, to, 1))];
        let base = Catalog::embedded_with(Detail::Core).unwrap();
        check_texts(&files, Some(&base))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn the_fixture_is_valid() {
        assert_eq!(
            problems_with("layers = 32", "layers = 32"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn impossible_numbers_are_problems() {
        for (from, to, want) in [
            ("head_dim = 128", "head_dim = 0", "must be > 0"),
            ("vocab_size = 128256", "vocab_size = 0", "must be > 0"),
            (
                "layers = 32",
                "layers = 20000",
                "layers 20000 is above 10000",
            ),
            (
                "params_total_b = 8.03",
                "params_total_b = nan",
                "params_total_b NaN is impossible",
            ),
            (
                "params_active_b = 8.03",
                "params_active_b = inf",
                "params_active_b must be a finite number > 0",
            ),
            (
                "params_active_b = 8.03",
                "params_active_b = -8.03",
                "params_active_b must be a finite number > 0",
            ),
            (
                "native_dtype = \"bf16\"",
                "native_dtype = \"bf16\"\nprice_input_per_m = inf",
                "price_input_per_m must be a finite number >= 0",
            ),
            (
                "native_dtype = \"bf16\"",
                "native_dtype = \"bf16\"\nprice_output_per_m = -1.0",
                "price_output_per_m must be a finite number >= 0",
            ),
        ] {
            let p = problems_with(from, to);
            assert!(
                p.iter()
                    .any(|m| m.starts_with("user.toml:8: ") && m.contains(want)),
                "{to}: want {want}: {p:?}"
            );
        }
    }

    #[test]
    fn absurd_expert_counts_are_problems() {
        let p = problems_with(
            "attention = \"gqa\"",
            "attention = \"gqa\"\nexperts = 200000",
        );
        assert!(
            p.iter()
                .any(|m| m.contains("experts 200000 is above 100000")),
            "{p:?}"
        );
    }
}
