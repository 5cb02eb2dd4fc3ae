//! `pick show ORG/NAME` of a repository the catalog does not list: its facts, each with the file,
//! the place (cache, Hub, lock) and the revision it came from, its lineage and binding licenses.

use super::gate::LineageJson;
use super::{json, Style, SCHEMA_VERSION};
use crate::catalog::{ArchSummary, Repo, RepoFile};
use crate::lineage::Bound;
use serde::Serialize;

/// `pick show ORG/NAME --format json` for a resolved repository.
#[derive(Serialize)]
struct RepoJson<'a> {
    schema_version: u32,
    #[serde(rename = "ref")]
    reference: &'a str,
    revision: &'a str,
    /// Where this run read the facts: lock | cache | hub.
    source: &'static str,
    /// Every binding license, lineage applied; null when none is known.
    license: Option<String>,
    declared: DeclaredJson<'a>,
    lineage: Vec<LineageJson<'a>>,
    /// True when the relation was inferred (no `base_model_relation` in the card).
    relation_inferred: bool,
    architecture: Option<&'a ArchSummary>,
    weight_bytes: Option<u64>,
    quantization: Option<&'a str>,
    /// Where each fact came from.
    facts: Vec<FactJson<'a>>,
    files: &'a [RepoFile],
    hash: &'a str,
    findings: &'a [crate::findings::Finding],
}

#[derive(Serialize)]
struct DeclaredJson<'a> {
    license: &'a [String],
    license_name: Option<&'a str>,
    license_link: Option<&'a str>,
    license_file: Option<&'a str>,
    base_model: &'a [String],
    base_model_relation: Option<&'static str>,
    card_problem: Option<&'a str>,
}

#[derive(Serialize)]
struct FactJson<'a> {
    fact: &'static str,
    file: &'static str,
    source: &'static str,
    revision: &'a str,
}

/// The facts a repository has, each with the file it was read from.
fn facts(repo: &Repo) -> Vec<(&'static str, &'static str)> {
    let has = |n: &str| repo.files.iter().any(|f| f.name == n);
    let mut out = Vec::new();
    if !repo.license.is_empty() || repo.license_name.is_some() {
        out.push(("license", "README.md"));
    }
    if repo.license_file.is_some() {
        let file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE"]
            .into_iter()
            .find(|n| has(n))
            .unwrap_or("LICENSE");
        out.push(("license", file));
    }
    if !repo.base_model.is_empty() {
        let from_card = repo.base_model_relation.is_some() || !has("adapter_config.json");
        out.push((
            "lineage",
            if from_card {
                "README.md"
            } else {
                "adapter_config.json"
            },
        ));
    }
    if repo.arch.is_some() {
        out.push(("architecture", "config.json"));
    }
    if repo.quantization.is_some() {
        out.push((
            "quantization",
            if has("config.json") {
                "config.json"
            } else {
                "file list"
            },
        ));
    }
    if repo.weight_bytes.is_some() {
        out.push(("weight_bytes", "model.safetensors.index.json"));
    }
    out
}

pub fn show_json(repo: &Repo, bound: &Bound) -> String {
    let source = repo.resolved_from().as_str();
    json(&RepoJson {
        schema_version: SCHEMA_VERSION,
        reference: &repo.id,
        revision: &repo.revision,
        source,
        license: (!bound.licenses.is_empty()).then(|| bound.expression()),
        declared: DeclaredJson {
            license: &repo.license,
            license_name: repo.license_name.as_deref(),
            license_link: repo.license_link.as_deref(),
            license_file: repo.license_file.as_deref(),
            base_model: &repo.base_model,
            base_model_relation: repo.base_model_relation.map(|r| r.as_str()),
            card_problem: repo.card_problem.as_deref(),
        },
        lineage: bound.lineage.iter().map(LineageJson::new).collect(),
        relation_inferred: repo.relation_inferred,
        architecture: repo.arch.as_ref(),
        weight_bytes: repo.weight_bytes,
        quantization: repo.quantization.as_deref(),
        facts: facts(repo)
            .into_iter()
            .map(|(fact, file)| FactJson {
                fact,
                file,
                source,
                revision: &repo.revision,
            })
            .collect(),
        files: &repo.files,
        hash: &repo.hash,
        findings: &bound.findings,
    })
}

pub fn show(repo: &Repo, bound: &Bound, style: Style) -> String {
    let mut s = String::new();
    let mut line =
        |k: &str, v: String| s.push_str(&format!("{} {v}\n", style.bold(&format!("{k:<22}"))));
    let source = repo.resolved_from();
    line(
        "repository",
        format!(
            "{} at {} (from {})",
            repo.id,
            repo.revision,
            source.describe()
        ),
    );
    line(
        "binding licenses",
        if bound.licenses.is_empty() {
            "unknown".into()
        } else {
            bound.expression()
        },
    );
    let declared = repo.declared_licenses();
    line(
        "declared license",
        if declared.is_empty() {
            "none".into()
        } else {
            format!(
                "{}{}",
                declared.join(", "),
                repo.license_link
                    .as_deref()
                    .map_or(String::new(), |l| format!(" ({l})"))
            )
        },
    );
    if let Some(p) = &repo.card_problem {
        line("model card", format!("unreadable: {p}"));
    }
    if bound.lineage.is_empty() {
        line(
            "lineage",
            "none stated (trained from scratch, as far as the card says)".into(),
        );
    } else {
        line(
            "lineage",
            format!(
                "{}{}",
                super::gate::lineage_line(&bound.lineage),
                if repo.relation_inferred {
                    " (relation inferred: the card states none)"
                } else {
                    ""
                }
            ),
        );
    }
    if let Some(a) = &repo.arch {
        let params = if a.params > 0 {
            format!(", {:.2}B parameters", a.params as f64 / 1e9)
        } else {
            String::new()
        };
        line(
            "architecture",
            format!(
                "{} ({}): {} layers, hidden {}{}{}{}",
                a.architectures.join(", "),
                a.model_type.as_deref().unwrap_or("?"),
                a.layers,
                a.hidden_size,
                if a.experts > 0 {
                    format!(", {} experts", a.experts)
                } else {
                    String::new()
                },
                params,
                if a.multimodal { ", multimodal" } else { "" }
            ),
        );
        if a.max_context > 0 {
            line(
                "context",
                format!("{} tokens (max_position_embeddings)", a.max_context),
            );
        }
    }
    if let Some(q) = &repo.quantization {
        line("quantization", q.clone());
    }
    if let Some(b) = repo.weight_bytes {
        line(
            "weights",
            format!(
                "{b} bytes ({:.2} GiB, safetensors index)",
                b as f64 / crate::catalog::GIB
            ),
        );
    }
    let facts: Vec<String> = facts(repo)
        .into_iter()
        .map(|(fact, file)| format!("{fact} <- {file}"))
        .collect();
    line(
        "sources",
        format!(
            "{} ({}, revision {})",
            facts.join("; "),
            source.as_str(),
            repo.short_revision()
        ),
    );
    line("hash", repo.hash.clone());
    for f in &bound.findings {
        s.push_str(&format!(
            "{} [{}] {}\n",
            style.level(f.level),
            f.code,
            f.message
        ));
    }
    s
}
