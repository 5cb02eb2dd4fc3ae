//! License clauses evaluated against what a project does with a model. One implementation, used by
//! the recommender (`pick --license ...`) and the CI gate (`pick gate`), so both always agree.
//!
//! Each license is read as its text is written: what it grants to whom (`grant`: research,
//! evaluation, proofs of concept, production; individuals, academics, non-profits, companies),
//! user and revenue thresholds (who is counted, whether they bind whatever the use), territorial
//! exclusions (of the licensee's domicile, its users or where the model runs), outputs and the
//! models trained on them, hosting, restricted fields of use, and the duties that remain. Every
//! finding names the clause it comes from, and quotes it where the text was read.

use crate::catalog::{
    Applies, Barred, Catalog, Counted, Effect, License, Metric, Model, ModelScope, Party,
    Redistribution, StudentDerivative, Tier, Training, Version, When,
};
use crate::fasthash::FastMap;
use crate::lineage::{self, Bound};
use crate::places::Place;
use crate::units::human;

pub use crate::catalog::{Domain, Licensee, Use};
pub use crate::findings::{Code, Finding, Level};

/// What kind of model is trained on a model's outputs (`--distill`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Student {
    /// A general-purpose language model trained to perform like the teacher: the worst case, and
    /// what `--distill` alone means.
    General,
    /// A task-specific model (a classifier, an extractor, an embedding model) that is neither an LLM
    /// nor trained to perform similarly to the teacher.
    Narrow,
}

impl Student {
    pub fn as_str(self) -> &'static str {
        match self {
            Student::General => "general",
            Student::Narrow => "narrow",
        }
    }
    pub fn parse(s: &str) -> Option<Student> {
        match s {
            "general" => Some(Student::General),
            "narrow" => Some(Student::Narrow),
            _ => None,
        }
    }
}

/// What the project does with the model (the gate's `[usage]`, the recommender's flags).
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    /// Research, evaluation, a proof of concept or production (`--use`).
    pub purpose: Use,
    /// Who the licensee is (`--licensee`).
    pub licensee: Licensee,
    /// Monthly active users of the product (`--mau`).
    pub mau: Option<u64>,
    /// Monthly active users of every product of the licensee and its affiliates (`--group-mau`),
    /// which Llama, DBRX and Tencent count; the product's figure is its lower bound.
    pub group_mau: Option<u64>,
    /// Monthly revenue of the licensee (and its group), US dollars (`--revenue`).
    pub revenue_usd_month: Option<u64>,
    /// Where the licensee is domiciled or has its principal place of business (`--region`).
    pub region: Option<Place>,
    /// Where the end users are (`--users-in`).
    pub users_in: Vec<Place>,
    /// Where the model is hosted (`--hosted-in`).
    pub hosted_in: Vec<Place>,
    /// Offers the model to others as a hosted service (an API, a managed endpoint).
    pub hosted: bool,
    /// Ships fine-tuned weights.
    pub redistribute: bool,
    /// Trains another model on outputs, and what kind.
    pub distill: Option<Student>,
    /// Fields of use (`--domain`).
    pub domains: Vec<Domain>,
}

impl Default for Usage {
    /// A company using the model in production, with nothing else declared: the strictest
    /// reading of "use", so research licenses fail unless the use says otherwise.
    fn default() -> Usage {
        Usage {
            purpose: Use::Production,
            licensee: Licensee::Company,
            mau: None,
            group_mau: None,
            revenue_usd_month: None,
            region: None,
            users_in: Vec::new(),
            hosted_in: Vec::new(),
            hosted: false,
            redistribute: false,
            distill: None,
            domains: Vec::new(),
        }
    }
}

impl Usage {
    /// Research use by a company: what `--research` (and `commercial = false`) used to mean.
    pub fn research() -> Usage {
        Usage {
            purpose: Use::Research,
            ..Usage::default()
        }
    }

    /// Commercial use, as the licenses that only bind commercial use mean it: a product or
    /// service in production.
    pub fn commercial(&self) -> bool {
        self.purpose == Use::Production
    }
}

/// Which licenses are acceptable: tiers and license ids (an allow-list; nothing is denied by name).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Allow {
    pub any: bool,
    /// Any license that allows commercial use (in the usage context: clauses are checked separately).
    pub commercial: bool,
    pub tiers: Vec<Tier>,
    pub licenses: Vec<String>,
    /// The words the user wrote, for messages.
    pub label: String,
}

impl Allow {
    pub fn any() -> Allow {
        Allow {
            any: true,
            label: "any".into(),
            ..Allow::default()
        }
    }

    /// Parses `--license` words: apache, mit, permissive, conditional, non-commercial, proprietary,
    /// commercial, any, or a catalog license id / SPDX id / HF license id.
    pub fn parse(catalog: &Catalog, words: &[String]) -> Result<Allow, String> {
        let mut allow = Allow::default();
        let mut labels = Vec::new();
        for word in words
            .iter()
            .flat_map(|w| w.split(','))
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            labels.push(word.to_string());
            let w = word.to_ascii_lowercase();
            match w.as_str() {
                "any" | "all" => allow.any = true,
                "commercial" => allow.commercial = true,
                "apache" | "apache2" | "apache-2" => allow.licenses.push("apache-2.0".into()),
                _ => {
                    if let Some(t) = Tier::parse(&w) {
                        allow.tiers.push(t);
                    } else if let Some(l) = catalog.license_by_any_name(&w) {
                        allow.licenses.push(l.id.to_string());
                    } else {
                        let names = [
                            "any",
                            "commercial",
                            "apache",
                            "mit",
                            "permissive",
                            "conditional",
                            "non-commercial",
                            "proprietary",
                        ]
                        .into_iter()
                        .chain(catalog.licenses.iter().map(|l| l.id.as_str()));
                        let hint = crate::suggest::did_you_mean(&w, names);
                        return Err(format!(
                            "unknown license `{word}`{hint}: use a tier (permissive, conditional, non-commercial, proprietary), apache, mit, commercial, any, or a license id from `pick licenses`"
                        ));
                    }
                }
            }
        }
        if labels.is_empty() {
            return Err("--license needs a value, e.g. --license apache".into());
        }
        allow.label = labels.join(",");
        Ok(allow)
    }

    /// Adds another allow-list's words to this one (a policy's `tiers` and `licenses` lists).
    pub fn extend(&mut self, other: Allow) {
        self.any |= other.any;
        self.commercial |= other.commercial;
        self.tiers.extend(other.tiers);
        self.licenses.extend(other.licenses);
    }

    pub fn allows(&self, l: &License) -> bool {
        self.any
            || (self.commercial && l.commercial)
            || self.tiers.contains(&l.tier)
            || self.licenses.iter().any(|id| l.id == *id)
    }
}

pub use crate::catalog::{BindingLicense, Via};

/// Every license binding `model`, its own first, each once, with why (`Catalog::bindings`).
pub fn bindings<'c>(catalog: &'c Catalog, model: &'c Model) -> Vec<BindingLicense<'c>> {
    catalog.bindings(model)
}

/// The text of a license in force for a model pinned at `revision`: a version whose `revisions`
/// name it (by prefix, either way), else the current text.
#[derive(Debug, Clone)]
pub struct InForce<'c> {
    /// The terms to evaluate (another entry when an older text differs).
    pub terms: &'c License,
    /// The version matched by the revision, or the latest recorded one.
    pub version: Option<&'c Version>,
    /// The revision matched a recorded version.
    pub matched: bool,
}

/// Whether a pinned revision and a recorded one name the same commit (either may be abbreviated).
fn same_commit(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    a.len() >= 7 && b.len() >= 7 && (a.starts_with(&b) || b.starts_with(&a))
}

pub fn in_force<'c>(catalog: &'c Catalog, l: &'c License, revision: Option<&str>) -> InForce<'c> {
    let matched = revision.and_then(|r| {
        l.version
            .iter()
            .find(|v| v.revisions.iter().any(|x| same_commit(x, r)))
    });
    match matched {
        Some(v) => InForce {
            terms: v
                .terms
                .as_deref()
                .and_then(|t| catalog.license(t))
                .unwrap_or(l),
            version: Some(v),
            matched: true,
        },
        None => InForce {
            terms: l,
            version: l.version.last(),
            matched: false,
        },
    }
}

/// Evaluates every license binding `model` (its own, `also_bound_by` and upstream ones through
/// `lineage.rs`) against the allow-list and the usage. A license the catalog does not know fails
/// (closed).
pub fn evaluate(catalog: &Catalog, model: &Model, usage: &Usage, allow: &Allow) -> Vec<Finding> {
    evaluate_at(catalog, model, usage, allow, None)
}

/// `evaluate` for a model pinned at `revision`: each license is read in the version in force there.
pub fn evaluate_at(
    catalog: &Catalog,
    model: &Model,
    usage: &Usage,
    allow: &Allow,
    revision: Option<&str>,
) -> Vec<Finding> {
    evaluate_bound_at(
        catalog,
        &lineage::of_model(catalog, model),
        usage,
        allow,
        revision,
    )
}

/// `evaluate` for licenses already bound (a model's or a resolved repository's).
pub fn evaluate_bound(
    catalog: &Catalog,
    bound: &Bound,
    usage: &Usage,
    allow: &Allow,
) -> Vec<Finding> {
    evaluate_bound_at(catalog, bound, usage, allow, None)
}

/// `evaluate_bound` at a pinned revision.
pub fn evaluate_bound_at(
    catalog: &Catalog,
    bound: &Bound,
    usage: &Usage,
    allow: &Allow,
    revision: Option<&str>,
) -> Vec<Finding> {
    let mut out = violations_bound_at(catalog, bound, usage, allow, revision);
    out.extend(duties_bound_at(catalog, bound, usage, revision));
    out
}

/// The clauses models break (fail) or that need care (warn), without the standing duties, for one
/// usage and allow-list: what the recommender filters on. Each license's own clauses are evaluated
/// once (with and without images) and their findings copied to every model it binds: some 200
/// models share about 25 licenses, and writing the same messages anew for each cost 0.3M of the
/// query's 8.6M instructions.
pub struct Verdicts<'a> {
    catalog: &'a Catalog,
    usage: &'a Usage,
    allow: &'a Allow,
    /// `evaluate_one`'s findings by license id and multimodality.
    by_terms: FastMap<(&'a str, bool), Vec<Finding>>,
    /// `violations` of the models bound by their own licenses alone, by license ids (the license,
    /// then any others it is also bound by) and multimodality: the embedded catalog's 199 models
    /// have a few dozen such sets.
    by_licenses: FastMap<(crate::catalog::Text, Vec<crate::catalog::Text>, bool), Vec<Finding>>,
    /// The last `violations` of a model with upstreams (not remembered: its lineage is its own).
    derived: Vec<Finding>,
}

impl<'a> Verdicts<'a> {
    pub fn new(catalog: &'a Catalog, usage: &'a Usage, allow: &'a Allow) -> Verdicts<'a> {
        Verdicts {
            catalog,
            usage,
            allow,
            by_terms: FastMap::default(),
            by_licenses: FastMap::default(),
            derived: Vec::new(),
        }
    }

    /// The clauses `model` breaks or that need care (borrowed: the caller copies what it keeps).
    pub fn violations(&mut self, model: &Model) -> &[Finding] {
        if !lineage::own_licenses_only(model) {
            self.derived = self.bound_at(&lineage::of_model(self.catalog, model), None);
            return &self.derived;
        }
        // No allocation for the usual key: a license alone (an empty Vec allocates nothing).
        let key = (
            model.license.clone(),
            model.also_bound_by.iter().cloned().collect(),
            model.is_multimodal(),
        );
        if !self.by_licenses.contains_key(&key) {
            let found = self.bound_at(&lineage::of_model(self.catalog, model), None);
            self.by_licenses.insert(key.clone(), found);
        }
        &self.by_licenses[&key]
    }

    /// `violations` for licenses already bound: the lineage's own findings first, then each
    /// license, read in the version in force at `revision`.
    pub fn bound_at(&mut self, bound: &Bound, revision: Option<&str>) -> Vec<Finding> {
        let catalog = self.catalog;
        let mut out = bound.findings.clone();
        for b in &bound.licenses {
            match catalog.license(&b.id).filter(|_| b.known) {
                Some(l) => {
                    let f = in_force(catalog, l, revision);
                    if let Some(r) = revision {
                        match f.version {
                            Some(v) if f.matched => out.push(version_finding(l, f.terms, v, r)),
                            // A text known to have changed, at a revision its history does not name.
                            _ if l.version.iter().any(|v| !v.revisions.is_empty()) => {
                                out.push(Finding::new(
                                    Code::LicenseVersion,
                                    Level::Warn,
                                    format!(
                                        "revision {r} is not in the recorded history of {}, whose text changed in place: evaluated against the current text{}; check the LICENSE at that revision",
                                        l.id,
                                        f.version.map_or(String::new(), |v| format!(" of {}", v.date))
                                    ),
                                ))
                            }
                            _ => {}
                        }
                    }
                    let (usage, allow) = (self.usage, self.allow);
                    let terms = self
                        .by_terms
                        .entry((f.terms.id.as_str(), bound.multimodal))
                        .or_insert_with(|| {
                            let mut found = Vec::new();
                            evaluate_one(f.terms, bound.multimodal, usage, allow, &mut found);
                            found
                        });
                    out.extend(terms.iter().cloned());
                }
                None => out.push(unknown_license(b)),
            }
        }
        out
    }
}

/// `Verdicts::bound_at` for one bound set of licenses.
pub fn violations_bound_at(
    catalog: &Catalog,
    bound: &Bound,
    usage: &Usage,
    allow: &Allow,
    revision: Option<&str>,
) -> Vec<Finding> {
    Verdicts::new(catalog, usage, allow).bound_at(bound, revision)
}

/// A binding whose license the catalog has no terms for: it fails (closed).
fn unknown_license(b: &lineage::BoundLicense) -> Finding {
    Finding::new(
        Code::LicenseUnknown,
        Level::Fail,
        format!(
            "license `{}`{} has no known terms in the catalog",
            crate::suggest::elide(&b.id),
            b.via.as_deref().map_or(String::new(), |v| format!(
                " (through `{}`)",
                crate::suggest::elide(v)
            ))
        ),
    )
}

fn version_finding(l: &License, terms: &License, v: &Version, revision: &str) -> Finding {
    let which = if terms.id != l.id {
        format!("whose terms are those of `{}`", terms.id)
    } else {
        "the terms recorded for it".into()
    };
    let note = v
        .note
        .as_deref()
        .map_or(String::new(), |n| format!(": {n}"));
    Finding::new(
        Code::LicenseVersion,
        Level::Info,
        format!(
            "revision {revision}: {} is the text of {}{note}, {which}",
            l.id, v.date
        ),
    )
}

/// "§2 ("quote")" for a clause and its quote.
fn cite(clause: &str, quote: Option<&str>) -> String {
    match quote {
        Some(q) => format!("{clause}: \"{q}\""),
        None => clause.to_string(),
    }
}

/// The grant in words: "research, evaluation by individual, academic, nonprofit".
fn describe_grant(l: &License) -> String {
    if l.grant.is_empty() {
        return "no use".into();
    }
    l.grant
        .iter()
        .map(|g| {
            let uses: Vec<&str> = g.uses.iter().map(|u| u.as_str()).collect();
            let who: Vec<&str> = g.licensees.iter().map(|u| u.as_str()).collect();
            if g.licensees.len() == Licensee::ALL.len() {
                format!("{} by anyone", uses.join(", "))
            } else {
                format!("{} by {} licensees", uses.join(", "), who.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn evaluate_one(
    l: &License,
    multimodal: bool,
    usage: &Usage,
    allow: &Allow,
    out: &mut Vec<Finding>,
) {
    let name = &l.name;
    let mut push = |code: Code, level: Level, msg: String| out.push(Finding::new(code, level, msg));
    if !allow.allows(l) {
        push(
            Code::LicenseNotAllowed,
            Level::Fail,
            format!(
                "{name} ({}, {}) is not in the allowed licenses ({})",
                l.spdx,
                l.tier.as_str(),
                allow.label
            ),
        );
    }
    let granted = l.grants(usage.purpose, usage.licensee);
    if !granted {
        let g = l.grant.first();
        let cited = g.map_or(String::new(), |g| {
            format!(" ({})", cite(&g.clause, g.quote.as_deref()))
        });
        push(
            Code::LicenseNonCommercial,
            Level::Fail,
            format!(
                "{name} grants {} only{cited}: not {} use by a {} licensee",
                describe_grant(l),
                usage.purpose.as_str(),
                usage.licensee.as_str()
            ),
        );
    }
    thresholds(l, usage, out);
    territory(l, multimodal, usage, out);
    let mut push = |code: Code, level: Level, msg: String| out.push(Finding::new(code, level, msg));
    if usage.hosted && !l.hosting.allowed {
        let carve_out = if l.hosting.background_exempt {
            "; an application that uses the model in the background is not hosting: drop --hosted / `hosted` if that is what you do"
        } else {
            ""
        };
        let cited = l.hosting.clause.as_deref().map_or(String::new(), |c| {
            format!(" ({})", cite(c, l.hosting.quote.as_deref()))
        });
        push(
            Code::LicenseHosting,
            Level::Fail,
            format!("{name}: offering the model to others as a hosted service needs a separate license{cited}{carve_out}"),
        );
    }
    if usage.redistribute {
        match l.redistribute_finetunes {
            Redistribution::Forbidden => push(
                Code::LicenseRedistribution,
                Level::Fail,
                format!("{name} does not allow redistributing fine-tuned weights"),
            ),
            Redistribution::NonCommercial if !granted => push(
                Code::LicenseRedistribution,
                Level::Fail,
                format!(
                    "{name} allows redistributing fine-tuned weights only within its grant ({})",
                    describe_grant(l)
                ),
            ),
            _ => {}
        }
    }
    if let Some(student) = usage.distill {
        outputs(l, student, granted, out);
    }
    restrictions(l, usage, out);
}

fn metric_words(m: Metric) -> &'static str {
    match m {
        Metric::Mau => "monthly active users",
        Metric::RevenueUsdMonth => "US dollars of monthly revenue",
        Metric::RevenueUsdYear => "US dollars of annual revenue",
    }
}

/// The number a threshold compares, from the usage: product or group users, monthly or annual
/// revenue. A group count falls back on the product's (its lower bound).
fn measured(t: &crate::catalog::Threshold, usage: &Usage) -> Option<u64> {
    match (t.metric, t.counted) {
        (Metric::Mau, Counted::Product) => usage.mau,
        (Metric::Mau, Counted::Group) => usage.group_mau.or(usage.mau),
        (Metric::RevenueUsdMonth, _) => usage.revenue_usd_month,
        (Metric::RevenueUsdYear, _) => usage.revenue_usd_month.map(|r| r.saturating_mul(12)),
    }
}

fn thresholds(l: &License, usage: &Usage, out: &mut Vec<Finding>) {
    for t in l.threshold.iter().filter(|t| t.effect == Effect::NoRights) {
        if t.applies == Applies::Commercial && !usage.commercial() {
            continue;
        }
        let Some(value) = measured(t, usage) else {
            continue;
        };
        if value <= t.limit {
            continue;
        }
        let whose = match t.counted {
            Counted::Product => "of the product",
            Counted::Group => {
                "of the licensee's products (affiliates included where the license says so)"
            }
        };
        let when = t.counted_before.map_or(String::new(), |d| {
            format!(", counted in the calendar month before the version's release date, {d}")
        });
        let scope = match t.applies {
            Applies::AnyUse => "no rights are granted, whatever the use",
            Applies::Commercial => "commercial use needs a separate license",
        };
        out.push(Finding::new(
            Code::LicenseMauLimit,
            Level::Fail,
            format!(
                "{}: above {} {} {whose}{when}, {scope} ({}; declared: {})",
                l.name,
                human(t.limit),
                metric_words(t.metric),
                cite(&t.clause, t.quote.as_deref()),
                human(value)
            ),
        ));
    }
}

fn party_words(p: Party) -> (&'static str, &'static str) {
    match p {
        Party::Domicile => ("the licensee's domicile", "--region / usage.region"),
        Party::Users => ("the end users", "--users-in / usage.users_in"),
        Party::Hosting => ("where the model is hosted", "--hosted-in / usage.hosted_in"),
    }
}

fn territory(l: &License, multimodal: bool, usage: &Usage, out: &mut Vec<Finding>) {
    for t in &l.territory {
        if t.models == ModelScope::Multimodal && !multimodal {
            continue;
        }
        let excluded: Vec<Place> = t
            .excluded
            .iter()
            .filter_map(|p| Place::parse(p).ok())
            .collect();
        let names = t.excluded.join(", ").to_ascii_uppercase();
        let mut hit = Vec::new();
        let mut unknown = Vec::new();
        for &party in &t.parties {
            let places: Vec<Place> = match party {
                Party::Domicile => usage.region.into_iter().collect(),
                Party::Users => usage.users_in.clone(),
                Party::Hosting => usage.hosted_in.clone(),
            };
            if places.is_empty() {
                unknown.push(party);
                continue;
            }
            for p in places {
                if excluded.iter().any(|e| p.may_overlap(*e)) {
                    hit.push((party, p));
                }
            }
        }
        let scope = if t.models == ModelScope::Multimodal {
            " for multimodal models"
        } else {
            ""
        };
        let exempt = if t.end_users_exempt {
            " (end users of a product that incorporates the model are exempt)"
        } else {
            ""
        };
        if !hit.is_empty() {
            let what: Vec<String> = hit
                .iter()
                .map(|(party, place)| format!("{} in {place}", party_words(*party).0))
                .collect();
            out.push(Finding::new(
                Code::LicenseRegion,
                Level::Fail,
                format!(
                    "{}: no rights in {names}{scope}: {}{exempt} ({})",
                    l.name,
                    what.join(", "),
                    cite(&t.clause, t.quote.as_deref())
                ),
            ));
        } else if !unknown.is_empty() {
            let flags: Vec<&str> = unknown.iter().map(|p| party_words(*p).1).collect();
            let what: Vec<&str> = unknown.iter().map(|p| party_words(*p).0).collect();
            out.push(Finding::new(
                Code::LicenseRegion,
                Level::Warn,
                format!(
                    "{}: no rights in {names}{scope} for {}{exempt}; not declared: give {} ({})",
                    l.name,
                    what.join(", "),
                    flags.join(", "),
                    t.clause
                ),
            ));
        }
    }
}

fn barred_words(b: Barred) -> &'static str {
    match b {
        Barred::Llm => "any other large language model",
        Barred::GeneralPurpose => "foundational, large language or general-purpose models",
        Barred::Any => "any other AI model",
        Barred::Competing => "models that compete with the licensor's",
    }
}

/// Whether a ban on training `barred` models covers `student`.
fn covers(b: Barred, student: Student) -> bool {
    match b {
        Barred::Any => true,
        // A narrow model (a classifier, an extractor) is not an LLM, not general-purpose, and
        // does not compete with a general model.
        Barred::Llm | Barred::GeneralPurpose | Barred::Competing => student == Student::General,
    }
}

fn outputs(l: &License, student: Student, granted: bool, out: &mut Vec<Finding>) {
    let o = &l.outputs;
    let cited = o.clause.as_deref().map_or(String::new(), |c| {
        format!(" ({})", cite(c, o.quote.as_deref()))
    });
    match o.training {
        Training::Forbidden => {
            let b = o.barred.unwrap_or(Barred::Any);
            if covers(b, student) {
                out.push(Finding::new(
                    Code::LicenseDistillForbidden,
                    Level::Fail,
                    format!(
                        "{}: outputs may not train {}{cited}",
                        l.name,
                        barred_words(b)
                    ),
                ));
            }
        }
        Training::WithinGrant if !granted => out.push(Finding::new(
            Code::LicenseDistillForbidden,
            Level::Fail,
            format!(
                "{}: outputs are bound by the license's use limits ({}){cited}",
                l.name,
                describe_grant(l)
            ),
        )),
        _ => {}
    }
    let derivative = match o.student {
        StudentDerivative::Always => true,
        StudentDerivative::IfSimilar => student == Student::General,
        StudentDerivative::Never => false,
    };
    if derivative {
        let qualifier = if o.student == StudentDerivative::IfSimilar {
            "a model trained on its outputs to perform similarly to it is a derivative bound by the same terms (a narrow model trained otherwise is not)"
        } else {
            "a model trained on its outputs is a derivative bound by the same terms"
        };
        out.push(Finding::new(
            Code::LicenseDistillDerivative,
            Level::Warn,
            format!("{}: {qualifier}{cited}", l.name),
        ));
    }
}

fn restrictions(l: &License, usage: &Usage, out: &mut Vec<Finding>) {
    for &d in &usage.domains {
        let matching: Vec<_> = l
            .restriction
            .iter()
            .filter(|r| r.domains.contains(&d))
            .collect();
        for r in &matching {
            let (level, how) = if r.conditional {
                (Level::Warn, "restricts it under the condition it states")
            } else {
                (Level::Fail, "bars it")
            };
            out.push(Finding::new(
                Code::LicenseUseRestricted,
                level,
                format!(
                    "{}: {} use: {} {how}: \"{}\"",
                    l.name,
                    d.as_str(),
                    r.clause,
                    r.quote
                ),
            ));
        }
        if matching.is_empty() && !l.aup_transcribed {
            if let Some(aup) = &l.aup {
                out.push(Finding::new(
                    Code::LicenseUseRestricted,
                    Level::Warn,
                    format!(
                        "{}: {} use: its acceptable-use policy ({aup}) was not transcribed: check it",
                        l.name,
                        d.as_str()
                    ),
                ));
            }
        }
    }
}

/// The duties that remain when a model is used as `usage` says: attribution and naming, notice
/// files, acceptable-use policies (info findings, one line per license).
pub fn duties(catalog: &Catalog, model: &Model, usage: &Usage) -> Vec<Finding> {
    duties_bound_at(catalog, &lineage::of_model(catalog, model), usage, None)
}

/// `duties` for licenses already bound.
pub fn duties_bound(catalog: &Catalog, bound: &Bound, usage: &Usage) -> Vec<Finding> {
    duties_bound_at(catalog, bound, usage, None)
}

/// `duties_bound`, each license read in the version in force at `revision`.
fn duties_bound_at(
    catalog: &Catalog,
    bound: &Bound,
    usage: &Usage,
    revision: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for l in bound
        .licenses
        .iter()
        .filter(|l| l.known)
        .filter_map(|l| catalog.license(&l.id))
    {
        duties_one(in_force(catalog, l, revision).terms, usage, &mut out);
    }
    out
}

/// Whether a duty applies to `usage`.
fn applies(l: &License, when: When, usage: &Usage) -> bool {
    match when {
        When::Always => true,
        When::Distribute => usage.redistribute || (usage.hosted && l.hosting.distribution),
        When::Copies => usage.redistribute,
        When::Train => usage.distill.is_some(),
        When::Commercial => usage.commercial(),
    }
}

fn duties_one(l: &License, usage: &Usage, out: &mut Vec<Finding>) {
    for t in l.threshold.iter().filter(|t| t.effect == Effect::Display) {
        if t.applies == Applies::Commercial && !usage.commercial() {
            continue;
        }
        if measured(t, usage).is_some_and(|v| v > t.limit) {
            out.push(Finding::new(
                Code::LicenseAttribution,
                Level::Info,
                format!(
                    "{}: above {} {}, {} ({})",
                    l.name,
                    human(t.limit),
                    metric_words(t.metric),
                    t.display.as_deref().unwrap_or("display the attribution"),
                    t.clause
                ),
            ));
        }
    }
    let list: Vec<String> = l
        .duty
        .iter()
        .filter(|d| applies(l, d.when, usage))
        .map(|d| format!("{} ({})", d.text, d.clause))
        .collect();
    if !list.is_empty() {
        out.push(Finding::new(
            Code::LicenseObligation,
            Level::Info,
            format!("{} duties: {}", l.id, list.join("; ")),
        ));
    }
    if usage.redistribute {
        if let Some(n) = l.notice.as_deref().filter(|n| !n.trim().is_empty()) {
            out.push(Finding::new(
                Code::LicenseNotice,
                Level::Info,
                format!("{}: ship the notice \"{n}\"", l.id),
            ));
        }
    }
    if usage.distill.is_some() {
        if let Some(n) = &l.outputs.naming {
            out.push(Finding::new(
                Code::LicenseDistillNaming,
                Level::Info,
                format!(
                    "{}: a model trained on its outputs and made available must {n} ({})",
                    l.name,
                    l.outputs.clause.as_deref().unwrap_or("the license")
                ),
            ));
        }
    }
    if let Some(aup) = &l.aup {
        out.push(Finding::new(
            Code::LicenseAup,
            Level::Info,
            format!("{}: acceptable-use policy applies ({aup})", l.id),
        ));
    }
}

/// `--teacher`: what the teacher's own licenses say about training a student on its outputs, and
/// whether the usage may use the teacher at all (every allow-list passes: `--license` is about
/// the student). Failing findings here exclude every student.
pub fn teacher_findings(catalog: &Catalog, teacher: &Model, usage: &Usage) -> Vec<Finding> {
    // Distilling a student from the teacher: the worst case, a general model unless the usage
    // says the student is narrow.
    let distilling = Usage {
        distill: Some(usage.distill.unwrap_or(Student::General)),
        ..usage.clone()
    };
    let any = Allow::any();
    Verdicts::new(catalog, &distilling, &any)
        .violations(teacher)
        .iter()
        .map(|f| Finding {
            message: format!("teacher {}: {}", teacher.id, f.message).into(),
            ..f.clone()
        })
        .collect()
}

/// `--teacher`: the terms a student inherits. A teacher whose license makes a student a
/// derivative binds the student by that license (checked against the allow-list and the usage like
/// the student's own); a naming duty becomes the student's duty.
pub fn student_terms(
    catalog: &Catalog,
    teacher: &Model,
    student: &Model,
    usage: &Usage,
    allow: &Allow,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let kind = usage.distill.unwrap_or(Student::General);
    let own = Usage {
        distill: None,
        ..usage.clone()
    };
    for l in teacher.license_ids().filter_map(|id| catalog.license(id)) {
        let derivative = match l.outputs.student {
            StudentDerivative::Always => true,
            StudentDerivative::IfSimilar => kind == Student::General,
            StudentDerivative::Never => false,
        };
        if derivative {
            out.push(Finding::new(
                Code::LicenseDistillDerivative,
                Level::Warn,
                format!(
                    "trained on {}'s outputs, it becomes a derivative bound by {}",
                    teacher.id, l.name
                ),
            ));
            if !student.license_ids().any(|id| id == l.id) {
                let mut bound = Vec::new();
                evaluate_one(l, student.is_multimodal(), &own, allow, &mut bound);
                out.extend(bound.into_iter().map(|f| Finding {
                    message:
                        format!("as a derivative of teacher {}: {}", teacher.id, f.message).into(),
                    ..f
                }));
                out.extend(duties(catalog, teacher, &own).into_iter().map(|f| Finding {
                    message:
                        format!("as a derivative of teacher {}: {}", teacher.id, f.message).into(),
                    ..f
                }));
            }
        } else if let Some(naming) = &l.outputs.naming {
            out.push(Finding::new(
                Code::LicenseDistillNaming,
                Level::Info,
                format!("trained on {}'s outputs ({}): {naming}", teacher.id, l.name),
            ));
        }
    }
    out
}

/// The strictest-first tier order, for "license freedom" scoring.
pub fn freedom(tier: Tier) -> f64 {
    match tier {
        Tier::Permissive => 1.0,
        Tier::Conditional => 0.6,
        Tier::Proprietary => 0.3,
        Tier::NonCommercial => 0.1,
    }
}

#[cfg(test)]
mod tests;
