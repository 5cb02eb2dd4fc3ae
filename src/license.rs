//! License clauses evaluated against what a project does with a model. One implementation, used by
//! the recommender (`pick --license ...`) and the CI gate (`pick gate`), so both always agree.

use crate::catalog::{
    Catalog, Hosting, License, MauEffect, Model, OutputsTraining, Redistribution, Tier,
};
use crate::lineage::{self, Bound};
use crate::places::Place;
use crate::units::human;

/// What the project does with the model (the gate's `[usage]`, the recommender's flags).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Usage {
    pub commercial: bool,
    pub mau: Option<u64>,
    /// Where the company is established (`--region`, `usage.region`).
    pub region: Option<Place>,
    pub hosted: bool,
    pub redistribute: bool,
    pub distill: bool,
}

pub use crate::findings::{Code, Finding, Level};

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
                        allow.licenses.push(l.id.clone());
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
            || self.licenses.contains(&l.id)
    }
}

/// Evaluates every license binding `model` (its own and upstream ones, `lineage.rs`) against the
/// allow-list and the usage. A license the catalog does not know fails (closed).
pub fn evaluate(catalog: &Catalog, model: &Model, usage: &Usage, allow: &Allow) -> Vec<Finding> {
    evaluate_bound(catalog, &lineage::of_model(catalog, model), usage, allow)
}

/// `evaluate` for licenses already bound (a model's or a resolved repository's).
pub fn evaluate_bound(
    catalog: &Catalog,
    bound: &Bound,
    usage: &Usage,
    allow: &Allow,
) -> Vec<Finding> {
    let mut out = violations_bound(catalog, bound, usage, allow);
    out.extend(duties_bound(catalog, bound, usage));
    out
}

/// The clauses `model` breaks (fail) or that need care (warn, info on distillation), without
/// the standing duties: what the recommender filters on.
pub fn violations(catalog: &Catalog, model: &Model, usage: &Usage, allow: &Allow) -> Vec<Finding> {
    violations_bound(catalog, &lineage::of_model(catalog, model), usage, allow)
}

/// `violations` for licenses already bound: the lineage's own findings first, then each license.
pub fn violations_bound(
    catalog: &Catalog,
    bound: &Bound,
    usage: &Usage,
    allow: &Allow,
) -> Vec<Finding> {
    let mut out = bound.findings.clone();
    for l in &bound.licenses {
        match catalog.license(&l.id).filter(|_| l.known) {
            Some(terms) => evaluate_one(terms, bound.multimodal, usage, allow, &mut out),
            None => out.push(Finding::new(
                Code::LicenseUnknown,
                Level::Fail,
                format!(
                    "license `{}`{} has no known terms in the catalog",
                    crate::suggest::elide(&l.id),
                    l.via.as_deref().map_or(String::new(), |v| format!(
                        " (through `{}`)",
                        crate::suggest::elide(v)
                    ))
                ),
            )),
        }
    }
    out
}

fn evaluate_one(
    l: &License,
    multimodal: bool,
    usage: &Usage,
    allow: &Allow,
    out: &mut Vec<Finding>,
) {
    let name = &l.name;
    let mut fail = |code: Code, msg: String| out.push(Finding::new(code, Level::Fail, msg));
    if !allow.allows(l) {
        fail(
            Code::LicenseNotAllowed,
            format!(
                "{name} ({}, {}) is not in the allowed licenses ({})",
                l.spdx,
                l.tier.as_str(),
                allow.label
            ),
        );
    }
    if usage.commercial && !l.commercial {
        fail(
            Code::LicenseNonCommercial,
            format!("{name} forbids commercial use"),
        );
    }
    if let (Some(limit), Some(mau)) = (l.mau_limit, usage.mau) {
        if usage.commercial && mau > limit && l.mau_effect == Some(MauEffect::LicenseRequired) {
            fail(Code::LicenseMauLimit, format!("{name}: above {} monthly active users a separate license is required (product: {})", human(limit), human(mau)));
        }
    }
    // Any EU member state is in the EU (so is `eea`, which may be one: the check fails closed).
    if usage.region.is_some_and(Place::may_be_in_eu) && l.eu_multimodal_excluded && multimodal {
        fail(Code::LicenseRegion, format!("{name}: rights to multimodal models are not granted to entities domiciled in the EU (end users of a product are exempt)"));
    }
    if usage.hosted && l.hosting == Hosting::SeparateLicense {
        fail(
            Code::LicenseHosting,
            format!("{name}: offering the model as a hosted API needs a separate license"),
        );
    }
    if usage.redistribute {
        match l.redistribute_finetunes {
            Redistribution::Forbidden => fail(
                Code::LicenseRedistribution,
                format!("{name} does not allow redistributing fine-tuned weights"),
            ),
            Redistribution::NonCommercial if usage.commercial => fail(
                Code::LicenseRedistribution,
                format!(
                    "{name} allows redistributing fine-tuned weights only for non-commercial use"
                ),
            ),
            _ => {}
        }
    }
    if usage.distill {
        match l.outputs_training {
            OutputsTraining::Forbidden => fail(Code::LicenseDistillForbidden, format!("{name} forbids using outputs to train other models")),
            OutputsTraining::NonCommercial if usage.commercial => {
                fail(Code::LicenseDistillForbidden, format!("{name}: outputs may be used for training only non-commercially"))
            }
            OutputsTraining::Derivative => out.push(Finding::new(
                Code::LicenseDistillDerivative,
                Level::Warn,
                format!("{name}: a model trained on its outputs is a derivative bound by the same terms"),
            )),
            OutputsTraining::AllowedWithNaming => out.push(Finding::new(
                Code::LicenseDistillNaming,
                Level::Info,
                format!("{name}: a model trained on its outputs must carry the naming/attribution duty"),
            )),
            _ => {}
        }
    }
}

/// The duties that remain when a model is used as `usage` says: attribution and naming, notice
/// files, acceptable-use policies (info findings, one line per license).
pub fn duties(catalog: &Catalog, model: &Model, usage: &Usage) -> Vec<Finding> {
    duties_bound(catalog, &lineage::of_model(catalog, model), usage)
}

/// `duties` for licenses already bound.
pub fn duties_bound(catalog: &Catalog, bound: &Bound, usage: &Usage) -> Vec<Finding> {
    let mut out = Vec::new();
    for l in bound
        .licenses
        .iter()
        .filter(|l| l.known)
        .filter_map(|l| catalog.license(&l.id))
    {
        duties_one(l, usage, &mut out);
    }
    out
}

fn duties_one(l: &License, usage: &Usage, out: &mut Vec<Finding>) {
    let name = &l.name;
    if let (Some(limit), Some(mau)) = (l.mau_limit, usage.mau) {
        if mau > limit && l.mau_effect == Some(MauEffect::Attribution) {
            out.push(Finding::new(
                Code::LicenseAttribution,
                Level::Info,
                format!(
                    "{name}: above {} MAU the product must display the attribution",
                    human(limit)
                ),
            ));
        }
    }
    if !l.attribution.is_empty() {
        out.push(Finding::new(
            Code::LicenseObligation,
            Level::Info,
            format!("{} duties: {}", l.id, l.attribution.join("; ")),
        ));
    }
    if usage.redistribute {
        if let Some(n) = &l.notice {
            out.push(Finding::new(
                Code::LicenseNotice,
                Level::Info,
                format!("{}: ship the notice \"{n}\"", l.id),
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
    let distilling = Usage {
        distill: true,
        ..usage.clone()
    };
    violations(catalog, teacher, &distilling, &Allow::any())
        .into_iter()
        .map(|f| Finding {
            message: format!("teacher {}: {}", teacher.id, f.message),
            ..f
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
    let own = Usage {
        distill: false,
        ..usage.clone()
    };
    for l in teacher.license_ids().filter_map(|id| catalog.license(id)) {
        match l.outputs_training {
            OutputsTraining::Derivative => {
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
                        message: format!(
                            "as a derivative of teacher {}: {}",
                            teacher.id, f.message
                        ),
                        ..f
                    }));
                    out.extend(duties(catalog, teacher, &own).into_iter().map(|f| Finding {
                        message: format!(
                            "as a derivative of teacher {}: {}",
                            teacher.id, f.message
                        ),
                        ..f
                    }));
                }
            }
            OutputsTraining::AllowedWithNaming => out.push(Finding::new(
                Code::LicenseDistillNaming,
                Level::Info,
                format!(
                    "trained on {}'s outputs ({}): {}",
                    teacher.id,
                    l.name,
                    if l.attribution.is_empty() {
                        "carry the naming / attribution duty".to_string()
                    } else {
                        l.attribution.join("; ")
                    }
                ),
            )),
            _ => {}
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
mod tests {
    use super::*;

    fn usage() -> Usage {
        Usage {
            commercial: true,
            ..Usage::default()
        }
    }

    fn codes(c: &Catalog, id: &str, u: &Usage, allow: &Allow) -> Vec<&'static str> {
        let m = c.model(id).unwrap();
        evaluate(c, m, u, allow)
            .into_iter()
            .filter(|f| f.level == Level::Fail)
            .map(|f| f.code.as_str())
            .collect()
    }

    #[test]
    fn clause_violations() {
        let c = Catalog::embedded().unwrap();
        let any = Allow::any();
        assert_eq!(
            codes(&c, "mistral-large-2407", &usage(), &any),
            vec!["license-non-commercial"]
        );
        assert!(
            codes(&c, "mistral-large-2407", &Usage::default(), &any).is_empty(),
            "research use is fine"
        );
        let big = Usage {
            mau: Some(800_000_000),
            ..usage()
        };
        assert_eq!(
            codes(&c, "llama-3.1-70b", &big, &any),
            vec!["license-mau-limit"]
        );
        assert_eq!(
            codes(
                &c,
                "qwen2.5-72b",
                &Usage {
                    mau: Some(150_000_000),
                    ..usage()
                },
                &any
            ),
            vec!["license-mau-limit"]
        );
        assert!(
            codes(
                &c,
                "kimi-k2",
                &Usage {
                    mau: Some(150_000_000),
                    ..usage()
                },
                &any
            )
            .is_empty(),
            "Kimi: attribution only"
        );
        let eu = Usage {
            region: Some(Place::Eu),
            ..usage()
        };
        assert_eq!(
            codes(&c, "llama-3.2-11b-vision", &eu, &any),
            vec!["license-region"]
        );
        for (place, excluded) in [
            ("de", true),
            ("Ireland", true),
            ("eea", true),
            ("no", false),
            ("us", false),
        ] {
            let u = Usage {
                region: Some(Place::parse(place).unwrap()),
                ..usage()
            };
            let want: Vec<&str> = if excluded {
                vec!["license-region"]
            } else {
                vec![]
            };
            assert_eq!(codes(&c, "llama-3.2-11b-vision", &u, &any), want, "{place}");
        }
        assert!(
            codes(&c, "llama-3.2-3b", &eu, &any).is_empty(),
            "text-only Llama 3.2 is fine in the EU"
        );
        assert_eq!(
            codes(
                &c,
                "falcon-180b",
                &Usage {
                    hosted: true,
                    ..usage()
                },
                &any
            ),
            vec!["license-hosting"]
        );
        assert_eq!(
            codes(
                &c,
                "dbrx",
                &Usage {
                    distill: true,
                    ..usage()
                },
                &any
            ),
            vec!["license-distill-forbidden"]
        );
        assert_eq!(
            codes(
                &c,
                "command-r-plus",
                &Usage {
                    redistribute: true,
                    commercial: true,
                    ..Usage::default()
                },
                &any
            ),
            vec!["license-non-commercial", "license-redistribution"]
        );
    }

    #[test]
    fn distills_carry_upstream_licenses() {
        let c = Catalog::embedded().unwrap();
        let apache = Allow::parse(&c, &["mit".into()]).unwrap();
        // R1-Distill-Llama-70B is MIT and also bound by the Llama 3.3 license.
        assert_eq!(
            codes(&c, "deepseek-r1-distill-llama-70b", &usage(), &apache),
            vec!["license-not-allowed"]
        );
        let u = Usage {
            distill: true,
            ..usage()
        };
        let m = c.model("gemma-2-9b").unwrap();
        assert!(evaluate(&c, m, &u, &Allow::any())
            .iter()
            .any(|f| f.code == Code::LicenseDistillDerivative));
    }

    #[test]
    fn allow_words() {
        let c = Catalog::embedded().unwrap();
        let a = Allow::parse(&c, &["apache,mit".into()]).unwrap();
        assert_eq!(a.licenses, vec!["apache-2.0", "mit"]);
        assert!(Allow::parse(&c, &["apachee".into()])
            .unwrap_err()
            .contains("did you mean"));
        assert!(Allow::parse(&c, &["".into()]).is_err());
    }
}
