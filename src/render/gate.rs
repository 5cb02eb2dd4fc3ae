//! `pick gate` output: human, JSON, GitHub workflow commands, SARIF 2.1.0, Markdown.

use super::{json, Style, Tone, SCHEMA_VERSION};
use crate::catalog::Date;
use crate::findings::{Code, Level};
use crate::gate::{GateFinding, GateReport, Location, ModelResult, ScanSummary, Verdict};
use comfy_table::Cell;
use serde::Serialize;
// Lines are written straight into the report (`write!` into a `String` cannot fail: `let _`).
use std::fmt::Write as _;

/// `pick gate --format json`.
#[derive(Serialize)]
struct GateJson<'a> {
    schema_version: u32,
    passed: bool,
    /// The policy file, as given.
    policy: &'a str,
    /// The date exceptions were checked against.
    today: Date,
    models: GatedModels<'a>,
    /// Findings about the policy itself (unused exceptions, nothing gated).
    policy_findings: Vec<FindingJson<'a>>,
    /// What `--scan` read and left out; null without `--scan`.
    scan: Option<ScanJson<'a>>,
}

#[derive(Serialize)]
struct ScanJson<'a> {
    /// The paths given, relative to the repository root.
    paths: &'a [String],
    /// Files read.
    files: usize,
    /// References found.
    references: usize,
    /// Every entry left out: `reason` is tool-folder, gitignored, binary, too-large, not-regular
    /// or unreadable; `detail` says which rule or what kind of file.
    skipped: Vec<SkippedJson<'a>>,
}

#[derive(Serialize)]
struct SkippedJson<'a> {
    path: &'a str,
    reason: &'static str,
    detail: &'a str,
}

impl<'a> ScanJson<'a> {
    fn new(s: &'a ScanSummary) -> ScanJson<'a> {
        ScanJson {
            paths: &s.paths,
            files: s.files,
            references: s.references,
            skipped: s
                .skipped
                .iter()
                .map(|k| SkippedJson {
                    path: &k.path,
                    reason: k.reason.as_str(),
                    detail: &k.detail,
                })
                .collect(),
        }
    }
}

/// The scan's coverage in one line and each skipped entry on its own, for human and Markdown.
fn scan_lines(s: &ScanSummary) -> (String, Vec<String>) {
    let head = format!(
        "scan of {}: {} file(s) read, {} reference(s) found, {} entr{} skipped",
        s.paths.join(", "),
        s.files,
        s.references,
        s.skipped.len(),
        if s.skipped.len() == 1 { "y" } else { "ies" }
    );
    let lines = s
        .skipped
        .iter()
        .map(|k| format!("{} ({}: {})", k.path, k.reason.as_str(), k.detail))
        .collect();
    (head, lines)
}

/// Every model reference, each serialized as it is reached: a scan of 50,000 files gates tens of
/// thousands of references, and a view of them all held at once was a sixth of the run's memory.
struct GatedModels<'a>(&'a [ModelResult]);

impl Serialize for GatedModels<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(GatedModelJson::new))
    }
}

/// One model reference: from the policy, or found by `--scan`.
#[derive(Serialize)]
struct GatedModelJson<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    revision: Option<&'a str>,
    /// The catalog id; null for a model the catalog does not know.
    id: Option<&'a str>,
    /// Every binding license, lineage applied (`mit AND llama3.3`).
    license: Option<&'a str>,
    /// catalog | lock | cache | hub; null when the reference was not resolved.
    source: Option<&'static str>,
    /// The upstreams whose terms were weighed.
    lineage: Vec<LineageJson<'a>>,
    /// Every license that binds the model, its own first, with its tier (null without known
    /// terms) and why it binds.
    licenses: Vec<BoundJson<'a>>,
    verdict: &'static str,
    location: LocationJson<'a>,
    findings: Vec<FindingJson<'a>>,
}

impl<'a> GatedModelJson<'a> {
    fn new(m: &'a ModelResult) -> GatedModelJson<'a> {
        GatedModelJson {
            reference: &m.reference,
            revision: m.revision.as_deref(),
            id: m.id.as_deref(),
            license: m.license.as_deref(),
            source: m.source.map(|s| s.as_str()),
            lineage: m.lineage.iter().map(LineageJson::new).collect(),
            licenses: m
                .licenses
                .iter()
                .map(|b| BoundJson {
                    id: &b.id,
                    tier: b.tier,
                    via: b.via,
                })
                .collect(),
            verdict: m.verdict.as_str(),
            location: LocationJson::new(&m.location),
            findings: m.findings.iter().map(FindingJson::new).collect(),
        }
    }
}

/// One upstream: what it is, how the model derives from it, its own licenses and where its facts
/// came from (null when it could not be resolved).
#[derive(Serialize)]
pub(crate) struct LineageJson<'a> {
    #[serde(rename = "ref")]
    pub reference: &'a str,
    pub relation: &'static str,
    /// Its own licenses joined with AND; null when unresolved.
    pub license: Option<String>,
    pub source: Option<&'static str>,
    /// The revision its facts were read at (repositories); null for catalog entries.
    pub revision: Option<&'a str>,
    /// Whether its terms bind the model (false for outputs its license lets be used freely).
    pub binds: bool,
}

impl<'a> LineageJson<'a> {
    pub(crate) fn new(s: &'a crate::lineage::Step) -> LineageJson<'a> {
        LineageJson {
            reference: &s.reference,
            relation: s.relation.as_str(),
            license: (!s.licenses.is_empty()).then(|| s.licenses.join(" AND ")),
            source: s.source.map(|x| x.as_str()),
            revision: s.revision.as_deref(),
            binds: s.binds,
        }
    }
}

#[derive(Serialize)]
struct BoundJson<'a> {
    id: &'a str,
    tier: Option<crate::catalog::Tier>,
    via: crate::license::Via,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    code: Code,
    level: Level,
    message: &'a str,
    location: Option<LocationJson<'a>>,
}

#[derive(Serialize)]
struct LocationJson<'a> {
    file: &'a str,
    line: usize,
}

impl<'a> LocationJson<'a> {
    fn new(l: &'a Location) -> LocationJson<'a> {
        LocationJson {
            file: &l.file,
            line: l.line,
        }
    }
}

impl<'a> FindingJson<'a> {
    fn new(f: &'a GateFinding) -> FindingJson<'a> {
        FindingJson {
            code: f.finding.code,
            level: f.finding.level,
            message: &f.finding.message,
            location: f.location.as_ref().map(LocationJson::new),
        }
    }
}

pub fn report_json(r: &GateReport) -> String {
    json(&GateJson {
        schema_version: SCHEMA_VERSION,
        passed: r.passed,
        policy: &r.policy_file,
        today: r.today,
        models: GatedModels(&r.models),
        policy_findings: r.policy_findings.iter().map(FindingJson::new).collect(),
        scan: r.scan.as_ref().map(ScanJson::new),
    })
}

fn verdict_cell(v: Verdict, style: Style) -> comfy_table::Cell {
    let tone = match v {
        Verdict::Allowed => Tone::Good,
        Verdict::Excepted => Tone::Warn,
        Verdict::Denied | Verdict::Unknown => Tone::Bad,
    };
    style.cell(v.as_str(), tone)
}

/// The licenses binding a gated model, upstream ones marked with why they bind.
fn licenses_cell(m: &crate::gate::ModelResult) -> String {
    if m.licenses.is_empty() {
        return m.license.clone().unwrap_or_else(|| "-".into());
    }
    m.licenses
        .iter()
        .map(|b| match b.via {
            crate::license::Via::Own => b.id.clone(),
            via => format!("{} ({})", b.id, via.as_str()),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

fn at(l: &Option<Location>) -> String {
    l.as_ref()
        .map_or(String::new(), |l| format!("{}:{}: ", l.file, l.line))
}

pub fn report_human(r: &GateReport, style: Style) -> String {
    const HEADER: [&str; 6] = [
        "model",
        "catalog id",
        "license",
        "source",
        "verdict",
        "where",
    ];
    const VERDICT: usize = 4;
    let rows: Vec<Vec<String>> = r
        .models
        .iter()
        .map(|m| {
            vec![
                m.revision
                    .as_ref()
                    .map_or_else(|| m.reference.clone(), |r| format!("{}@{r}", m.reference)),
                m.id.clone().unwrap_or_else(|| "-".into()),
                licenses_cell(m),
                m.source.map_or("-", |s| s.as_str()).to_string(),
                m.verdict.as_str().to_string(),
                format!("{}:{}", m.location.file, m.location.line),
            ]
        })
        .collect();
    // On a terminal: the reference (whole) and its verdict first, then why and where.
    let keep = style.columns_that_fit(&HEADER, &rows, &[0, VERDICT, 2, 5, 1, 3]);
    let reference = keep.iter().position(|&i| i == 0).unwrap_or(0);
    let mut out = style.draw_cells(&HEADER, rows, &keep, reference, |row, i, text| {
        if i == VERDICT {
            verdict_cell(r.models[row].verdict, style)
        } else {
            Cell::new(text)
        }
    });
    out.push('\n');
    for m in r.models.iter().filter(|m| !m.lineage.is_empty()) {
        let _ = writeln!(out, "{} lineage: {}", m.reference, lineage_line(&m.lineage));
    }
    for m in &r.models {
        for f in m.findings.iter().filter(|f| f.finding.level >= Level::Warn) {
            let _ = writeln!(
                out,
                "{}{} [{}] {}: {}",
                at(&f.location),
                style.level(f.finding.level),
                f.finding.code,
                m.reference,
                f.finding.message
            );
        }
    }
    for f in &r.policy_findings {
        let _ = writeln!(
            out,
            "{}{} [{}] {}",
            at(&f.location),
            style.level(f.finding.level),
            f.finding.code,
            f.finding.message
        );
    }
    if let Some(scan) = &r.scan {
        let (head, lines) = scan_lines(scan);
        out.push_str(&head);
        out.push('\n');
        for l in lines {
            let _ = writeln!(out, "  skipped {l}");
        }
    }
    let denied = r
        .models
        .iter()
        .filter(|m| matches!(m.verdict, Verdict::Denied | Verdict::Unknown))
        .count();
    out.push_str(&if r.passed {
        style.green(&format!(
            "gate passed: {} model reference(s) allowed\n",
            r.models.len()
        ))
    } else if denied == 0 {
        // Failed on the run itself: nothing gated, or a scan that found nothing.
        let codes: Vec<&str> = r
            .policy_findings
            .iter()
            .filter(|f| f.finding.level == Level::Fail)
            .map(|f| f.finding.code.as_str())
            .collect();
        style.red(&format!("gate failed: {}\n", codes.join(", ")))
    } else {
        style.red(&format!(
            "gate failed: {denied} of {} model reference(s) denied or unknown\n",
            r.models.len()
        ))
    });
    style.fit_lines(out)
}

/// A lineage in one line: `finetune of meta-llama/Llama-3.1-8B [llama3.1, catalog]; ...`.
pub(crate) fn lineage_line(steps: &[crate::lineage::Step]) -> String {
    steps
        .iter()
        .map(|s| {
            let lic = if s.licenses.is_empty() {
                "unresolved".to_string()
            } else {
                s.licenses.join(" AND ")
            };
            let src = s.source.map_or(String::new(), |x| {
                let rev = s
                    .revision
                    .as_deref()
                    .map_or(String::new(), |r| format!("@{}", r.get(..7).unwrap_or(r)));
                format!(", {}{rev}", x.as_str())
            });
            let free = if s.binds { "" } else { ", does not bind" };
            format!(
                "{} of {} [{lic}{src}{free}]",
                s.relation.as_str(),
                s.reference
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Escapes a GitHub workflow command's message (and property values with `prop`).
fn gh_escape(s: &str, prop: bool) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if prop {
        s.replace(':', "%3A").replace(',', "%2C")
    } else {
        s
    }
}

pub fn report_github(r: &GateReport) -> String {
    let mut out = String::new();
    let all = r
        .models
        .iter()
        .flat_map(|m| m.findings.iter().map(move |f| (Some(m), f)))
        .chain(r.policy_findings.iter().map(|f| (None, f)));
    for (m, f) in all {
        let kind = match f.finding.level {
            Level::Fail => "error",
            Level::Warn => "warning",
            _ => continue,
        };
        let props = f.location.as_ref().map_or(String::new(), |l| {
            format!(" file={},line={},", gh_escape(&l.file, true), l.line)
        });
        let props = if props.is_empty() {
            format!(" title={}", f.finding.code)
        } else {
            format!("{props}title={}", f.finding.code)
        };
        let subject = m.map_or(String::new(), |m| format!("{}: ", m.reference));
        let _ = writeln!(
            out,
            "::{kind}{props}::{}",
            gh_escape(&format!("{subject}{}", f.finding.message), false)
        );
    }
    let _ = writeln!(
        out,
        "pick gate: {}",
        if r.passed { "passed" } else { "failed" }
    );
    out
}

pub fn report_markdown(r: &GateReport) -> String {
    let mut out = format!(
        "## pick license gate: {}\n\n",
        if r.passed { "passed ✅" } else { "failed ❌" }
    );
    out.push_str("| model | catalog id | license | verdict | where |\n|---|---|---|---|---|\n");
    let cell = |s: &str| s.replace('|', "\\|");
    for m in &r.models {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | **{}** | {}:{} |",
            cell(&m.reference),
            m.id.as_deref().map_or("-".into(), cell),
            cell(&licenses_cell(m)),
            m.verdict.as_str(),
            cell(&m.location.file),
            m.location.line
        );
    }
    let findings: Vec<String> = r
        .models
        .iter()
        .flat_map(|m| {
            m.findings
                .iter()
                .filter(|f| f.finding.level >= Level::Warn)
                .map(move |f| {
                    format!(
                        "- **{}** `{}` {}: {}",
                        f.finding.level.as_str(),
                        f.finding.code,
                        cell(&m.reference),
                        cell(&f.finding.message)
                    )
                })
        })
        .chain(r.policy_findings.iter().map(|f| {
            format!(
                "- **{}** `{}` {}",
                f.finding.level.as_str(),
                f.finding.code,
                cell(&f.finding.message)
            )
        }))
        .collect();
    if !findings.is_empty() {
        out.push_str("\n### Findings\n\n");
        for f in findings {
            out.push_str(&f);
            out.push('\n');
        }
    }
    if let Some(scan) = &r.scan {
        let (head, lines) = scan_lines(scan);
        let _ = write!(out, "\n### Scan\n\n{}\n", cell(&head));
        if !lines.is_empty() {
            out.push_str("\n<details><summary>skipped entries</summary>\n\n");
            for l in lines {
                let _ = writeln!(out, "- `{}`", cell(&l));
            }
            out.push_str("\n</details>\n");
        }
    }
    out
}

/// SARIF 2.1.0: one rule per finding code, one result per warning or failure, each with a
/// physical location (the policy line or the scanned file line).
pub fn report_sarif(r: &GateReport) -> String {
    let all: Vec<(Option<&str>, &GateFinding)> = r
        .models
        .iter()
        .flat_map(|m| {
            m.findings
                .iter()
                .map(move |f| (Some(m.reference.as_str()), f))
        })
        .chain(r.policy_findings.iter().map(|f| (None, f)))
        .filter(|(_, f)| f.finding.level >= Level::Warn)
        .collect();
    let mut codes: Vec<Code> = all.iter().map(|(_, f)| f.finding.code).collect();
    codes.sort_unstable_by_key(|c| c.as_str());
    codes.dedup();
    let rules = codes
        .iter()
        .map(|c| sarif::Rule {
            id: c.as_str(),
            name: c.as_str(),
            short_description: sarif::Text {
                text: c.description().to_string(),
            },
        })
        .collect();
    let results = all
        .iter()
        .map(|(reference, f)| {
            // A finding without a location (an unused exception) points at the policy file.
            let (file, line) = f
                .location
                .as_ref()
                .map_or((r.policy_file.as_str(), 1), |l| (l.file.as_str(), l.line));
            sarif::Result {
                rule_id: f.finding.code.as_str(),
                rule_index: codes.iter().position(|c| *c == f.finding.code).unwrap_or(0),
                level: if f.finding.level == Level::Fail {
                    "error"
                } else {
                    "warning"
                },
                message: sarif::Text {
                    text: reference.map_or_else(
                        || f.finding.message.to_string(),
                        |r| format!("{r}: {}", f.finding.message),
                    ),
                },
                locations: [sarif::Location {
                    physical_location: sarif::PhysicalLocation {
                        artifact_location: sarif::ArtifactLocation {
                            uri: file.trim_start_matches("./"),
                        },
                        region: sarif::Region {
                            start_line: line.max(1),
                        },
                    },
                }],
            }
        })
        .collect();
    json(&sarif::Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [sarif::Run {
            tool: sarif::Tool {
                driver: sarif::Driver {
                    name: "pick",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            results,
        }],
    })
}

/// The part of SARIF 2.1.0 the gate writes (names as the OASIS schema spells them).
mod sarif {
    use serde::Serialize;

    #[derive(Serialize)]
    pub struct Log<'a> {
        #[serde(rename = "$schema")]
        pub schema: &'static str,
        pub version: &'static str,
        pub runs: [Run<'a>; 1],
    }

    #[derive(Serialize)]
    pub struct Run<'a> {
        pub tool: Tool<'a>,
        pub results: Vec<Result<'a>>,
    }

    #[derive(Serialize)]
    pub struct Tool<'a> {
        pub driver: Driver<'a>,
    }

    #[derive(Serialize)]
    pub struct Driver<'a> {
        pub name: &'static str,
        pub version: &'static str,
        pub rules: Vec<Rule<'a>>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Rule<'a> {
        pub id: &'a str,
        pub name: &'a str,
        pub short_description: Text,
    }

    #[derive(Serialize)]
    pub struct Text {
        pub text: String,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Result<'a> {
        pub rule_id: &'a str,
        pub rule_index: usize,
        pub level: &'static str,
        pub message: Text,
        pub locations: [Location<'a>; 1],
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Location<'a> {
        pub physical_location: PhysicalLocation<'a>,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct PhysicalLocation<'a> {
        pub artifact_location: ArtifactLocation<'a>,
        pub region: Region,
    }

    #[derive(Serialize)]
    pub struct ArtifactLocation<'a> {
        pub uri: &'a str,
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Region {
        pub start_line: usize,
    }
}
