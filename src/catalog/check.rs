//! `pick catalog check`: every problem of a catalog, each with file and line, collected in one pass.
//!
//! Syntax and schema errors come from the TOML parser (file:line:column). The semantic checks below
//! are the ones a reviewer of a catalog change would make: unique ids, references that resolve,
//! values that can exist, a parameter count that agrees with the architecture, and a source for
//! every group of facts.

use super::arch;
use super::*;
use crate::suggest::elide;
use std::collections::HashSet;

/// Allowed gap between the stated parameter count and the one derived from the architecture.
pub const PARAMS_TOLERANCE: f64 = 0.03;

/// Checks the embedded catalog from its TOML text.
pub fn check_embedded() -> Vec<Problem> {
    let files: Vec<(String, &'static str)> = embedded_sources()
        .iter()
        .map(|(n, t)| ((*n).to_string(), *t))
        .collect();
    check_texts(&files, None).1
}

/// Checks the given files and folders together with the embedded catalog they extend: references
/// may resolve into the embedded catalog (a user file adding one model may use the embedded
/// licenses), duplicates are looked for among the given files only, and the embedded catalog's own
/// problems are reported too.
pub fn check_paths(paths: &[PathBuf]) -> Result<Vec<Problem>> {
    let files = read_paths(paths)?;
    let base = Catalog::embedded();
    let mut problems = check_embedded();
    problems.extend(check_texts(&files, Some(&base)).1);
    Ok(problems)
}

/// Reads and checks catalog texts: the catalog they make (entries merged in file order, a repeated
/// id replacing the earlier one) and every problem, syntax, schema and semantic, each at its line.
pub(crate) fn check_texts(
    files: &[(String, &'static str)],
    base: Option<&Catalog>,
) -> (Catalog, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut catalog = Catalog::default();
    let mut texts = Texts::default();
    // (kind, id) → the file that first gave it.
    let mut seen: crate::fasthash::FastMap<(&'static str, String), usize> =
        crate::fasthash::FastMap::default();
    let mut docs = Vec::with_capacity(files.len());
    let read = read_files(files);
    for (file, ((name, text), (doc, found))) in files.iter().zip(read).enumerate() {
        texts.add(name, text.as_ref());
        problems.extend(found);
        let ids = doc
            .family
            .iter()
            .map(|x| ("family", &x.id, x.at))
            .chain(doc.model.iter().map(|x| ("model", &x.id, x.at)))
            .chain(doc.license.iter().map(|x| ("license", &x.id, x.at)))
            .chain(doc.gpu.iter().map(|x| ("gpu", &x.id, x.at)));
        for (kind, id, at) in ids {
            if let Some(first) = seen.insert((kind, id.to_string()), file) {
                let first = &files[first].0;
                problems.push(texts.locate(
                    name,
                    at,
                    "id",
                    format!("duplicate {kind} id `{id}` (also in {first})"),
                ));
            }
        }
        // The name tags each of the file's entries: kept for the run, a tag is a pointer copy.
        docs.push((super::Text::leaked(name.clone()), doc));
    }
    // One merge for every file: entries of a folder of many files are indexed once.
    catalog.absorb(Catalog::gathered(docs));
    let semantic = match base {
        Some(base) => {
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
            families.extend(catalog.families.iter().cloned());
            licenses.extend(catalog.licenses.iter().cloned());
            // The user's models move into the view and back: a large user catalog is not copied.
            let models = std::mem::take(&mut catalog.models);
            let view = Catalog::from_parts(families, models, licenses, Vec::new());
            let mut semantic = check_catalog(&view, &texts);
            catalog.models = view.models;
            catalog.reindex();
            // GPUs are checked on their own (aliases may not collide within the given files).
            let gpus =
                Catalog::from_parts(Vec::new(), Vec::new(), Vec::new(), catalog.gpus.clone());
            semantic.extend(check_catalog(&gpus, &texts));
            semantic
        }
        None => check_catalog(&catalog, &texts),
    };
    problems.extend(semantic);
    for offer in &catalog.serverless {
        let known = catalog.model(&offer.model).is_some()
            || base.is_some_and(|b| b.model(&offer.model).is_some());
        let mut p = Vec::new();
        if !known {
            p.push(format!("model `{}` is not in the catalog", offer.model));
        } else if catalog
            .model(&offer.model)
            .or_else(|| base.and_then(|b| b.model(&offer.model)))
            .is_some_and(|m| m.weights != Weights::Open)
        {
            p.push(format!("model `{}` has no open weights: a serverless offer is for an open model (API models carry their own prices)", offer.model));
        }
        if offer.provider.trim().is_empty() {
            p.push("provider is empty".into());
        }
        for (key, v) in [
            ("price_input_per_m", offer.price_input_per_m),
            ("price_output_per_m", offer.price_output_per_m),
        ] {
            if !v.is_finite() || v < 0.0 {
                p.push(format!("{key} {v} is impossible"));
            }
        }
        if !offer.source.starts_with("http") {
            p.push(format!("source `{}` is not a URL", offer.source));
        }
        problems.extend(
            p.into_iter()
                .map(|m| texts.locate_message(&offer.origin, offer.at, m)),
        );
    }
    problems.extend(check_lineage(&catalog, base, &texts));
    // In reading order: by file as given, then by line.
    let order: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.as_str(), i))
        .collect();
    problems.sort_by_key(|p| (order.get(p.file.as_str()).copied(), p.line));
    (catalog, problems)
}

/// Each `lineage` upstream names a catalog model (of these files or the base) or has the shape
/// of a Hugging Face repo id, which is resolved when the model is evaluated.
fn check_lineage(c: &Catalog, base: Option<&Catalog>, texts: &Texts) -> Vec<Problem> {
    let mut out = Vec::new();
    for m in c.models.iter().filter(|m| !m.lineage.is_empty()) {
        for link in &m.lineage {
            let up = link.upstream.trim();
            let found = c.model(up).or_else(|| base.and_then(|b| b.model(up)));
            let repo_shaped = up.split('/').count() == 2
                && up.split('/').all(|p| {
                    !p.is_empty()
                        && p.len() <= 96
                        && p.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                });
            let message = if found.is_some_and(|u| u.id == m.id) {
                format!("lineage: `{}` is the model itself", elide(up))
            } else if found.is_none() && !repo_shaped {
                let ids = c
                    .models
                    .iter()
                    .chain(base.iter().flat_map(|b| b.models.iter()))
                    .map(|x| x.id.as_str());
                let hint = crate::suggest::did_you_mean(up, ids);
                format!(
                    "lineage: upstream `{}` is neither a catalog id nor a Hugging Face repo id (org/name){hint}",
                    elide(up)
                )
            } else {
                continue;
            };
            out.push(texts.locate(
                &m.origin,
                m.at,
                "lineage",
                format!("model `{}`: {message}", elide(&m.id)),
            ));
        }
    }
    out
}

/// The texts being checked, for pointing a problem at the line of the key it is about. Borrowed,
/// and each file's line index is built only when one of its problems needs a line.
#[derive(Default)]
pub(crate) struct Texts<'t> {
    files: HashMap<&'t str, (&'t str, std::cell::OnceCell<LineIndex>)>,
}

impl<'t> Texts<'t> {
    fn add(&mut self, name: &'t str, text: &'t str) {
        self.files.insert(name, (text, std::cell::OnceCell::new()));
    }

    /// A problem of the entry starting at byte `at` of `file`, placed on the line of the key the
    /// message is about: `key` (`license`, `arch.kv_heads`, `sources.card`), else the entry's
    /// `id` line. Entries from files without text (the embedded binary) get no line.
    fn locate(&self, file: &str, at: usize, key: &str, message: String) -> Problem {
        let Some((text, index)) = self.files.get(file) else {
            return Problem::in_file(file, message);
        };
        let index = index.get_or_init(|| LineIndex::new(text));
        let offset = key_offset(text, at, key)
            .or_else(|| key_offset(text, at, "id"))
            .unwrap_or(at);
        let line = index.line(offset);
        Problem::at_line(file, line, message)
    }

    /// Like `locate`, with the key read off the message itself: messages start with the key they
    /// are about (`context_tokens 0 is impossible`, `arch: kv_heads must be ...`,
    /// `sources.card ...`, after an optional "license `id`: " prefix).
    fn locate_message(&self, file: &str, at: usize, message: String) -> Problem {
        let key = key_of_message(&message);
        self.locate(file, at, &key, message)
    }
}

/// The key a check message is about (see `Texts::locate_message`).
fn key_of_message(message: &str) -> String {
    let mut rest = message;
    // "license `apache`: ..." / "gpu `h100`: ..." prefixes name the entry, not the key.
    if let Some(i) = rest.find("`: ") {
        if !rest[..i].contains(' ') || rest[..i].matches('`').count() == 1 {
            rest = &rest[i + 3..];
        }
    }
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '.')
            .collect()
    };
    let first = word(rest);
    if first == "arch" {
        if let Some(after) = rest.strip_prefix("arch: ") {
            let sub = word(after);
            if !sub.is_empty() {
                return format!("arch.{sub}");
            }
        }
    }
    first
}

/// Byte offset of the line holding `key` (dotted for a sub-table: `arch.kv_heads`) in the entry
/// that starts at `at`; for a sub-table key that is absent, the sub-table's header.
fn key_offset(text: &str, at: usize, key: &str) -> Option<usize> {
    let (table, name) = match key.split_once('.') {
        Some((t, n)) => (t, n),
        None => ("", key),
    };
    let entry = text.get(at..)?;
    // The entry ends where the next `[[...]]` header starts.
    let end = entry[1.min(entry.len())..]
        .find("\n[[")
        .map_or(entry.len(), |i| i + 2);
    let mut current = "";
    let mut header = None;
    let mut offset = at;
    for line in entry[..end].split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') && !t.starts_with("[[") {
            let inner = t.trim_matches(|c| c == '[' || c == ']');
            current = inner.rsplit('.').next().unwrap_or(inner);
            if current == table {
                header = Some(offset);
            }
        } else if current == table && !name.is_empty() {
            if let Some(after) = t.strip_prefix(name) {
                if after.trim_start().starts_with('=') {
                    return Some(offset);
                }
            }
        }
        offset += line.len();
    }
    header
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

/// What is wrong with a license's clauses: empty text, a grant that contradicts `commercial`,
/// impossible thresholds, unknown places, versions out of order or pointing nowhere.
fn license_problems(c: &Catalog, l: &License) -> Vec<String> {
    let mut p = Vec::new();
    let blank = |s: &str| s.trim().is_empty();
    // `commercial` summarizes the grant: production use by companies.
    if !l.grant.is_empty() && l.grants(Use::Production, Licensee::Company) != l.commercial {
        p.push(format!(
            "commercial = {} contradicts the grant (production use by a company is {}granted)",
            l.commercial,
            if l.commercial { "not " } else { "" }
        ));
    }
    if l.grant.is_empty() && !l.commercial {
        p.push("a non-commercial license says what it grants in [[license.grant]]".into());
    }
    for g in &l.grant {
        if g.uses.is_empty() || g.licensees.is_empty() || blank(&g.clause) {
            p.push("[[license.grant]] needs uses, licensees and a clause".into());
        }
    }
    if l.tier == Tier::Permissive && (!l.commercial || l.outputs.training == Training::Forbidden) {
        p.push("a permissive license must allow commercial use and outputs".into());
    }
    for t in &l.threshold {
        if t.limit == 0 {
            p.push("threshold limit 0 is impossible (omit the threshold for no limit)".into());
        }
        if blank(&t.clause) {
            p.push("a threshold names its clause".into());
        }
        if (t.effect == Effect::Display) != t.display.as_deref().is_some_and(|d| !blank(d)) {
            p.push("a display threshold says what to display (`display`), and only it".into());
        }
    }
    for t in &l.territory {
        if t.excluded.is_empty() || t.parties.is_empty() || blank(&t.clause) {
            p.push("[[license.territory]] needs excluded places, parties and a clause".into());
        }
        for place in &t.excluded {
            if let Err(e) = crate::places::Place::parse(place) {
                p.push(format!("territory: {e}"));
            }
        }
    }
    let o = &l.outputs;
    if (o.training == Training::Forbidden) != o.barred.is_some() {
        p.push(
            "outputs: `barred` goes with training = \"forbidden\" (which students are barred)"
                .into(),
        );
    }
    if (o.training != Training::Allowed || o.student != StudentDerivative::Never)
        && o.clause.is_none()
    {
        p.push("outputs: a restriction names its clause".into());
    }
    if !l.hosting.allowed && l.hosting.clause.is_none() {
        p.push("hosting: a hosting restriction names its clause".into());
    }
    for d in &l.duty {
        if blank(&d.text) || blank(&d.clause) {
            p.push("every duty has a text and a clause".into());
        }
    }
    if l.notice.as_deref().is_some_and(blank) {
        p.push("notice is empty: omit it when the license has no notice text".into());
    }
    if l.aup.as_deref().is_some_and(blank) {
        p.push("aup is empty: omit it".into());
    }
    if l.aup_transcribed && l.aup.is_none() {
        p.push("aup_transcribed without an aup".into());
    }
    for r in &l.restriction {
        if r.domains.is_empty() || blank(&r.clause) || blank(&r.quote) {
            p.push("[[license.restriction]] needs domains, a clause and the quote".into());
        }
    }
    for w in l.version.windows(2) {
        if w[1].date < w[0].date {
            p.push("versions are listed oldest first".into());
        }
    }
    for v in &l.version {
        if let Some(h) = &v.sha256 {
            if h.len() != 64
                || !h
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            {
                p.push(format!(
                    "version {}: sha256 `{h}` is not 64 lower-case hex digits",
                    v.date
                ));
            }
        }
        for r in &v.revisions {
            if r.len() < 7 || !r.bytes().all(|b| b.is_ascii_hexdigit()) {
                p.push(format!(
                    "version {}: revision `{r}` is not a commit hash (7+ hex digits)",
                    v.date
                ));
            }
        }
        if let Some(t) = &v.terms {
            if t == &l.id || c.license(t).is_none() {
                p.push(format!(
                    "version {}: terms `{t}` is not another license in the catalog",
                    v.date
                ));
            }
        }
    }
    p
}

/// Semantic checks over an assembled catalog.
pub(crate) fn check_catalog(c: &Catalog, texts: &Texts) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut push =
        |origin: &str, at: usize, msg: String| out.push(texts.locate_message(origin, at, msg));

    for f in &c.families {
        if let Some(problem) = id_problem("family", &f.id) {
            push(&f.origin, f.at, problem);
            if too_long(&f.id) {
                continue; // every other message would quote the id
            }
        }
        if f.training_tokens_t
            .is_some_and(|t| !(t > 0.0 && t < 1000.0))
        {
            push(
                &f.origin,
                f.at,
                format!(
                    "family `{}`: training_tokens_t must be in trillions, 0 < t < 1000",
                    f.id
                ),
            );
        }
    }

    for l in &c.licenses {
        let at = |m: String| (l.origin.clone(), l.at, m);
        let mut issues = Vec::new();
        if let Some(problem) = id_problem("license", &l.id) {
            if too_long(&l.id) {
                push(&l.origin, l.at, problem);
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
        for m in license_problems(c, l) {
            issues.push(at(format!("license `{}`: {m}", l.id)));
        }
        if !l.source.starts_with("http") {
            issues.push(at(format!("license `{}`: source must be a URL", l.id)));
        }
        for (o, at, m) in issues {
            push(&o, at, m);
        }
    }

    // Every name a model answers to (id, checkpoint repos, aliases) names one model only: an alias
    // shared by two models would resolve a scanned reference to either.
    let mut names: crate::fasthash::FastMap<String, &str> =
        crate::fasthash::map_with_capacity(c.models.len() * 2);
    for m in &c.models {
        for n in std::iter::once(m.id.to_string())
            .chain(m.checkpoints.iter().map(|c| c.hf_repo.to_ascii_lowercase()))
        {
            names.entry(n).or_insert(&m.id);
        }
    }
    for m in &c.models {
        for a in &m.aliases {
            let key = a.to_ascii_lowercase();
            let shaped = a.starts_with("ollama:")
                || (a.split('/').count() == 2
                    && !a.contains(' ')
                    && !a.starts_with('/')
                    && !a.ends_with('/'));
            if !shaped {
                push(
                    &m.origin,
                    m.at,
                    format!(
                        "model `{}`: alias `{a}` is neither `org/name` nor `ollama:name[:tag]`",
                        m.id
                    ),
                );
            }
            match names.get(&key) {
                Some(other) if *other != m.id => push(
                    &m.origin,
                    m.at,
                    format!("model `{}`: alias `{a}` is also a name of `{other}`", m.id),
                ),
                Some(_) => {}
                None => {
                    names.insert(key, &m.id);
                }
            }
        }
    }

    let mut aliases: HashMap<String, String> = HashMap::new();
    for g in &c.gpus {
        if let Some(problem) = id_problem("gpu", &g.id) {
            push(&g.origin, g.at, problem);
            if too_long(&g.id) {
                continue; // every other message would quote the id
            }
        }
        for name in std::iter::once(&g.id).chain(&g.aliases) {
            if name.to_ascii_lowercase() != *name {
                push(
                    &g.origin,
                    g.at,
                    format!("gpu `{}`: alias `{name}` must be lower-case", g.id),
                );
            }
            if let Some(other) = aliases.insert(name.to_string(), g.id.to_string()) {
                if other != g.id {
                    push(
                        &g.origin,
                        g.at,
                        format!("gpu `{}`: name `{name}` is also used by `{other}`", g.id),
                    );
                }
            }
        }
        let plausible = |v: f64, max: f64| v > 0.0 && v < max;
        if !plausible(g.memory_gb, 10_000.0) || !plausible(g.bandwidth_tbs, 100.0) {
            push(
                &g.origin,
                g.at,
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
                g.at,
                format!(
                    "gpu `{}`: visible_gib must be positive and not above memory",
                    g.id
                ),
            );
        }
        let share = |v: Option<f64>| v.is_some_and(|v| !(v > 0.0 && v <= 1.0));
        if share(g.kernel_efficiency) || share(g.mfu) {
            push(
                &g.origin,
                g.at,
                format!(
                    "gpu `{}`: kernel_efficiency and mfu are shares in (0, 1]",
                    g.id
                ),
            );
        }
        let nonneg = |v: f64| v >= 0.0 && v.is_finite();
        if !nonneg(g.interconnect_gbs)
            || !nonneg(g.pcie_gbs)
            || !nonneg(g.scaleout_gbs)
            || [
                g.link_latency_us,
                g.scaleout_latency_us,
                g.layer_overhead_us,
            ]
            .iter()
            .flatten()
            .any(|v| !nonneg(*v))
            || g.gpus_per_node == Some(0)
            || g.link_group == Some(0)
        {
            push(
                &g.origin,
                g.at,
                format!(
                    "gpu `{}`: link bandwidths and latencies must be >= 0, gpus_per_node and link_group >= 1",
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
                g.at,
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
                g.at,
                format!("gpu `{}`: prices must be finite numbers >= 0", g.id),
            );
        }
        if [g.interconnect_gbs, g.layer_overhead_us.unwrap_or(0.0)]
            .iter()
            .any(|v| !non_negative(*v))
        {
            push(
                &g.origin,
                g.at,
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
                    g.at,
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
                g.at,
                format!("gpu `{}`: a price needs price_as_of", g.id),
            );
        }
        if let Some(t) = g.price_typical_usd_h {
            if !(t > 0.0 && t.is_finite()) {
                push(
                    &g.origin,
                    g.at,
                    format!("gpu `{}`: price_typical_usd_h must be > 0", g.id),
                );
            }
            if g.price_typical_as_of.is_none()
                || !g
                    .price_typical_source
                    .as_deref()
                    .is_some_and(|u| u.starts_with("http"))
            {
                push(
                    &g.origin,
                    g.at,
                    format!("gpu `{}`: price_typical_usd_h needs price_typical_source (a URL) and price_typical_as_of", g.id),
                );
            }
        }
        if g.sources.is_empty() {
            push(&g.origin, g.at, format!("gpu `{}`: no sources", g.id));
        }
    }

    // The checks of each model read the catalog only: they run on every core (a user catalog of
    // 100,000 models spent a second here on one).
    for (m, found) in c
        .models
        .iter()
        .zip(on_every_core(&c.models, |m| check_model(c, m)))
    {
        for msg in found {
            let key = key_of_message(&msg);
            out.push(texts.locate(
                &m.origin,
                m.at,
                &key,
                format!("model `{}`: {msg}", elide(&m.id)),
            ));
        }
    }
    out
}

/// `f` of each item, in order, computed in contiguous runs on every core (a thousand items a
/// thread at least).
fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const WORTH_A_THREAD: usize = 1_000;
    let threads = schema::cores_up_to(items.len().div_ceil(WORTH_A_THREAD));
    schema::in_runs(items, threads, f)
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
        let hint =
            crate::suggest::did_you_mean(&m.family, c.families.iter().map(|f| f.id.as_str()));
        p.push(format!(
            "family `{}` is not in the catalog{hint}",
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
    for e in &m.evidence {
        let what = || format!("evidence {} in {}", e.benchmark, e.group);
        if e.benchmark.is_empty()
            || !e
                .benchmark
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        {
            p.push(format!(
                "{}: benchmark ids are lower-case kebab-case",
                what()
            ));
        }
        if !e.value.is_finite() || e.value < 0.0 {
            p.push(format!("{}: value {} is impossible", what(), e.value));
        }
        if e.group.trim().is_empty() {
            p.push(format!("{}: group is empty", what()));
        }
        // The embedded "core" copy keeps sources, so this holds for every load.
        if !e.source.starts_with("http") {
            p.push(format!("{}: source `{}` is not a URL", what(), e.source));
        }
    }
    if m.capability_group.is_some() && m.capability_mmlu.is_none() {
        p.push("capability_group without capability_mmlu".into());
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
            if !m.checkpoints.is_empty() || m.arch.is_some() {
                p.push("an API-only model has no checkpoints and no [model.arch]".into());
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
    if m.checkpoints.is_empty() {
        p.push("checkpoints: open weights list their released checkpoints".into());
    }
    for c in &m.checkpoints {
        let repo = &c.hf_repo;
        if repo.split('/').count() != 2
            || repo.contains(' ')
            || repo.starts_with('/')
            || repo.ends_with('/')
        {
            p.push(format!("checkpoints: hf_repo `{repo}` is not `org/name`"));
        }
    }
    if !m.base_released() && m.base_note.is_none() {
        p.push("checkpoints: no base checkpoint listed; say why in base_note (the evidence that none was released)".into());
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
    if m.architecture.is_some_and(|a| !a.is_moe())
        && m.params_note.is_none()
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
    // The message is formatted only when the check fails (a catalog of 100,000 models would
    // otherwise build every message of every model).
    let mut arch_problem = |cond: bool, msg: std::fmt::Arguments| {
        if cond {
            p.push(format!("arch: {msg}"));
        }
    };
    arch_problem(
        a.layers == 0 || a.hidden_size == 0 || a.attention_heads == 0 || a.head_dim == 0,
        format_args!("layers, hidden_size, attention_heads and head_dim must be > 0"),
    );
    arch_problem(
        a.vocab_size == 0 && m.params_note.is_none(),
        format_args!("vocab_size is missing: give it, or say in params_note that it is unknown"),
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
        arch_problem(value > max, format_args!("{key} {value} is above {max}"));
    }
    arch_problem(
        a.kv_heads == 0 || a.kv_heads > a.attention_heads,
        format_args!("kv_heads must be between 1 and attention_heads"),
    );
    arch_problem(
        a.kv_heads > 0 && a.attention_heads % a.kv_heads != 0,
        format_args!("attention_heads must be a multiple of kv_heads"),
    );
    arch_problem(
        a.attention.is_none(),
        format_args!("attention (mha | gqa | mqa | mla) is missing"),
    );
    arch_problem(
        a.attention == Some(Attention::Mla) && a.kv_lora_rank == 0,
        format_args!("mla needs kv_lora_rank"),
    );
    arch_problem(
        a.attention == Some(Attention::Mha) && a.kv_heads != a.attention_heads,
        format_args!("mha means kv_heads = attention_heads"),
    );
    arch_problem(
        a.attention == Some(Attention::Mqa) && a.kv_heads != 1,
        format_args!("mqa means kv_heads = 1"),
    );
    arch_problem(
        a.experts_per_token > a.experts,
        format_args!("experts_per_token exceeds experts"),
    );
    arch_problem(
        a.dense_layers > a.layers,
        format_args!("dense_layers exceeds layers"),
    );
    arch_problem(
        a.sliding_window_layers > a.layers,
        format_args!("sliding_window_layers exceeds layers"),
    );
    arch_problem(
        (a.sliding_window > 0) != (a.sliding_window_layers > 0),
        format_args!("sliding_window and sliding_window_layers go together"),
    );
    let moe = m.is_moe();
    arch_problem(
        moe && (a.experts < 2 || a.experts_per_token == 0 || a.moe_intermediate_size == 0),
        format_args!("a moe model needs experts, experts_per_token and moe_intermediate_size"),
    );
    arch_problem(
        !moe && a.experts > 0,
        format_args!("a dense model has no experts"),
    );
    arch_problem(
        a.dense_layers < a.layers && !moe && a.intermediate_size == 0,
        format_args!("intermediate_size is 0"),
    );

    if !a.group.is_empty() {
        let sum: u64 = a.group.iter().map(|g| g.count).sum();
        arch_problem(
            sum != a.layers,
            format_args!("group counts sum to {sum}, not to layers = {}", a.layers),
        );
        let sliding: u64 = a
            .group
            .iter()
            .filter(|g| g.kind == Some(LayerKind::Sliding))
            .map(|g| g.count)
            .sum();
        let shared: u64 = a
            .group
            .iter()
            .filter(|g| g.kind == Some(LayerKind::KvShared))
            .map(|g| g.count)
            .sum();
        // config.json counts windowed layers whether or not they own their cache.
        arch_problem(
            a.sliding_window_layers > 0
                && !(sliding..=sliding + shared).contains(&a.sliding_window_layers),
            format_args!(
                "sliding_window_layers {} but the sliding groups hold {sliding} layers (the groups are what sizing uses)",
                a.sliding_window_layers
            ),
        );
        for g in &a.group {
            let Some(kind) = g.kind else {
                arch_problem(true, format_args!("group kind is missing (full, sliding, chunked, mla, mla-indexed, compressed, linear, mamba, kv-shared, mlp-only)"));
                continue;
            };
            let k = kind.as_str();
            let heads = g.kv_heads.unwrap_or(a.kv_heads);
            let head_dim = g.head_dim.unwrap_or(a.head_dim);
            match kind {
                LayerKind::Full
                | LayerKind::Sliding
                | LayerKind::Chunked
                | LayerKind::Compressed => {
                    arch_problem(
                        heads == 0 || head_dim == 0,
                        format_args!("{k} group needs kv_heads and head_dim > 0"),
                    );
                    arch_problem(
                        heads > a.attention_heads,
                        format_args!("{k} group has more KV heads than attention_heads"),
                    );
                }
                LayerKind::Mla | LayerKind::MlaIndexed => {
                    arch_problem(
                        a.kv_lora_rank == 0,
                        format_args!("{k} group needs kv_lora_rank"),
                    );
                }
                _ => {}
            }
            arch_problem(
                kind == LayerKind::Sliding && g.window == 0,
                format_args!("sliding group needs window > 0"),
            );
            arch_problem(
                kind == LayerKind::Compressed && g.compress_ratio < 2,
                format_args!("compressed group needs compress_ratio >= 2"),
            );
            arch_problem(
                kind == LayerKind::MlaIndexed && g.indexer_head_dim == 0,
                format_args!("mla-indexed group needs indexer_head_dim"),
            );
            arch_problem(
                matches!(kind, LayerKind::Linear | LayerKind::Mamba)
                    && (g.state_heads == 0 || g.state_key_dim == 0 || g.state_value_dim == 0),
                format_args!("{k} group needs state_heads, state_key_dim and state_value_dim > 0"),
            );
            arch_problem(
                g.position
                    .as_deref()
                    .is_some_and(|p| p != "nope" && p != "rope"),
                format_args!("group position is rope or nope"),
            );
        }
    }

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
        // Kept for the test process, as a loaded catalog is for a run.
        let files = vec![("user.toml".to_string(), &*text.replacen(from, to, 1).leak())];
        let base = Catalog::embedded();
        check_texts(&files, Some(&base))
            .1
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
            (
                "vocab_size = 128256",
                "vocab_size = 0",
                "vocab_size is missing",
            ),
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
                // Each at the line of the key it concerns (line 8 is the entry's id).
                p.iter()
                    .any(|m| m.starts_with("user.toml:") && m.contains(want)),
                "{to}: want {want}: {p:?}"
            );
        }
    }

    #[test]
    fn lineage_upstreams_are_catalog_ids_or_repo_ids() {
        let at = "license = \"llama3.1\"";
        for (lineage, want) in [
            (
                "[{ relation = \"finetune\", upstream = \"llama-3.1-8b\" }]",
                None,
            ),
            (
                "[{ relation = \"adapter\", upstream = \"someone/base\" }]",
                None,
            ),
            (
                "[{ relation = \"merge\", upstream = \"llama-3.1-8\" }]",
                Some("neither a catalog id nor a Hugging Face repo id"),
            ),
            (
                "[{ relation = \"finetune\", upstream = \"acme-8b\" }]",
                Some("is the model itself"),
            ),
            (
                "[{ relation = \"distilled\", upstream = \"llama-3.1-8b\" }]",
                Some("unknown variant `distilled`"),
            ),
        ] {
            let p = problems_with(at, &format!("{at}\nlineage = {lineage}"));
            match want {
                None => assert!(p.is_empty(), "{lineage}: {p:?}"),
                Some(w) => assert!(p.iter().any(|m| m.contains(w)), "{lineage}: {p:?}"),
            }
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
