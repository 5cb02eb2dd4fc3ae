//! Lineage: which licenses bind a model because of what it derives from.
//!
//! A model's upstreams come from its catalog entry (`lineage = [{relation, upstream}]`,
//! `also_bound_by`) or, for a Hugging Face repository, from its card (`base_model`,
//! `base_model_relation`). The rules:
//!
//! - quantized, adapter, fine-tuned and merged models are bound by every upstream's terms: the
//!   weights are the upstream's, transformed;
//! - a model trained on another's outputs is bound by the upstream's license when that license
//!   says so (`outputs_training = derivative`) or restricts the use of outputs (forbidden,
//!   non-commercial, or terms unknown); a license that allows it freely does not follow;
//! - a declared license adds to the upstream's, never replaces them;
//! - an upstream that cannot be resolved, a cycle, a chain deeper than `MAX_DEPTH`, or a
//!   repository that declares no license is unknown, and fails closed;
//! - a user-catalog entry in a family whose reviewed models carry non-permissive licenses (a
//!   Llama fine-tune declaring apache-2.0) must state its lineage or carry those licenses itself,
//!   or it is denied.
//!
//! The walk is pure: `crate::resolve` puts the repositories it found into the catalog first. The
//! license evaluation (`license.rs`) uses `Bound`, so the recommender and the gate agree.

use crate::catalog::{
    Catalog, LineageLink, Model, Relation, Repo, Source, StudentDerivative, Training,
};
use crate::findings::{Code, Finding, Level};
use crate::suggest::elide;

/// The longest chain of upstreams followed.
pub const MAX_DEPTH: usize = 8;

/// A license that binds, and through which upstream (None: the model's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundLicense {
    /// The catalog license id; the name as declared when the catalog has no such license.
    pub id: String,
    /// Whether the catalog knows the license's terms.
    pub known: bool,
    /// The upstream reference that brought it (None for the model's own licenses).
    pub via: Option<String>,
}

/// One upstream in a model's lineage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The upstream as referenced (catalog id or `org/name`).
    pub reference: String,
    /// What derives from it.
    pub child: String,
    pub relation: Relation,
    /// Its own licenses (catalog ids, or names as declared), empty when unresolved.
    pub licenses: Vec<String>,
    /// Where its facts came from; None when it could not be resolved.
    pub source: Option<Source>,
    /// The revision its facts were read at (repositories).
    pub revision: Option<String>,
    /// 1 for a direct upstream.
    pub depth: usize,
    /// Whether its terms bind the model (always, except for outputs a license lets be used freely).
    pub binds: bool,
}

/// Every license binding a model, its lineage, and the lineage's problems.
#[derive(Debug, Clone, Default)]
pub struct Bound {
    pub licenses: Vec<BoundLicense>,
    pub lineage: Vec<Step>,
    /// Fail findings (lineage-missing, lineage-unresolved, license-missing) and the info that
    /// inherited licenses bind (license-inherited).
    pub findings: Vec<Finding>,
    /// The model takes images, audio or video (for the EU clause of multimodal Llama).
    pub multimodal: bool,
}

impl Bound {
    /// The binding licenses as an SPDX-like expression (`mit AND llama3.3`).
    pub fn expression(&self) -> String {
        self.licenses
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// A node of the lineage graph: a catalog model or a resolved repository.
#[derive(Clone, Copy)]
enum Node<'c> {
    Model(&'c Model),
    Repo(&'c Repo),
}

impl<'c> Node<'c> {
    fn find(catalog: &'c Catalog, reference: &str) -> Option<Node<'c>> {
        catalog
            .model(reference)
            .map(Node::Model)
            .or_else(|| catalog.repo(reference).map(Node::Repo))
    }

    /// A stable key for cycle detection.
    fn key(self) -> String {
        match self {
            Node::Model(m) => format!("model:{}", m.id),
            Node::Repo(r) => format!("repo:{}", r.key()),
        }
    }

    fn links(self) -> &'c [LineageLink] {
        match self {
            Node::Model(m) => &m.lineage,
            Node::Repo(r) => &r.lineage,
        }
    }

    fn source(self) -> Source {
        match self {
            Node::Model(_) => Source::Catalog,
            Node::Repo(r) => r.resolved_from(),
        }
    }

    fn revision(self) -> Option<String> {
        match self {
            Node::Model(_) => None,
            Node::Repo(r) => Some(r.revision.clone()),
        }
    }

    /// Its own licenses: (catalog id or declared name, known).
    fn own_licenses(self, catalog: &Catalog) -> Vec<(String, bool)> {
        match self {
            Node::Model(m) => m
                .license_ids()
                .map(|id| (id.to_string(), catalog.license(id).is_some()))
                .collect(),
            Node::Repo(r) => r
                .declared_licenses()
                .into_iter()
                .map(|name| match known_license(catalog, &name) {
                    Some(id) => (id, true),
                    None => (name, false),
                })
                .collect(),
        }
    }
}

/// The catalog license a declared (Hugging Face) license name stands for. `other` and `unknown`
/// stand for nothing: their terms are not known.
fn known_license(catalog: &Catalog, name: &str) -> Option<String> {
    let n = name.trim();
    if n.eq_ignore_ascii_case("other") || n.eq_ignore_ascii_case("unknown") || n.is_empty() {
        return None;
    }
    catalog.license_by_any_name(n).map(|l| l.id.to_string())
}

/// Whether a model is bound by its own licenses alone, with no lineage to walk: a reviewed
/// (embedded) model that names no upstream. Its `of_model` is then a function of its license ids
/// and modality.
pub fn own_licenses_only(model: &Model) -> bool {
    model.lineage.is_empty() && !model.user
}

/// Every license binding a catalog model, with its lineage.
pub fn of_model(catalog: &Catalog, model: &Model) -> Bound {
    let mut bound = Bound {
        multimodal: model.is_multimodal(),
        ..Bound::default()
    };
    // Fast path, the whole embedded catalog: no lineage to walk.
    if own_licenses_only(model) {
        for (id, known) in Node::Model(model).own_licenses(catalog) {
            push_license(&mut bound, id, known, None);
        }
        return bound;
    }
    walk(catalog, Node::Model(model), &mut bound);
    if model.user && model.lineage.is_empty() {
        let own: Vec<&str> = model.license_ids().collect();
        let missing: Vec<&str> = catalog
            .family_licenses(&model.family)
            .iter()
            .map(String::as_str)
            .filter(|l| !own.contains(l))
            .collect();
        if !missing.is_empty() {
            bound.findings.push(Finding::new(
                Code::LineageMissing,
                Level::Fail,
                format!(
                    "`{}` is in the `{}` family, whose models are bound by {}, but declares {} and no lineage: state what it derives from (`lineage = [{{ relation = \"finetune\", upstream = \"...\" }}]`) or the family's license",
                    elide(&model.id),
                    elide(&model.family),
                    missing.join(", "),
                    own.join(" AND ")
                ),
            ));
        }
    }
    bound
}

/// Every license binding a resolved repository, with its lineage.
pub fn of_repo(catalog: &Catalog, repo: &Repo) -> Bound {
    let mut bound = Bound {
        multimodal: repo.arch.as_ref().is_some_and(|a| a.multimodal),
        ..Bound::default()
    };
    walk(catalog, Node::Repo(repo), &mut bound);
    bound
}

/// Every license binding the model or repository `reference` names; None when neither the catalog
/// nor the resolved repositories know it.
pub fn of_reference(catalog: &Catalog, reference: &str) -> Option<Bound> {
    match Node::find(catalog, reference)? {
        Node::Model(m) => Some(of_model(catalog, m)),
        Node::Repo(r) => Some(of_repo(catalog, r)),
    }
}

fn push_license(bound: &mut Bound, id: String, known: bool, via: Option<String>) {
    if !bound.licenses.iter().any(|l| l.id == id) {
        bound.licenses.push(BoundLicense { id, known, via });
    }
}

/// Whether a model trained on the outputs of a model under these licenses is bound by them: when
/// a license says the student is a derivative, or restricts the use of outputs, or is unknown.
fn outputs_bind(catalog: &Catalog, licenses: &[(String, bool)]) -> bool {
    licenses.iter().any(|(id, known)| {
        !known
            || catalog.license(id).is_none_or(|l| {
                !(l.outputs.training == Training::Allowed
                    && l.outputs.student == StudentDerivative::Never)
            })
    })
}

/// Walks the lineage from `root` (depth first, each node once), collecting licenses and problems.
fn walk(catalog: &Catalog, root: Node<'_>, bound: &mut Bound) {
    let name = |n: Node<'_>| match n {
        Node::Model(m) => m.id.clone(),
        Node::Repo(r) => r.id.clone().into(),
    };
    let own = root.own_licenses(catalog);
    if let Node::Repo(r) = root {
        if let Some(problem) = &r.card_problem {
            bound.findings.push(unreadable_card(r, problem, None));
        } else if own.is_empty() {
            bound.findings.push(missing_license(r, None));
        }
    }
    for (id, known) in own {
        push_license(bound, id, known, None);
    }
    // The fast hash: std's would ask the system for a random seed (a system call) on each walk.
    let mut seen = crate::fasthash::FastSet::<String>::default();
    seen.insert(root.key());
    // (node, depth, path of keys from the root) to visit.
    let mut stack: Vec<(Node<'_>, usize, Vec<String>)> = vec![(root, 0, vec![root.key()])];
    while let Some((node, depth, path)) = stack.pop() {
        let child = name(node);
        // Pushed in reverse so the first upstream is visited first.
        let mut next = Vec::new();
        for link in node.links() {
            let upstream = link.upstream.as_str();
            let Some(up) = Node::find(catalog, upstream) else {
                let why = catalog
                    .unresolved
                    .get(&crate::catalog::reference_key(upstream))
                    .cloned()
                    .unwrap_or_else(|| "it is not in the catalog".to_string());
                bound.findings.push(Finding::new(
                    Code::LineageUnresolved,
                    Level::Fail,
                    format!(
                        "`{}` ({} upstream of `{}`) cannot be resolved: {why}; its terms bind the model, so they must be known",
                        elide(upstream),
                        link.relation.as_str(),
                        elide(&child)
                    ),
                ));
                bound.lineage.push(Step {
                    reference: upstream.to_string(),
                    child: child.to_string(),
                    relation: link.relation,
                    licenses: Vec::new(),
                    source: None,
                    revision: None,
                    depth: depth + 1,
                    binds: true,
                });
                continue;
            };
            let key = up.key();
            if path.contains(&key) {
                bound.findings.push(Finding::new(
                    Code::LineageUnresolved,
                    Level::Fail,
                    format!(
                        "lineage cycle: `{}` is its own upstream (through `{}`)",
                        elide(upstream),
                        elide(&child)
                    ),
                ));
                continue;
            }
            if depth + 1 > MAX_DEPTH {
                bound.findings.push(Finding::new(
                    Code::LineageUnresolved,
                    Level::Fail,
                    format!(
                        "lineage deeper than {MAX_DEPTH} levels at `{}`: not followed further, so its terms are unknown",
                        elide(upstream)
                    ),
                ));
                continue;
            }
            if !seen.insert(key.clone()) {
                continue; // reached another way (a merge of two fine-tunes of one base)
            }
            let licenses = up.own_licenses(catalog);
            let binds =
                link.relation != Relation::TrainedOnOutputs || outputs_bind(catalog, &licenses);
            bound.lineage.push(Step {
                reference: upstream.to_string(),
                child: child.to_string(),
                relation: link.relation,
                licenses: licenses.iter().map(|(id, _)| id.clone()).collect(),
                source: Some(up.source()),
                revision: up.revision(),
                depth: depth + 1,
                binds,
            });
            if !binds {
                continue;
            }
            if let Node::Repo(r) = up {
                if let Some(problem) = &r.card_problem {
                    bound
                        .findings
                        .push(unreadable_card(r, problem, Some(&child)));
                } else if licenses.is_empty() {
                    bound.findings.push(missing_license(r, Some(&child)));
                }
            }
            for (id, known) in licenses {
                let fresh = !bound.licenses.iter().any(|l| l.id == id);
                if fresh {
                    bound.findings.push(Finding::new(
                        Code::LicenseInherited,
                        Level::Info,
                        format!(
                            "bound by {id} through `{}` ({} upstream{})",
                            elide(upstream),
                            link.relation.as_str(),
                            if depth == 0 {
                                String::new()
                            } else {
                                format!(" of `{}`", elide(&child))
                            }
                        ),
                    ));
                }
                push_license(bound, id, known, Some(upstream.to_string()));
            }
            let mut p = path.clone();
            p.push(key);
            next.push((up, depth + 1, p));
        }
        stack.extend(next.into_iter().rev());
    }
}

fn unreadable_card(r: &Repo, problem: &str, child: Option<&str>) -> Finding {
    Finding::new(
        Code::LicenseUnknown,
        Level::Fail,
        format!(
            "`{}`{}: {problem} at revision {}: its license and lineage are unknown (state them in a user catalog entry)",
            elide(&r.id),
            child.map_or(String::new(), |c| format!(" (upstream of `{}`)", elide(c))),
            r.short_revision()
        ),
    )
}

fn missing_license(r: &Repo, child: Option<&str>) -> Finding {
    Finding::new(
        Code::LicenseMissing,
        Level::Fail,
        format!(
            "`{}`{} declares no license (no `license` in its card's front matter, no LICENSE file identified) at revision {}: its terms are unknown",
            elide(&r.id),
            child.map_or(String::new(), |c| format!(" (upstream of `{}`)", elide(c))),
            r.short_revision()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, Repo, Source};

    fn repo(id: &str, license: &[&str], base: &[(&str, Relation)]) -> Repo {
        Repo {
            id: id.into(),
            revision: "0123456789abcdef0123456789abcdef01234567".into(),
            source: Source::Cache,
            from_lock: false,
            license: license.iter().map(|s| s.to_string()).collect(),
            license_name: None,
            license_link: None,
            license_file: None,
            card_problem: None,
            base_model: base.iter().map(|(b, _)| b.to_string()).collect(),
            base_model_relation: base.first().map(|(_, r)| *r),
            lineage: base
                .iter()
                .map(|(b, r)| LineageLink {
                    relation: *r,
                    upstream: b.to_string().into(),
                })
                .collect(),
            relation_inferred: false,
            arch: None,
            weight_bytes: None,
            quantization: None,
            files: Vec::new(),
            hash: String::new(),
            config: None,
        }
    }

    fn ids(b: &Bound) -> Vec<&str> {
        b.licenses.iter().map(|l| l.id.as_str()).collect()
    }

    fn fails(b: &Bound) -> Vec<&'static str> {
        b.findings
            .iter()
            .filter(|f| f.level == Level::Fail)
            .map(|f| f.code.as_str())
            .collect()
    }

    #[test]
    fn a_declared_license_adds_to_the_upstream_terms() {
        let mut c = Catalog::embedded();
        c.add_repo(repo(
            "acme/llama-ft",
            &["apache-2.0"],
            &[("meta-llama/Llama-3.1-8B", Relation::Finetune)],
        ));
        let b = of_reference(&c, "acme/llama-ft").unwrap();
        assert_eq!(ids(&b), ["apache-2.0", "llama3.1"]);
        assert!(fails(&b).is_empty());
        assert_eq!(b.lineage[0].source, Some(Source::Catalog));
        assert_eq!(
            b.licenses[1].via.as_deref(),
            Some("meta-llama/Llama-3.1-8B")
        );
    }

    #[test]
    fn chains_cycles_and_missing_upstreams() {
        let mut c = Catalog::embedded();
        c.add_repo(repo(
            "q/gguf",
            &["apache-2.0"],
            &[("f/ft", Relation::Quantized)],
        ));
        c.add_repo(repo(
            "f/ft",
            &["mit"],
            &[("google/gemma-2-9b", Relation::Finetune)],
        ));
        assert_eq!(
            ids(&of_reference(&c, "q/gguf").unwrap()),
            ["apache-2.0", "mit", "gemma"]
        );
        c.add_repo(repo("a/x", &["mit"], &[("b/y", Relation::Finetune)]));
        c.add_repo(repo("b/y", &["mit"], &[("a/x", Relation::Finetune)]));
        assert_eq!(
            fails(&of_reference(&c, "a/x").unwrap()),
            ["lineage-unresolved"]
        );
        c.add_repo(repo("n/none", &[], &[]));
        assert_eq!(
            fails(&of_reference(&c, "n/none").unwrap()),
            ["license-missing"]
        );
        c.add_repo(repo(
            "d/orphan",
            &["mit"],
            &[("gone/base", Relation::Adapter)],
        ));
        assert_eq!(
            fails(&of_reference(&c, "d/orphan").unwrap()),
            ["lineage-unresolved"]
        );
        c.add_repo(repo("o/other", &["other"], &[]));
        let b = of_reference(&c, "o/other").unwrap();
        assert!(!b.licenses[0].known);
    }

    #[test]
    fn outputs_bind_only_when_the_license_says_so() {
        let mut c = Catalog::embedded();
        // Gemma: a model trained on its outputs is a derivative.
        c.add_repo(repo(
            "s/student-g",
            &["apache-2.0"],
            &[("google/gemma-2-9b", Relation::TrainedOnOutputs)],
        ));
        assert_eq!(
            ids(&of_reference(&c, "s/student-g").unwrap()),
            ["apache-2.0", "gemma"]
        );
        // Apache-2.0 outputs are free to use.
        c.add_repo(repo(
            "s/student-q",
            &["mit"],
            &[("Qwen/Qwen3-8B", Relation::TrainedOnOutputs)],
        ));
        let b = of_reference(&c, "s/student-q").unwrap();
        assert_eq!(ids(&b), ["mit"]);
        assert!(!b.lineage[0].binds);
    }

    #[test]
    fn depth_is_bounded() {
        let mut c = Catalog::embedded();
        for i in 0..12 {
            c.add_repo(repo(
                &format!("r/m{i}"),
                &["mit"],
                &[(&format!("r/m{}", i + 1), Relation::Finetune)],
            ));
        }
        c.add_repo(repo("r/m12", &["mit"], &[]));
        let b = of_reference(&c, "r/m0").unwrap();
        assert_eq!(fails(&b), ["lineage-unresolved"]);
        assert_eq!(b.lineage.len(), MAX_DEPTH);
    }
}
