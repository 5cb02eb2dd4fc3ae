//! The CI license gate: a policy file (`pick.toml`) says what the project does and which licenses it
//! accepts; every model it lists or that `--scan` finds is resolved in the catalog and its licenses
//! are evaluated with `license::evaluate` (the recommender's code). Fails closed: an unknown model,
//! a license without known terms, an expired exception, or an unknown policy key never passes.

use crate::catalog::{self, Catalog, Date, Source};
pub use crate::findings::Location;
use crate::findings::{Code, Finding, Level};
use crate::license::{self, Allow, Domain, Licensee, Student, Usage, Use};
use crate::lineage::{self, Step};
use crate::places::Place;
use crate::problem::{self, LineIndex, Problem};
use crate::scan::{self, Found, Skipped};
use crate::suggest::elide;
use anyhow::{anyhow, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A reviewed waiver: the finding codes it waives for one model, until a date. It waives nothing
/// else: a model that later breaks another clause fails again.
#[derive(Debug, Clone)]
pub struct Exception {
    pub model: String,
    pub reason: String,
    pub expires: Date,
    /// The failing finding codes waived (at least one).
    pub codes: Vec<Code>,
    /// The date of the license text reviewed: the exception waives nothing under another version.
    pub license_version: Option<Date>,
    pub location: Location,
}

/// Whether an exception may waive `code`: a license clause the model breaks. A model or license
/// without known terms, an expired exception or an empty gate is never waived (fail closed: add
/// the model to a user catalog instead).
pub fn waivable(code: Code) -> bool {
    code.as_str().starts_with("license-")
        && code != Code::LicenseUnknown
        && code.levels().contains(&Level::Fail)
}

/// A validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub file: String,
    pub usage: Usage,
    pub allow: Allow,
    pub models: Vec<PolicyModel>,
    pub exceptions: Vec<Exception>,
    /// `[scan] allow_empty`: a scan (or a gate) that finds no model reference is a warning, not a
    /// failure.
    pub allow_empty: bool,
}

#[derive(Debug, Clone)]
pub struct PolicyModel {
    pub reference: String,
    pub revision: Option<String>,
    pub license: Option<String>,
    pub location: Location,
}

/// Longest model reference, license or revision a policy may give (see `suggest::MAX_NAME`).
pub const MAX_REF: usize = crate::suggest::MAX_NAME;

/// Reads and validates a policy file; any problem is an error naming the file and line (exit 2).
pub fn load_policy(path: &Path, catalog: &Catalog) -> Result<Policy> {
    let text = crate::input::read_text(path, crate::input::Kind::Policy).map_err(|e| {
        if e.is_not_found() {
            anyhow!("{e} (create pick.toml or pass --policy FILE; `pick gate --help` describes the format)")
        } else {
            anyhow!("{e}")
        }
    })?;
    // Shown relative to the repository root, as every other location.
    parse_policy(&scan::walk::display(path), &text, catalog)
}

/// The keys a policy may have, by table (for unknown-key messages with a did-you-mean).
const TOP_KEYS: &[&str] = &["usage", "allow", "model", "exception", "scan"];
const USAGE_KEYS: &[&str] = &[
    "use",
    "licensee",
    "commercial",
    "mau",
    "group_mau",
    "revenue_usd_month",
    "region",
    "users_in",
    "hosted_in",
    "hosted",
    "redistribute",
    "distill",
    "domains",
];
const ALLOW_KEYS: &[&str] = &["tiers", "licenses"];
const MODEL_KEYS: &[&str] = &["ref", "revision", "license"];
const EXCEPTION_KEYS: &[&str] = &["model", "reason", "expires", "codes", "license_version"];
const SCAN_KEYS: &[&str] = &["allow_empty"];

/// Validates a policy's text. Every problem is collected (unknown keys, wrong types, unknown tiers
/// or licenses, malformed dates), each at its own `file:line`, and reported together.
pub fn parse_policy(file: &str, text: &str, catalog: &Catalog) -> Result<Policy> {
    use toml::de::DeTable;
    let mut r = PolicyReader {
        file,
        index: LineIndex::new(text),
        problems: Vec::new(),
    };
    let (root, syntax) = DeTable::parse_recoverable(text);
    for e in &syntax {
        r.problem(e.span(), e.message().trim().to_string());
    }
    if !syntax.is_empty() {
        return Err(
            problem::into_result(r.problems, &format!("{file} is not valid TOML"))
                .expect_err("syntax errors were recorded"),
        );
    }
    let root = root.get_ref();
    r.unknown_keys(root, TOP_KEYS, "the policy");

    let usage_table = r.table(root, "usage", true);
    let usage = read_usage(&mut r, usage_table);
    if let Some(u) = usage_table {
        r.unknown_keys(u, USAGE_KEYS, "[usage]");
    }

    // [allow]: the same words as --license (tiers, apache, mit, commercial, any, license ids);
    // `tiers` and `licenses` are two lists of them.
    let mut words: Vec<(String, usize)> = Vec::new();
    if let Some(a) = r.table(root, "allow", true) {
        r.unknown_keys(a, ALLOW_KEYS, "[allow]");
        for key in ALLOW_KEYS {
            words.extend(r.strings(a, "allow", key));
        }
    }
    let mut allow = Allow::default();
    for (word, line) in &words {
        match Allow::parse(catalog, std::slice::from_ref(word)) {
            Ok(one) => allow.extend(one),
            Err(e) => r.problems.push(Problem::at_line(file, *line, e)),
        }
    }
    allow.label = if words.is_empty() {
        "nothing".into()
    } else {
        words
            .iter()
            .map(|(w, _)| w.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };

    let mut models = Vec::new();
    for (m, line) in r.entries(root, "model") {
        r.unknown_keys(m, MODEL_KEYS, "[[model]]");
        let reference = r.string(m, "[[model]]", "ref", true);
        let revision = r.string(m, "[[model]]", "revision", false).map(|(v, _)| v);
        let license = r.string(m, "[[model]]", "license", false).map(|(v, _)| v);
        if let Some((reference, _)) = reference {
            models.push(PolicyModel {
                reference,
                revision,
                license,
                location: Location {
                    file: file.to_string(),
                    line,
                },
            });
        }
    }
    let mut exceptions = Vec::new();
    for (e, line) in r.entries(root, "exception") {
        r.unknown_keys(e, EXCEPTION_KEYS, "[[exception]]");
        let model = r.string(e, "[[exception]]", "model", true);
        let reason = r.string(e, "[[exception]]", "reason", true);
        let expires = r.date(e, "[[exception]]", "expires");
        let codes = r.codes(e, line);
        let license_version = e
            .get("license_version")
            .and_then(|_| r.date(e, "[[exception]]", "license_version"));
        if let (Some((model, _)), Some((reason, _)), Some(expires), Some(codes)) =
            (model, reason, expires, codes)
        {
            exceptions.push(Exception {
                model,
                reason,
                expires,
                codes,
                license_version,
                location: Location {
                    file: file.to_string(),
                    line,
                },
            });
        }
    }
    let mut allow_empty = false;
    if let Some(t) = r.table(root, "scan", false) {
        r.unknown_keys(t, SCAN_KEYS, "[scan]");
        allow_empty = r.bool(t, "scan", "allow_empty", false).unwrap_or(false);
    }
    problem::into_result(
        r.problems,
        &format!("in the policy file {file} (`pick gate --help` describes the format)"),
    )?;
    Ok(Policy {
        file: file.to_string(),
        usage,
        allow,
        models,
        exceptions,
        allow_empty,
    })
}

/// `[usage]`: what the project does, in the words the licenses use. `use` (or its shorthand
/// `commercial`) is required: a gate must not guess whether use is commercial.
fn read_usage(r: &mut PolicyReader<'_>, t: Option<&Table<'_>>) -> Usage {
    let mut usage = Usage::default();
    let Some(t) = t else {
        return usage;
    };
    let word = |r: &mut PolicyReader<'_>, key: &str, names: &[&str]| -> Option<(String, usize)> {
        let (text, line) = r.string(t, "[usage]", key, false)?;
        if names.contains(&text.as_str()) {
            Some((text, line))
        } else {
            let hint = crate::suggest::did_you_mean(&text, names.iter().copied());
            let file = r.file;
            r.problems.push(Problem::at_line(
                file,
                line,
                format!(
                    "usage.{key}: unknown value `{text}`{hint} (one of: {})",
                    names.join(", ")
                ),
            ));
            None
        }
    };
    let uses: Vec<&str> = Use::ALL.iter().map(|u| u.as_str()).collect();
    let purpose = word(r, "use", &uses).and_then(|(w, l)| Use::parse(&w).map(|u| (u, l)));
    let commercial = r.bool(t, "usage", "commercial", false);
    match (purpose, commercial) {
        (Some((u, line)), Some(c)) if (u == Use::Production) != c => {
            let file = r.file;
            r.problems.push(Problem::at_line(
                file,
                line,
                format!(
                    "usage.use = \"{}\" contradicts commercial = {c} (commercial means use = \"production\"): keep one",
                    u.as_str()
                ),
            ));
        }
        (Some((u, _)), _) => usage.purpose = u,
        (None, Some(c)) => usage.purpose = if c { Use::Production } else { Use::Research },
        (None, None) => {
            if t.get("use").is_none() {
                let file = r.file;
                r.problems.push(Problem::in_file(
                    file,
                    "[usage] needs `use` (research, evaluation, poc or production) or `commercial`",
                ));
            }
        }
    }
    let licensees: Vec<&str> = Licensee::ALL.iter().map(|l| l.as_str()).collect();
    if let Some((w, _)) = word(r, "licensee", &licensees) {
        usage.licensee = Licensee::parse(&w).unwrap_or(Licensee::Company);
    }
    usage.mau = r.count(t, "usage", "mau");
    usage.group_mau = r.count(t, "usage", "group_mau");
    usage.revenue_usd_month = r.count(t, "usage", "revenue_usd_month");
    // An empty region is no region; anything else must be a place (fail closed on `mars`).
    if let Some((text, line)) = r.string(t, "usage", "region", false) {
        if !text.trim().is_empty() {
            usage.region = r.place(&text, line, "region");
        }
    }
    for key in ["users_in", "hosted_in"] {
        let places: Vec<Place> = r
            .strings(t, "usage", key)
            .into_iter()
            .filter_map(|(text, line)| r.place(&text, line, key))
            .collect();
        if key == "users_in" {
            usage.users_in = places;
        } else {
            usage.hosted_in = places;
        }
    }
    usage.hosted = r.bool(t, "usage", "hosted", false).unwrap_or(false);
    usage.redistribute = r.bool(t, "usage", "redistribute", false).unwrap_or(false);
    // `distill = true` is a general student; "general" / "narrow" say which.
    usage.distill = match t.get("distill") {
        None => None,
        Some(v) => match v.get_ref() {
            toml::de::DeValue::Boolean(b) => b.then_some(Student::General),
            toml::de::DeValue::String(s) => match Student::parse(s) {
                Some(student) => Some(student),
                None => {
                    r.problem(
                        Some(v.span()),
                        format!("usage.distill: unknown value `{s}` (true, false, \"general\" or \"narrow\")"),
                    );
                    None
                }
            },
            _ => {
                r.wrong_type(
                    v,
                    "[usage]",
                    "distill",
                    "true, false, \"general\" or \"narrow\"",
                );
                None
            }
        },
    };
    for (text, line) in r.strings(t, "usage", "domains") {
        match Domain::parse(&text) {
            Some(d) if !usage.domains.contains(&d) => usage.domains.push(d),
            Some(_) => {}
            None => {
                let names = Domain::ALL.iter().map(|d| d.as_str());
                let hint = crate::suggest::did_you_mean(&text, names);
                let all: Vec<&str> = Domain::ALL.iter().map(|d| d.as_str()).collect();
                let file = r.file;
                r.problems.push(Problem::at_line(
                    file,
                    line,
                    format!(
                        "usage.domains: unknown domain `{text}`{hint} (one of: {})",
                        all.join(", ")
                    ),
                ));
            }
        }
    }
    usage.domains.sort();
    usage
}

/// Walks a parsed policy, collecting problems instead of stopping at the first.
struct PolicyReader<'f> {
    file: &'f str,
    index: LineIndex,
    problems: Vec<Problem>,
}

type Table<'i> = toml::de::DeTable<'i>;
type Value<'i> = toml::Spanned<toml::de::DeValue<'i>>;

impl PolicyReader<'_> {
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        self.index.line(span.start)
    }

    fn problem(&mut self, span: Option<std::ops::Range<usize>>, message: String) {
        let p = match span {
            Some(s) => Problem::at_line(self.file, self.line(s), message),
            None => Problem::in_file(self.file, message),
        };
        self.problems.push(p);
    }

    fn unknown_keys(&mut self, table: &Table<'_>, known: &[&str], section: &str) {
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if !known.contains(&name) {
                let hint = crate::suggest::did_you_mean(name, known.iter().copied());
                let list = known.join(", ");
                self.problem(
                    Some(key.span()),
                    format!("unknown key `{name}` in {section}{hint} (known: {list})"),
                );
            }
        }
    }

    fn value<'t, 'i>(
        &mut self,
        table: &'t Table<'i>,
        section: &str,
        key: &str,
        required: bool,
    ) -> Option<&'t Value<'i>> {
        let v = table.get(key);
        if v.is_none() && required {
            self.problems.push(Problem::in_file(
                self.file,
                format!("{section} needs `{key}`"),
            ));
        }
        v
    }

    fn wrong_type(&mut self, v: &Value<'_>, section: &str, key: &str, want: &str) {
        self.problem(
            Some(v.span()),
            format!(
                "{section} `{key}` must be {want}, not {}",
                v.get_ref().type_str()
            ),
        );
    }

    fn table<'t, 'i>(
        &mut self,
        root: &'t Table<'i>,
        key: &str,
        required: bool,
    ) -> Option<&'t Table<'i>> {
        let v = self.value(root, "the policy", key, required)?;
        match v.get_ref().as_table() {
            Some(t) => Some(t),
            None => {
                self.wrong_type(v, "the policy", key, &format!("a table ([{key}])"));
                None
            }
        }
    }

    fn bool(&mut self, t: &Table<'_>, section: &str, key: &str, required: bool) -> Option<bool> {
        let section = format!("[{section}]");
        let v = self.value(t, &section, key, required)?;
        let b = v.get_ref().as_bool();
        if b.is_none() {
            self.wrong_type(v, &section, key, "true or false");
        }
        b
    }

    fn count(&mut self, t: &Table<'_>, section: &str, key: &str) -> Option<u64> {
        let section = format!("[{section}]");
        let v = self.value(t, &section, key, false)?;
        let n = v
            .get_ref()
            .as_integer()
            .and_then(|i| i.as_str().replace('_', "").parse::<u64>().ok());
        if n.is_none() {
            self.wrong_type(v, &section, key, "a whole number >= 0");
        }
        n
    }

    fn string(
        &mut self,
        t: &Table<'_>,
        section: &str,
        key: &str,
        required: bool,
    ) -> Option<(String, usize)> {
        let v = self.value(t, section, key, required)?;
        match v.get_ref().as_str() {
            // A reference, license or revision is a few dozen characters: a longer one is a broken
            // file, refused before it is quoted in messages or compared with every id.
            Some(s) if s.chars().count() > MAX_REF && key != "reason" => {
                let n = s.chars().count();
                self.problem(
                    Some(v.span()),
                    format!("{section} `{key}` is {n} characters long; at most {MAX_REF}"),
                );
                None
            }
            Some(s) => Some((s.to_string(), self.line(v.span()))),
            None => {
                self.wrong_type(v, section, key, "a string");
                None
            }
        }
    }

    fn strings(&mut self, t: &Table<'_>, section: &str, key: &str) -> Vec<(String, usize)> {
        let section = format!("[{section}]");
        let Some(v) = self.value(t, &section, key, false) else {
            return Vec::new();
        };
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(v, &section, key, "a list of strings");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push((s.to_string(), self.line(item.span()))),
                None => self.wrong_type(item, &section, key, "a list of strings"),
            }
        }
        out
    }

    fn date(&mut self, t: &Table<'_>, section: &str, key: &str) -> Option<Date> {
        let v = self.value(t, section, key, true)?;
        let text = match v.get_ref() {
            toml::de::DeValue::Datetime(d) => d.to_string(),
            toml::de::DeValue::String(s) => s.to_string(),
            _ => {
                self.wrong_type(v, section, key, "a date (YYYY-MM-DD)");
                return None;
            }
        };
        let d = Date::parse(&text);
        if d.is_none() {
            self.problem(
                Some(v.span()),
                format!("{section} `{key}` = `{text}` is not a date (YYYY-MM-DD)"),
            );
        }
        d
    }

    /// An exception's `codes`: a non-empty list of finding codes it may waive. Required: an
    /// exception that waived whatever failed would also waive the next clause the model breaks.
    fn codes(&mut self, t: &Table<'_>, header_line: usize) -> Option<Vec<Code>> {
        if t.get("codes").is_none() {
            self.problems.push(Problem::at_line(
                self.file,
                header_line,
                "[[exception]] needs `codes`, the finding codes it waives, e.g. codes = [\"license-mau-limit\"] (`pick gate` lists each model's failing codes)",
            ));
            return None;
        }
        let names = self.strings(t, "[[exception]]", "codes");
        let mut codes = Vec::new();
        let mut ok = true;
        for (name, line) in &names {
            match Code::ALL.iter().find(|c| c.as_str() == name) {
                Some(&c) if waivable(c) => codes.push(c),
                Some(c) => {
                    ok = false;
                    self.problems.push(Problem::at_line(
                        self.file,
                        *line,
                        format!("[[exception]] cannot waive `{c}`: only a license clause the model breaks can be waived (a model or license without known terms belongs in a user catalog)"),
                    ));
                }
                None => {
                    ok = false;
                    let waivable_names = Code::ALL
                        .iter()
                        .filter(|c| waivable(**c))
                        .map(|c| c.as_str());
                    let hint = crate::suggest::did_you_mean(name, waivable_names);
                    self.problems.push(Problem::at_line(
                        self.file,
                        *line,
                        format!("[[exception]] `codes`: unknown finding code `{name}`{hint}"),
                    ));
                }
            }
        }
        if ok && codes.is_empty() {
            // `codes = []` waives nothing: a mistake, not an exception. (A wrong type was reported
            // by `strings`.)
            if t.get("codes")
                .and_then(|v| v.get_ref().as_array())
                .is_some()
            {
                self.problems.push(Problem::at_line(
                    self.file,
                    header_line,
                    "[[exception]] `codes` is empty: name the finding codes it waives",
                ));
            }
            return None;
        }
        ok.then_some(codes)
    }

    /// A place (`de`, `Germany`, `eu`), or a problem at its line: an unknown place fails closed.
    fn place(&mut self, text: &str, line: usize, key: &str) -> Option<Place> {
        match Place::parse(text) {
            Ok(p) => Some(p),
            Err(e) => {
                self.problems.push(Problem::at_line(
                    self.file,
                    line,
                    format!("usage.{key}: {e}"),
                ));
                None
            }
        }
    }

    /// The tables of an array of tables (`[[model]]`), each with its header's line.
    fn entries<'t, 'i>(&mut self, root: &'t Table<'i>, key: &str) -> Vec<(&'t Table<'i>, usize)> {
        let Some(v) = root.get(key) else {
            return Vec::new();
        };
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(
                v,
                "the policy",
                key,
                &format!("an array of tables ([[{key}]])"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_table() {
                Some(t) => out.push((t, self.line(item.span()))),
                None => self.wrong_type(
                    item,
                    "the policy",
                    key,
                    &format!("an array of tables ([[{key}]])"),
                ),
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Excepted,
    Denied,
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Excepted => "excepted",
            Verdict::Denied => "denied",
            Verdict::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone)]
pub struct GateFinding {
    pub finding: Finding,
    pub location: Option<Location>,
}

#[derive(Debug, Clone)]
pub struct ModelResult {
    pub reference: String,
    /// The revision the policy pins, if any (scanned references have none).
    pub revision: Option<String>,
    pub id: Option<String>,
    pub license: Option<String>,
    /// Every license that binds the model, with its tier (None without known terms) and why.
    pub licenses: Vec<GateLicense>,
    /// Where the facts came from: the catalog, pick.lock, the Hugging Face cache or the Hub (None
    /// when the reference was not resolved).
    pub source: Option<Source>,
    /// The upstreams whose terms were weighed, in the order they were reached.
    pub lineage: Vec<Step>,
    pub verdict: Verdict,
    pub findings: Vec<GateFinding>,
    pub location: Location,
}

/// A license binding a gated model.
#[derive(Debug, Clone)]
pub struct GateLicense {
    pub id: String,
    pub tier: Option<crate::catalog::Tier>,
    pub via: license::Via,
}

#[derive(Debug, Clone)]
pub struct GateReport {
    pub policy_file: String,
    pub passed: bool,
    pub models: Vec<ModelResult>,
    /// Findings about the policy and the run (unused exceptions, nothing found).
    pub policy_findings: Vec<GateFinding>,
    pub today: Date,
    /// What `--scan` read and left out; None without `--scan`.
    pub scan: Option<ScanSummary>,
}

/// What a scan covered: a gate that passes because the scan read nothing must say so.
#[derive(Debug, Clone)]
pub struct ScanSummary {
    /// The paths given, as shown in findings.
    pub paths: Vec<String>,
    /// Files read.
    pub files: usize,
    /// References found.
    pub references: usize,
    /// Entries left out, with why.
    pub skipped: Vec<Skipped>,
}

/// Runs the gate over the policy's models and the references found under `scan_paths`.
pub fn run(
    catalog: &Catalog,
    policy: &Policy,
    scan_paths: &[PathBuf],
    today: Date,
) -> Result<GateReport> {
    let (refs, summary) = references(catalog, policy, scan_paths)?;
    Ok(run_refs(
        catalog,
        policy,
        refs,
        summary,
        today,
        &HashMap::new(),
    ))
}

/// Findings about how references were resolved (lock-missing, lock-mismatch), by reference key
/// (`catalog::reference_key`).
pub type ResolutionFindings = HashMap<String, Vec<Finding>>;

/// The references to gate: the policy's [[model]] entries, then what the scan finds (scanned
/// references have no revision or declared license), and what the scan covered.
pub fn references(
    catalog: &Catalog,
    policy: &Policy,
    scan_paths: &[PathBuf],
) -> Result<(Vec<PolicyModel>, Option<ScanSummary>)> {
    let mut refs: Vec<PolicyModel> = policy.models.clone();
    let mut summary = None;
    if !scan_paths.is_empty() {
        // A literal counts as a reference when it names a model the catalog (or a user catalog)
        // knows, whatever variable holds it.
        let resolves = |r: &str| catalog.model(r).is_some();
        let report = scan::scan(scan_paths, &resolves).map_err(|e| anyhow!("--scan: {e}"))?;
        summary = Some(ScanSummary {
            paths: scan_paths.iter().map(|p| scan::walk::display(p)).collect(),
            files: report.files,
            references: report.found.len(),
            skipped: report.skipped,
        });
        refs.extend(report.found.into_iter().map(
            |Found {
                 reference,
                 file,
                 line,
             }| PolicyModel {
                reference,
                revision: None,
                license: None,
                location: Location { file, line },
            },
        ));
    }
    Ok((refs, summary))
}

/// Gates resolved references; `resolution` adds findings about how each was resolved.
pub fn run_refs(
    catalog: &Catalog,
    policy: &Policy,
    refs: Vec<PolicyModel>,
    summary: Option<ScanSummary>,
    today: Date,
    resolution: &ResolutionFindings,
) -> GateReport {
    let mut used = vec![false; policy.exceptions.len()];
    // Resolved once, not once per gated model: a policy may list 100,000 models. Model id (or the
    // lower-cased `org/name` of a repository the catalog lacks) → the exceptions naming it.
    let mut excepted: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in policy.exceptions.iter().enumerate() {
        let key = catalog
            .model(&e.model)
            .map_or_else(|| catalog::reference_key(&e.model), |m| m.id.to_string());
        excepted.entry(key).or_default().push(i);
    }
    let mut ctx = Context {
        catalog,
        policy,
        today,
        excepted: &excepted,
        used: &mut used,
        hints: HashMap::new(),
        resolution,
    };
    let models: Vec<ModelResult> = refs.into_iter().map(|r| gate_one(&mut ctx, r)).collect();
    let mut policy_findings = Vec::new();
    for (e, used) in policy.exceptions.iter().zip(used) {
        if !used {
            policy_findings.push(GateFinding {
                finding: Finding::new(
                    Code::ExceptionUnused,
                    Level::Warn,
                    format!(
                        "exception for `{}` matches no model the gate checked",
                        e.model
                    ),
                ),
                location: Some(e.location.clone()),
            });
        }
    }
    // Finding nothing is not a pass: a mistyped --scan path or an empty policy would go green.
    let empty_level = if policy.allow_empty {
        Level::Warn
    } else {
        Level::Fail
    };
    let waive_hint = if policy.allow_empty {
        " (allowed by [scan] allow_empty)"
    } else {
        "; set allow_empty = true in [scan] if that is expected"
    };
    if let Some(s) = summary.as_ref().filter(|s| s.references == 0) {
        policy_findings.push(GateFinding {
            finding: Finding::new(
                Code::ScanEmpty,
                empty_level,
                format!(
                    "--scan {} read {} file(s) and found no model reference ({} entries skipped){waive_hint}",
                    s.paths.join(" "),
                    s.files,
                    s.skipped.len()
                ),
            ),
            location: None,
        });
    }
    if models.is_empty() {
        policy_findings.push(GateFinding {
            finding: Finding::new(
                Code::NoModels,
                empty_level,
                format!("the policy lists no [[model]] and --scan found none: nothing was gated{waive_hint}"),
            ),
            location: None,
        });
    }
    let passed = models
        .iter()
        .all(|m| matches!(m.verdict, Verdict::Allowed | Verdict::Excepted))
        && policy_findings
            .iter()
            .all(|f| f.finding.level != Level::Fail);
    GateReport {
        policy_file: policy.file.clone(),
        passed,
        models,
        policy_findings,
        today,
        scan: summary,
    }
}

/// What gating one model needs besides the model: the inputs, the exceptions resolved to model
/// ids, which were used, and the did-you-mean of each unknown reference seen so far.
struct Context<'a> {
    catalog: &'a Catalog,
    policy: &'a Policy,
    today: Date,
    excepted: &'a HashMap<String, Vec<usize>>,
    used: &'a mut [bool],
    hints: HashMap<String, String>,
    resolution: &'a ResolutionFindings,
}

/// Findings that leave a model's terms unknown rather than known and refused.
fn makes_unknown(code: Code) -> bool {
    matches!(
        code,
        Code::LicenseUnknown
            | Code::LicenseMissing
            | Code::LineageUnresolved
            | Code::LockMissing
            | Code::LockMismatch
    )
}

fn gate_one(ctx: &mut Context<'_>, r: PolicyModel) -> ModelResult {
    let (catalog, policy, today) = (ctx.catalog, ctx.policy, ctx.today);
    let PolicyModel {
        reference,
        revision,
        license: declared,
        location,
    } = r;
    let (reference, declared) = (reference.as_str(), declared.as_deref());
    let at = |f: Finding| GateFinding {
        finding: f,
        location: Some(location.clone()),
    };
    let key = catalog::reference_key(reference);
    let resolution: Vec<GateFinding> = ctx
        .resolution
        .get(&key)
        .into_iter()
        .flatten()
        .cloned()
        .map(at)
        .collect();
    let model = catalog.model(reference);
    let subject = match (model, catalog.repo(reference)) {
        (Some(m), _) => Some((
            Some(m.id.to_string()),
            m.id.to_string(),
            lineage::of_model(catalog, m),
            Source::Catalog,
        )),
        (None, Some(r)) => Some((
            None,
            r.key(),
            lineage::of_repo(catalog, r),
            r.resolved_from(),
        )),
        (None, None) => None,
    };
    let Some((id, exception_key, bound, source)) = subject else {
        // Memoized: the same unknown reference may appear thousands of times (scans, big policies).
        let hint = ctx.hints.entry(reference.to_string()).or_insert_with(|| {
            crate::suggest::did_you_mean(reference, catalog.models.iter().map(|m| m.id.as_str()))
        });
        let why = catalog
            .unresolved
            .get(&key)
            .map_or(String::new(), |w| format!(" ({w})"));
        let mut findings = vec![at(Finding::new(
            Code::ModelUnknown,
            Level::Fail,
            format!("`{}` is not in the catalog{hint}{why}; add it with --catalog FILE (`pick catalog check --help`; format in catalog/FORMAT.md of the source) so its license terms are known", elide(reference)),
        ))];
        findings.extend(resolution);
        match declared.map(str::to_ascii_lowercase) {
            Some(l) if l == "other" || l == "unknown" => findings.push(at(Finding::new(
                Code::LicenseUnknown,
                Level::Fail,
                format!("Hugging Face license `{l}` has no known terms"),
            ))),
            Some(l) if catalog.license_by_any_name(&l).is_none() => {
                findings.push(at(Finding::new(
                    Code::LicenseUnknown,
                    Level::Fail,
                    format!("license `{l}` is not in the catalog"),
                )))
            }
            _ => {}
        }
        return ModelResult {
            revision,
            reference: reference.to_string(),
            id: None,
            license: declared.map(str::to_string),
            licenses: Vec::new(),
            source: None,
            lineage: Vec::new(),
            verdict: Verdict::Unknown,
            findings,
            location,
        };
    };
    let mut findings: Vec<GateFinding> = resolution;
    findings.extend(
        license::evaluate_bound_at(
            catalog,
            &bound,
            &policy.usage,
            &policy.allow,
            revision.as_deref(),
        )
        .into_iter()
        .map(at),
    );
    // License texts change in place (xAI's was replaced twice, MiniMax M2's became a modified
    // MIT after release): without a pinned revision the gate cannot know which text shipped.
    if let Some(model) = model.filter(|m| revision.is_none() && m.is_open()) {
        let changed: Vec<&str> = catalog
            .bindings(model)
            .iter()
            .filter_map(|b| b.terms)
            .filter(|l| l.version.len() > 1)
            .map(|l| l.id.as_str())
            .collect();
        let why = if changed.is_empty() {
            String::new()
        } else {
            format!(" ({} has changed before)", changed.join(", "))
        };
        findings.push(at(Finding::new(
            Code::LicenseUnpinned,
            Level::Warn,
            format!("no revision pinned: the license text checked is the current one, which may not be the one you use{why}; pin `revision` in [[model]]"),
        )));
    }
    let unknown_license = findings.iter().any(|f| makes_unknown(f.finding.code));
    let failing = findings.iter().any(|f| f.finding.level == Level::Fail);
    let mut verdict = if unknown_license {
        Verdict::Unknown
    } else if failing {
        Verdict::Denied
    } else {
        Verdict::Allowed
    };
    let indices = ctx
        .excepted
        .get(exception_key.as_str())
        .cloned()
        .unwrap_or_default();
    for i in indices {
        let e = &policy.exceptions[i];
        ctx.used[i] = true;
        let loc = Some(e.location.clone());
        // An exception reviewed one version of a license text: under another it waives nothing.
        if let Some(reviewed) = e.license_version {
            let in_force: Vec<Date> = bound
                .licenses
                .iter()
                .filter(|b| b.known)
                .filter_map(|b| catalog.license(&b.id))
                .filter_map(|l| license::in_force(catalog, l, revision.as_deref()).version)
                .map(|v| v.date)
                .collect();
            if !in_force.contains(&reviewed) {
                let now: Vec<String> = in_force.iter().map(|d| d.to_string()).collect();
                findings.push(GateFinding {
                    finding: Finding::new(
                        Code::ExceptionVersion,
                        Level::Warn,
                        format!(
                            "exception for `{}` reviewed the license text of {reviewed}; the text in force is of {}: it waives nothing",
                            e.model,
                            if now.is_empty() { "an unrecorded date".to_string() } else { now.join(", ") }
                        ),
                    ),
                    location: loc,
                });
                continue;
            }
        }
        let names: Vec<&str> = e.codes.iter().map(|c| c.as_str()).collect();
        if e.expires < today {
            findings.push(GateFinding {
                finding: Finding::new(
                    Code::ExceptionExpired,
                    Level::Fail,
                    format!(
                        "exception for `{}` ({}; {}) expired on {}",
                        e.model,
                        e.reason,
                        names.join(", "),
                        e.expires
                    ),
                ),
                location: loc,
            });
            continue;
        }
        // Only the named codes are waived; anything else the model breaks still fails.
        let mut waived = 0;
        for f in &mut findings {
            if f.finding.level == Level::Fail && e.codes.contains(&f.finding.code) {
                f.finding.level = Level::Warn;
                f.finding.message = format!(
                    "{} (waived: {}, until {})",
                    f.finding.message, e.reason, e.expires
                )
                .into();
                waived += 1;
            }
        }
        let (code, message) = if waived > 0 {
            (
                Code::ExceptionApplied,
                format!(
                    "exception waives {} ({}; expires {})",
                    names.join(", "),
                    e.reason,
                    e.expires
                ),
            )
        } else {
            (
                Code::ExceptionNotNeeded,
                format!(
                    "exception for `{}` is not needed: none of {} fails",
                    e.model,
                    names.join(", ")
                ),
            )
        };
        findings.push(GateFinding {
            finding: Finding::new(code, Level::Info, message),
            location: loc,
        });
    }
    // The verdict after the waivers: excepted only when every failure was waived.
    let still_failing = findings.iter().any(|f| f.finding.level == Level::Fail);
    let any_waived = findings
        .iter()
        .any(|f| f.finding.code == Code::ExceptionApplied);
    if verdict != Verdict::Unknown {
        verdict = if still_failing {
            Verdict::Denied
        } else if any_waived {
            Verdict::Excepted
        } else {
            Verdict::Allowed
        };
    }
    // The licenses shown: a catalog model's with why each binds; a repository's bound ones, those
    // brought by an upstream marked as from a base.
    let licenses = match model {
        Some(m) => catalog
            .bindings(m)
            .into_iter()
            .map(|b| GateLicense {
                id: b.id.to_string(),
                tier: b.terms.map(|l| l.tier),
                via: b.via,
            })
            .collect(),
        None => bound
            .licenses
            .iter()
            .map(|b| GateLicense {
                id: b.id.clone(),
                tier: catalog.license(&b.id).filter(|_| b.known).map(|l| l.tier),
                via: if b.via.is_some() {
                    license::Via::Base
                } else {
                    license::Via::Own
                },
            })
            .collect(),
    };
    ModelResult {
        revision,
        reference: reference.to_string(),
        id,
        license: (!bound.licenses.is_empty()).then(|| bound.expression()),
        licenses,
        source: Some(source),
        lineage: bound.lineage,
        verdict,
        findings,
        location,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(policy: &str, today: &str) -> GateReport {
        let c = Catalog::embedded();
        let p = parse_policy("pick.toml", policy, &c).unwrap();
        run(&c, &p, &[], Date::parse(today).unwrap()).unwrap()
    }

    const HEAD: &str = "[usage]\ncommercial = true\n[allow]\ntiers = [\"permissive\"]\n";

    #[test]
    fn allowed_and_unknown() {
        let r = gate(
            &format!("{HEAD}[[model]]\nref = \"Qwen/Qwen3-8B\"\n"),
            "2026-01-01",
        );
        assert!(r.passed, "{:?}", r.models[0].findings);
        let r = gate(
            &format!("{HEAD}[[model]]\nref = \"someone/private-model\"\n"),
            "2026-01-01",
        );
        assert!(!r.passed);
        assert_eq!(r.models[0].verdict, Verdict::Unknown);
        assert_eq!(r.models[0].location.line, 5);
    }

    #[test]
    fn exceptions_expire() {
        let p = format!("{HEAD}[[model]]\nref = \"qwen2.5-72b\"\n[[exception]]\nmodel = \"qwen2.5-72b\"\nreason = \"LR-118\"\nexpires = 2027-03-31\ncodes = [\"license-not-allowed\"]\n");
        assert_eq!(gate(&p, "2027-03-31").models[0].verdict, Verdict::Excepted);
        let r = gate(&p, "2027-04-01");
        assert_eq!(r.models[0].verdict, Verdict::Denied);
        assert!(r.models[0]
            .findings
            .iter()
            .any(|f| f.finding.code == Code::ExceptionExpired));
    }

    #[test]
    fn malformed_policies_name_the_line() {
        let c = Catalog::embedded();
        let e = parse_policy(
            "pick.toml",
            "[usage]\ncommercial = true\nfoo = 1\n[allow]\n",
            &c,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("pick.toml:3"), "{e}");
        let e = parse_policy("pick.toml", "[usage]\ncommercial = \"yes\"\n[allow]\n", &c)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("pick.toml:2"), "{e}");
        let e = parse_policy(
            "pick.toml",
            "[usage]\ncommercial = true\n[allow]\ntiers = [\"permisive\"]\n",
            &c,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(":4") && e.contains("permisive"), "{e}");
        assert!(
            parse_policy("pick.toml", "[allow]\n", &c).is_err(),
            "[usage] is required"
        );
    }
}
