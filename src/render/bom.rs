//! `pick lock --format cyclonedx`: an AI bill of materials, CycloneDX 1.6 JSON, of the models a
//! project uses: one `machine-learning-model` component per locked reference, with its binding
//! licenses as an SPDX expression, the SHA-256 of the files its facts came from, a package URL
//! (`pkg:huggingface/ORG/NAME@COMMIT`), and its lineage as pedigree ancestors (each with its
//! relation). Made from the lock, so the BOM says what `pick gate` gates. `tests/cli/bom.rs`
//! validates it against the official CycloneDX 1.6 schema.

use super::json;
use crate::catalog::{Catalog, Repo};
use crate::lineage::{self, Bound};
use crate::lock::Lock;
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<Component>,
}

#[derive(Serialize)]
struct Metadata {
    tools: Tools,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Tool>,
}

#[derive(Serialize)]
struct Tool {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pedigree: Option<Pedigree>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct LicenseChoice {
    expression: String,
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

#[derive(Serialize)]
struct Pedigree {
    ancestors: Vec<Component>,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

fn property(name: &'static str, value: impl Into<String>) -> Property {
    Property {
        name,
        value: value.into(),
    }
}

/// An SPDX id for a license: the catalog's, else a LicenseRef made of the declared name.
fn spdx(catalog: &Catalog, id: &str, known: bool) -> String {
    match catalog.license(id).filter(|_| known) {
        Some(l) => l.spdx.to_string(),
        None => {
            let clean: String = id
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            format!("LicenseRef-unknown-{clean}")
        }
    }
}

fn expression(catalog: &Catalog, bound: &Bound) -> Vec<LicenseChoice> {
    let mut ids: Vec<String> = Vec::new();
    for l in &bound.licenses {
        let s = spdx(catalog, &l.id, l.known);
        if !ids.contains(&s) {
            ids.push(s);
        }
    }
    if ids.is_empty() {
        return Vec::new();
    }
    vec![LicenseChoice {
        expression: ids.join(" AND "),
    }]
}

fn purl(repo_id: &str, revision: Option<&str>) -> Option<String> {
    let (org, name) = repo_id.split_once('/')?;
    Some(format!(
        "pkg:huggingface/{org}/{name}{}",
        revision.map_or(String::new(), |r| format!("@{}", r.to_ascii_lowercase()))
    ))
}

fn hashes(hash: &str) -> Vec<Hash> {
    hash.strip_prefix("sha256:")
        .filter(|h| h.len() == 64)
        .map(|h| {
            vec![Hash {
                alg: "SHA-256",
                content: h.to_string(),
            }]
        })
        .unwrap_or_default()
}

/// A component for a repository (top level with a bom-ref, or an ancestor without one).
fn repo_component(catalog: &Catalog, repo: &Repo, top: bool) -> Component {
    let bound = lineage::of_repo(catalog, repo);
    let (group, name) = repo
        .id
        .split_once('/')
        .map_or((None, repo.id.clone()), |(g, n)| {
            (Some(g.to_string()), n.to_string())
        });
    let mut properties = vec![
        property("pick:source", repo.source.as_str()),
        property("pick:ref", repo.id.clone()),
    ];
    if let Some(q) = &repo.quantization {
        properties.push(property("pick:quantization", q.clone()));
    }
    if let Some(b) = repo.weight_bytes {
        properties.push(property("pick:weight-bytes", b.to_string()));
    }
    Component {
        kind: "machine-learning-model",
        bom_ref: top.then(|| format!("pick:repo:{}@{}", repo.key(), repo.revision)),
        group,
        name,
        version: Some(repo.revision.clone()),
        purl: purl(&repo.id, Some(&repo.revision)),
        licenses: expression(catalog, &bound),
        hashes: hashes(&repo.hash),
        pedigree: top.then(|| pedigree(catalog, &bound)).flatten(),
        properties,
    }
}

/// The lineage as ancestors, each with its relation, in the order the walk reached them.
fn pedigree(catalog: &Catalog, bound: &Bound) -> Option<Pedigree> {
    let ancestors: Vec<Component> = bound
        .lineage
        .iter()
        .map(|step| {
            let mut c = if let Some(m) = catalog.model(&step.reference) {
                let b = lineage::of_model(catalog, m);
                Component {
                    kind: "machine-learning-model",
                    bom_ref: None,
                    group: Some(m.vendor.to_string()),
                    name: m.id.to_string(),
                    version: None,
                    purl: m
                        .checkpoints
                        .iter()
                        .find(|c| c.hf_repo.eq_ignore_ascii_case(&step.reference))
                        .and_then(|c| purl(&c.hf_repo, None)),
                    licenses: expression(catalog, &b),
                    hashes: Vec::new(),
                    pedigree: None,
                    properties: vec![property("pick:source", "catalog")],
                }
            } else if let Some(r) = catalog.repo(&step.reference) {
                repo_component(catalog, r, false)
            } else {
                Component {
                    kind: "machine-learning-model",
                    bom_ref: None,
                    group: None,
                    name: step.reference.clone(),
                    version: None,
                    purl: None,
                    licenses: Vec::new(),
                    hashes: Vec::new(),
                    pedigree: None,
                    properties: vec![property("pick:source", "unresolved")],
                }
            };
            c.properties
                .push(property("pick:relation", step.relation.as_str()));
            c.properties
                .push(property("pick:derivative-of", step.child.clone()));
            c.properties.push(property(
                "pick:binds",
                if step.binds { "true" } else { "false" },
            ));
            c
        })
        .collect();
    (!ancestors.is_empty()).then_some(Pedigree { ancestors })
}

/// A deterministic serial number: the lock's content hash shaped as a UUID (version 5 layout), so
/// the same lock always gives the same BOM.
fn serial(lock_text: &str) -> String {
    let h = crate::hf::sha256(lock_text.as_bytes());
    let b = h.as_bytes();
    let s = |r: std::ops::Range<usize>| std::str::from_utf8(&b[r]).unwrap_or("0");
    let variant = match b[16] {
        b'0'..=b'3' => '8',
        b'4'..=b'7' => '9',
        b'8' | b'9' | b'a' | b'b' => 'a',
        _ => 'b',
    };
    format!(
        "urn:uuid:{}-{}-5{}-{variant}{}-{}",
        s(0..8),
        s(8..12),
        s(13..16),
        s(17..20),
        s(20..32)
    )
}

/// The BOM of a lock: its catalog models and the repositories the references resolved to (an
/// upstream appears as its dependent's ancestor, and as a component of its own when referenced).
pub fn cyclonedx(catalog: &Catalog, lock: &Lock) -> String {
    let mut components = Vec::new();
    for m in &lock.models {
        let Some(model) = catalog.model(&m.reference) else {
            continue;
        };
        let bound = lineage::of_model(catalog, model);
        let repo =
            crate::hf::is_repo_id(m.reference.split('@').next().unwrap_or_default()).then(|| {
                m.reference
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            });
        components.push(Component {
            kind: "machine-learning-model",
            bom_ref: Some(format!(
                "pick:catalog:{}",
                crate::catalog::reference_key(&m.reference)
            )),
            group: Some(model.vendor.to_string()),
            name: model.id.to_string(),
            version: None,
            purl: repo.as_deref().and_then(|r| purl(r, None)),
            licenses: expression(catalog, &bound),
            hashes: hashes(&m.hash),
            pedigree: pedigree(catalog, &bound),
            properties: vec![
                property("pick:source", "catalog"),
                property("pick:ref", m.reference.clone()),
            ],
        });
    }
    for r in &lock.repos {
        if let Some(repo) = catalog.repo(&r.id) {
            components.push(repo_component(catalog, repo, true));
        }
    }
    let text = lock.to_toml().unwrap_or_default();
    json(&Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: serial(&text),
        version: 1,
        metadata: Metadata {
            tools: Tools {
                components: vec![Tool {
                    kind: "application",
                    name: "pick",
                    version: env!("CARGO_PKG_VERSION"),
                }],
            },
        },
        components,
    })
}
