//! The CI license gate: a policy file (`pick.toml`) says what the project does and which licenses it
//! accepts; every model it lists or that `--scan` finds is resolved in the catalog and its licenses
//! are evaluated with `license::evaluate` (the recommender's code). Fails closed: an unknown model,
//! a license without known terms, an expired exception, or an unknown policy key never passes.

use crate::catalog::{line_of, Catalog, Date, LineIndex, Tier};
use crate::license::{self, Allow, Finding, Level, Usage};
use crate::places::Place;
use crate::scan::{self, Found};
use crate::suggest::elide;
use anyhow::{anyhow, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    usage: RawUsage,
    allow: RawAllow,
    #[serde(default)]
    model: Vec<Spanned<RawModel>>,
    #[serde(default)]
    exception: Vec<Spanned<RawException>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUsage {
    commercial: bool,
    #[serde(default)]
    mau: Option<u64>,
    #[serde(default)]
    region: Option<Spanned<String>>,
    #[serde(default)]
    hosted: bool,
    #[serde(default)]
    redistribute: bool,
    #[serde(default)]
    distill: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    tiers: Vec<Spanned<String>>,
    #[serde(default)]
    licenses: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(default)]
    revision: Option<String>,
    /// Hugging Face `license:` of a model the catalog lacks (it still fails as unknown; this says
    /// which license terms to report).
    #[serde(default)]
    license: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    model: String,
    reason: String,
    expires: Date,
}

/// A place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
}

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
            anyhow!("{e} (create pick.toml or pass --policy FILE; see the README)")
        } else {
            anyhow!("{e}")
        }
    })?;
    parse_policy(&path.display().to_string(), &text, catalog)
}

pub fn parse_policy(file: &str, text: &str, catalog: &Catalog) -> Result<Policy> {
    let raw: RawPolicy = toml::from_str(text).map_err(|e| {
        let Some(span) = e.span() else {
            return anyhow!("{file}: {}", e.message().trim());
        };
        let line = line_of(text, span.start);
        let source = text.lines().nth(line - 1).unwrap_or("").trim();
        anyhow!(
            "{file}:{line}: {} (at `{source}`); the policy format is in the README",
            e.message().trim()
        )
    })?;
    // One index for every location: counting lines from the start per entry is quadratic.
    let lines = LineIndex::new(text);
    let at = |offset: usize| Location {
        file: file.to_string(),
        line: lines.line(offset),
    };
    let mut allow = Allow::default();
    let mut labels = Vec::new();
    for t in &raw.allow.tiers {
        let tier = Tier::parse(t.get_ref()).ok_or_else(|| {
            anyhow!("{file}:{}: unknown tier `{}` (permissive, conditional, non-commercial, proprietary)", lines.line(t.span().start), elide(t.get_ref()))
        })?;
        allow.tiers.push(tier);
        labels.push(t.get_ref().clone());
    }
    for l in &raw.allow.licenses {
        let lic = catalog.license_by_any_name(l.get_ref()).ok_or_else(|| {
            let hint = crate::suggest::did_you_mean(
                l.get_ref(),
                catalog.licenses.iter().map(|x| x.id.as_str()),
            );
            anyhow!(
                "{file}:{}: unknown license `{}`{hint}; `pick licenses` lists the ids",
                lines.line(l.span().start),
                elide(l.get_ref())
            )
        })?;
        allow.licenses.push(lic.id.clone());
        labels.push(lic.id.clone());
    }
    allow.label = if labels.is_empty() {
        "nothing".into()
    } else {
        labels.join(", ")
    };
    // An empty region is no region (as before places were typed); anything else must be a place.
    let region = match &raw.usage.region {
        Some(r) if !r.get_ref().trim().is_empty() => Some(
            Place::parse(r.get_ref())
                .map_err(|e| anyhow!("{file}:{}: usage.region: {e}", lines.line(r.span().start)))?,
        ),
        _ => None,
    };
    let usage = Usage {
        commercial: raw.usage.commercial,
        mau: raw.usage.mau,
        region,
        hosted: raw.usage.hosted,
        redistribute: raw.usage.redistribute,
        distill: raw.usage.distill,
    };
    // A reference is a catalog id or a Hugging Face repo id, a few dozen characters: a longer one
    // is a broken file, refused before it is quoted in messages or compared with every id.
    let too_long = |what: &str, value: &str, offset: usize| {
        let n = value.chars().count();
        (n > MAX_REF).then(|| {
            anyhow!(
                "{file}:{}: {what} is {n} characters long; a model reference (catalog id or Hugging Face repo id) has at most {MAX_REF}",
                lines.line(offset)
            )
        })
    };
    for m in &raw.model {
        let r = m.get_ref();
        for (what, value) in [
            ("ref", Some(&r.reference)),
            ("license", r.license.as_ref()),
            ("revision", r.revision.as_ref()),
        ] {
            if let Some(e) = value.and_then(|v| too_long(what, v, m.span().start)) {
                return Err(e);
            }
        }
    }
    for e in &raw.exception {
        if let Some(err) = too_long("model", &e.get_ref().model, e.span().start) {
            return Err(err);
        }
    }
    let models = raw
        .model
        .iter()
        .map(|m| PolicyModel {
            reference: m.get_ref().reference.clone(),
            revision: m.get_ref().revision.clone(),
            license: m.get_ref().license.clone(),
            location: at(m.span().start),
        })
        .collect();
    let exceptions = raw
        .exception
        .iter()
        .map(|e| Exception {
            model: e.get_ref().model.clone(),
            reason: e.get_ref().reason.clone(),
            expires: e.get_ref().expires,
            location: at(e.span().start),
        })
        .collect();
    Ok(Policy {
        file: file.to_string(),
        usage,
        allow,
        models,
        exceptions,
    })
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
    // The policy's [[model]] entries, then what the scan finds (scanned references have no
    // revision or declared license).
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
    let mut used = vec![false; policy.exceptions.len()];
    // Resolved once, not once per gated model: a policy may list 100,000 models. Model id → the
    // first exception naming it.
    let mut excepted: HashMap<&str, usize> = HashMap::new();
    for (i, e) in policy.exceptions.iter().enumerate() {
        if let Some(m) = catalog.model(&e.model) {
            excepted.entry(m.id.as_str()).or_insert(i);
        }
    }
    let mut ctx = Context {
        catalog,
        policy,
        today,
        excepted: &excepted,
        used: &mut used,
        hints: HashMap::new(),
    };
    let models: Vec<ModelResult> = refs.into_iter().map(|r| gate_one(&mut ctx, r)).collect();
    let mut policy_findings = Vec::new();
    for (e, used) in policy.exceptions.iter().zip(used) {
        if !used {
            policy_findings.push(GateFinding {
                finding: Finding::new(
                    "exception-unused",
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
                "no-models",
                Level::Warn,
                "the policy lists no [[model]] and --scan found none: nothing was gated",
            ),
            location: None,
        });
    }
    let passed = models
        .iter()
        .all(|m| matches!(m.verdict, Verdict::Allowed | Verdict::Excepted));
    Ok(GateReport {
        policy_file: policy.file.clone(),
        passed,
        models,
        policy_findings,
        today,
    })
}

/// What gating one model needs besides the model: the inputs, the exceptions resolved to model
/// ids, which were used, and the did-you-mean of each unknown reference seen so far.
struct Context<'a> {
    catalog: &'a Catalog,
    policy: &'a Policy,
    today: Date,
    excepted: &'a HashMap<&'a str, usize>,
    used: &'a mut [bool],
    hints: HashMap<String, String>,
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
    let Some(model) = catalog.model(reference) else {
        // Memoized: the same unknown reference may appear thousands of times (scans, big policies).
        let hint = ctx.hints.entry(reference.to_string()).or_insert_with(|| {
            crate::suggest::did_you_mean(reference, catalog.models.iter().map(|m| m.id.as_str()))
        });
        let mut findings = vec![at(Finding::new(
            "model-unknown",
            Level::Fail,
            format!("`{}` is not in the catalog{hint}; add it with --catalog FILE (see README) so its license terms are known", elide(reference)),
        ))];
        match declared.map(str::to_ascii_lowercase) {
            Some(l) if l == "other" || l == "unknown" => findings.push(at(Finding::new(
                "license-unknown",
                Level::Fail,
                format!("Hugging Face license `{l}` has no known terms"),
            ))),
            Some(l) if catalog.license_by_any_name(&l).is_none() => {
                findings.push(at(Finding::new(
                    "license-unknown",
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
            verdict: Verdict::Unknown,
            findings,
            location,
        };
    };
    let mut findings: Vec<GateFinding> =
        license::evaluate(catalog, model, &policy.usage, &policy.allow)
            .into_iter()
            .map(at)
            .collect();
    let unknown_license = findings.iter().any(|f| f.finding.code == "license-unknown");
    let failing = findings.iter().any(|f| f.finding.level == Level::Fail);
    let exception = ctx
        .excepted
        .get(model.id.as_str())
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
                    "exception-expired",
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
                    "exception-applied",
                    Level::Info,
                    format!("exception: {} (expires {})", e.reason, e.expires),
                ),
                location: loc,
            });
            verdict = Verdict::Excepted;
        } else if !failing {
            findings.push(GateFinding {
                finding: Finding::new(
                    "exception-not-needed",
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
        id: Some(model.id.clone()),
        license: Some(model.license_ids().collect::<Vec<_>>().join(" AND ")),
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
            .any(|f| f.finding.code == "exception-expired"));
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
