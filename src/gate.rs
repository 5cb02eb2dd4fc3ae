//! The CI license gate: a policy file (`pick.toml`) says what the project does and which licenses it
//! accepts; every model it lists or that `--scan` finds is resolved in the catalog and its licenses
//! are evaluated with `license::evaluate` (the recommender's code). Fails closed: an unknown model,
//! a license without known terms, an expired exception, or an unknown policy key never passes.

use crate::catalog::{self, Catalog, Date, Source};
pub use crate::findings::Location;
use crate::findings::{Code, Finding, Level};
use crate::license::{self, Allow, Usage};
use crate::lineage::{self, Step};
use crate::places::Place;
use crate::problem::{self, LineIndex, Problem};
use crate::scan::{self, Found};
use crate::suggest::elide;
use anyhow::{anyhow, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Exception {
    pub model: String,
    pub reason: String,
    pub expires: Date,
    pub location: Location,
}

/// A validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub file: String,
    pub usage: Usage,
    pub allow: Allow,
    pub models: Vec<PolicyModel>,
    pub exceptions: Vec<Exception>,
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
    parse_policy(&path.display().to_string(), &text, catalog)
}

/// The keys a policy may have, by table (for unknown-key messages with a did-you-mean).
const TOP_KEYS: &[&str] = &["usage", "allow", "model", "exception"];
const USAGE_KEYS: &[&str] = &[
    "commercial",
    "mau",
    "region",
    "hosted",
    "redistribute",
    "distill",
];
const ALLOW_KEYS: &[&str] = &["tiers", "licenses"];
const MODEL_KEYS: &[&str] = &["ref", "revision", "license"];
const EXCEPTION_KEYS: &[&str] = &["model", "reason", "expires"];

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

    let usage = r.table(root, "usage", true);
    let commercial = usage.and_then(|u| r.bool(u, "usage", "commercial", true));
    let mau = usage.and_then(|u| r.count(u, "usage", "mau"));
    // An empty region is no region; anything else must be a place (fail closed on `mars`).
    let region = match usage.and_then(|u| r.string(u, "usage", "region", false)) {
        Some((text, line)) if !text.trim().is_empty() => match Place::parse(&text) {
            Ok(place) => Some(place),
            Err(e) => {
                r.problems
                    .push(Problem::at_line(file, line, format!("usage.region: {e}")));
                None
            }
        },
        _ => None,
    };
    let flag = |r: &mut PolicyReader, key: &str| {
        usage
            .and_then(|u| r.bool(u, "usage", key, false))
            .unwrap_or(false)
    };
    let (hosted, redistribute, distill) = (
        flag(&mut r, "hosted"),
        flag(&mut r, "redistribute"),
        flag(&mut r, "distill"),
    );
    if let Some(u) = usage {
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
        if let (Some((model, _)), Some((reason, _)), Some(expires)) = (model, reason, expires) {
            exceptions.push(Exception {
                model,
                reason,
                expires,
                location: Location {
                    file: file.to_string(),
                    line,
                },
            });
        }
    }
    problem::into_result(
        r.problems,
        &format!("in the policy file {file} (`pick gate --help` describes the format)"),
    )?;
    Ok(Policy {
        file: file.to_string(),
        usage: Usage {
            commercial: commercial.unwrap_or(true),
            mau,
            region,
            hosted,
            redistribute,
            distill,
        },
        allow,
        models,
        exceptions,
    })
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
    /// Where the facts came from: the catalog, pick.lock, the Hugging Face cache or the Hub (None
    /// when the reference was not resolved).
    pub source: Option<Source>,
    /// The upstreams whose terms were weighed, in the order they were reached.
    pub lineage: Vec<Step>,
    pub verdict: Verdict,
    pub findings: Vec<GateFinding>,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct GateReport {
    pub policy_file: String,
    pub passed: bool,
    pub models: Vec<ModelResult>,
    /// Findings about the policy itself (unused exceptions).
    pub policy_findings: Vec<GateFinding>,
    pub today: Date,
}

/// Runs the gate over the policy's models and the references found under `scan_paths`.
pub fn run(
    catalog: &Catalog,
    policy: &Policy,
    scan_paths: &[PathBuf],
    today: Date,
) -> Result<GateReport> {
    let refs = references(policy, scan_paths)?;
    Ok(run_refs(catalog, policy, refs, today, &HashMap::new()))
}

/// Findings about how references were resolved (lock-missing, lock-mismatch), by reference key
/// (`catalog::reference_key`).
pub type ResolutionFindings = HashMap<String, Vec<Finding>>;

/// The references to gate: the policy's [[model]] entries, then what the scan finds (scanned
/// references have no revision or declared license).
pub fn references(policy: &Policy, scan_paths: &[PathBuf]) -> Result<Vec<PolicyModel>> {
    let mut refs: Vec<PolicyModel> = policy.models.clone();
    if !scan_paths.is_empty() {
        let found = scan::scan(scan_paths).map_err(|e| anyhow!("--scan: {e}"))?;
        refs.extend(found.into_iter().map(
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
    Ok(refs)
}

/// Gates resolved references; `resolution` adds findings about how each was resolved.
pub fn run_refs(
    catalog: &Catalog,
    policy: &Policy,
    refs: Vec<PolicyModel>,
    today: Date,
    resolution: &ResolutionFindings,
) -> GateReport {
    let mut used = vec![false; policy.exceptions.len()];
    // Resolved once, not once per gated model: a policy may list 100,000 models. Model id (or the
    // lower-cased `org/name` of a repository the catalog lacks) → the first exception naming it.
    let mut excepted: HashMap<String, usize> = HashMap::new();
    for (i, e) in policy.exceptions.iter().enumerate() {
        let key = catalog
            .model(&e.model)
            .map_or_else(|| catalog::reference_key(&e.model), |m| m.id.clone());
        excepted.entry(key).or_insert(i);
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
    if models.is_empty() {
        policy_findings.push(GateFinding {
            finding: Finding::new(
                Code::NoModels,
                Level::Warn,
                "the policy lists no [[model]] and --scan found none: nothing was gated",
            ),
            location: None,
        });
    }
    let passed = models
        .iter()
        .all(|m| matches!(m.verdict, Verdict::Allowed | Verdict::Excepted));
    GateReport {
        policy_file: policy.file.clone(),
        passed,
        models,
        policy_findings,
        today,
    }
}

/// What gating one model needs besides the model: the inputs, the exceptions resolved to model
/// ids, which were used, and the did-you-mean of each unknown reference seen so far.
struct Context<'a> {
    catalog: &'a Catalog,
    policy: &'a Policy,
    today: Date,
    excepted: &'a HashMap<String, usize>,
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
    let subject = match (catalog.model(reference), catalog.repo(reference)) {
        (Some(m), _) => Some((
            Some(m.id.clone()),
            m.id.clone(),
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
            source: None,
            lineage: Vec::new(),
            verdict: Verdict::Unknown,
            findings,
            location,
        };
    };
    let mut findings: Vec<GateFinding> = resolution;
    findings.extend(
        license::evaluate_bound(catalog, &bound, &policy.usage, &policy.allow)
            .into_iter()
            .map(at),
    );
    let unknown_license = findings.iter().any(|f| makes_unknown(f.finding.code));
    let failing = findings.iter().any(|f| f.finding.level == Level::Fail);
    let exception = ctx
        .excepted
        .get(exception_key.as_str())
        .map(|&i| (i, &policy.exceptions[i]));
    let mut verdict = if unknown_license {
        Verdict::Unknown
    } else if failing {
        Verdict::Denied
    } else {
        Verdict::Allowed
    };
    if let Some((i, e)) = exception {
        ctx.used[i] = true;
        let loc = Some(e.location.clone());
        if e.expires < today {
            findings.push(GateFinding {
                finding: Finding::new(
                    Code::ExceptionExpired,
                    Level::Fail,
                    format!(
                        "exception for `{}` ({}) expired on {}",
                        e.model, e.reason, e.expires
                    ),
                ),
                location: loc,
            });
            verdict = if verdict == Verdict::Unknown {
                Verdict::Unknown
            } else {
                Verdict::Denied
            };
        } else if failing && !unknown_license {
            for f in &mut findings {
                if f.finding.level == Level::Fail {
                    f.finding.level = Level::Warn;
                    f.finding.message = format!(
                        "{} (waived: {}, until {})",
                        f.finding.message, e.reason, e.expires
                    );
                }
            }
            findings.push(GateFinding {
                finding: Finding::new(
                    Code::ExceptionApplied,
                    Level::Info,
                    format!("exception: {} (expires {})", e.reason, e.expires),
                ),
                location: loc,
            });
            verdict = Verdict::Excepted;
        } else if !failing {
            findings.push(GateFinding {
                finding: Finding::new(
                    Code::ExceptionNotNeeded,
                    Level::Info,
                    format!(
                        "exception for `{}` is not needed: the model passes",
                        e.model
                    ),
                ),
                location: loc,
            });
        }
    }
    ModelResult {
        revision,
        reference: reference.to_string(),
        id,
        license: (!bound.licenses.is_empty()).then(|| bound.expression()),
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
        let c = Catalog::embedded().unwrap();
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
        let p = format!("{HEAD}[[model]]\nref = \"qwen2.5-72b\"\n[[exception]]\nmodel = \"qwen2.5-72b\"\nreason = \"LR-118\"\nexpires = 2027-03-31\n");
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
        let c = Catalog::embedded().unwrap();
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
