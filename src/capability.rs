//! Capability from published evidence: which benchmarks measure which task (`--for`), and how
//! figures from different vendors' tables become one rating per model.
//!
//! Vendors measure with their own harnesses, shots and prompts, so a figure means something only
//! next to figures of the same table. The rule (printed by `--help` and the README):
//!
//! 1. A figure is compared only with figures of the same benchmark in the same table (evidence
//!    group). A table-benchmark cell that holds one catalog model compares nothing and is dropped.
//! 2. Percentages go on the log-odds scale (clamped to 0.5-99.5%), where a gap means the same at
//!    45% and at 90%, and are fitted as `logit(figure) = strength(model) + difficulty(table,
//!    benchmark)` by weighted least squares. Tables chain through the models they share.
//! 3. Weights say how direct a figure is: 1 for the kind of checkpoint the user builds on
//!    (`--checkpoint`; any kind when none is given), 0.5 for another kind, and always 0.5 for a base
//!    checkpoint that was never released (it describes the model's pretraining, not a checkpoint
//!    anyone can download).
//! 4. Only the largest chain of tables is a common scale: a model whose tables share no model with
//!    it is unrated, as is a model without figures on the axis. Unrated is not weakest.
//! 5. Conservatively, a model's strength is its fitted strength less one standard error (the fit's
//!    residual spread over the square root of its total figure weight): one figure counts for less
//!    than many saying the same.
//! 6. `value` = the score expected on a test where the strongest model of the chain scores 90%:
//!    `sigmoid(strength − strongest + logit 0.9)`, in [0, 1].
//!
//! The catalog's older single MMLU figure (`capability_mmlu`) is one more figure, in the group
//! its `capability_group` names.

//!
//! `build.rs` compiles this file too: it rates the embedded catalog on every axis for every kind of
//! checkpoint, and the binary reads those ratings instead of fitting them on every run (see
//! `Catalog::ratings`). This file therefore uses nothing of the crate but the catalog's types.

use crate::catalog::{CapabilityProtocol, CheckpointKind, Date, Family, Model, Weights};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A task the ranking can be asked to favor (`--for`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Axis {
    General,
    Code,
    Math,
    Reasoning,
    Multilingual,
    LongContext,
    Agentic,
    Chat,
}

impl Axis {
    pub const ALL: [Axis; 8] = [
        Axis::General,
        Axis::Code,
        Axis::Math,
        Axis::Reasoning,
        Axis::Multilingual,
        Axis::LongContext,
        Axis::Agentic,
        Axis::Chat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Axis::General => "general",
            Axis::Code => "code",
            Axis::Math => "math",
            Axis::Reasoning => "reasoning",
            Axis::Multilingual => "multilingual",
            Axis::LongContext => "long-context",
            Axis::Agentic => "agentic",
            Axis::Chat => "chat",
        }
    }

    /// The benchmark ids scored on this axis.
    pub fn benchmarks(self) -> impl Iterator<Item = &'static str> {
        BENCHMARKS
            .iter()
            .filter(move |(_, a)| *a == self)
            .map(|(b, _)| *b)
    }
}

/// Every benchmark id the ranking scores, with its axis. Ids not listed (commonsense sets that
/// every model saturates, factuality and Chinese-only sets, vision, ratings such as Codeforces
/// Elo) stay in the catalog as data but count for no axis.
pub const BENCHMARKS: &[(&str, Axis)] = &[
    ("mmlu", Axis::General),
    ("mmlu-pro", Axis::General),
    ("mmlu-redux", Axis::General),
    ("mmlu-cf", Axis::General),
    ("mmlu-pro-cf", Axis::General),
    ("mmlu-pro-mcf", Axis::General),
    ("bbh", Axis::General),
    ("agieval", Axis::General),
    ("agieval-en", Axis::General),
    ("arc-c", Axis::General),
    ("arc-challenge", Axis::General),
    ("arc-cf", Axis::General),
    ("olmobaseeval-mc-stem", Axis::General),
    ("olmobaseeval-mc-nonstem", Axis::General),
    ("humaneval", Axis::Code),
    ("humaneval-plus", Axis::Code),
    ("mbpp", Axis::Code),
    ("mbpp-plus", Axis::Code),
    ("evalplus", Axis::Code),
    ("multipl-e", Axis::Code),
    ("bigcodebench", Axis::Code),
    ("crux-i", Axis::Code),
    ("crux-o", Axis::Code),
    ("lbpp", Axis::Code),
    ("olmobaseeval-code", Axis::Code),
    ("livecodebench", Axis::Code),
    ("aider-polyglot", Axis::Code),
    ("swe-bench-verified", Axis::Code),
    ("swe-bench-multilingual", Axis::Code),
    ("swe-bench-pro", Axis::Code),
    ("nl2repo", Axis::Code),
    ("math", Axis::Math),
    ("math-500", Axis::Math),
    ("math500", Axis::Math),
    ("gsm8k", Axis::Math),
    ("gsm-plus", Axis::Math),
    ("gsm-symbolic", Axis::Math),
    ("cmath", Axis::Math),
    ("deepmind-math", Axis::Math),
    ("olmobaseeval-math", Axis::Math),
    ("omega", Axis::Math),
    ("aime24", Axis::Math),
    ("aime25", Axis::Math),
    ("aime26", Axis::Math),
    ("aime26-i", Axis::Math),
    ("hmmt-2025", Axis::Math),
    ("hmmt-feb-2025", Axis::Math),
    ("hmmt-nov-2025", Axis::Math),
    ("hmmt-feb-2026", Axis::Math),
    ("imo-answerbench", Axis::Math),
    ("apex", Axis::Math),
    ("apex-shortlist", Axis::Math),
    ("gpqa", Axis::Reasoning),
    ("gpqa-diamond", Axis::Reasoning),
    ("supergpqa", Axis::Reasoning),
    ("hle", Axis::Reasoning),
    ("zebralogic", Axis::Reasoning),
    ("bbeh", Axis::Reasoning),
    ("mgsm", Axis::Multilingual),
    ("mmmlu", Axis::Multilingual),
    ("include", Axis::Multilingual),
    ("global-mmlu", Axis::Multilingual),
    ("multiloko", Axis::Multilingual),
    ("ruler", Axis::LongContext),
    ("ruler-32k", Axis::LongContext),
    ("ruler-64k", Axis::LongContext),
    ("ruler-128k", Axis::LongContext),
    ("longbench-v2", Axis::LongContext),
    ("mrcr-v2", Axis::LongContext),
    ("mrcr-1m", Axis::LongContext),
    ("corpusqa-1m", Axis::LongContext),
    ("tau2-bench", Axis::Agentic),
    ("tau2-bench-retail", Axis::Agentic),
    ("tau2-bench-airline", Axis::Agentic),
    ("tau2-bench-telecom", Axis::Agentic),
    ("acebench", Axis::Agentic),
    ("bfcl", Axis::Agentic),
    ("terminal-bench", Axis::Agentic),
    ("terminal-bench-2", Axis::Agentic),
    ("terminal-bench-hard", Axis::Agentic),
    ("browsecomp", Axis::Agentic),
    ("browsecomp-zh", Axis::Agentic),
    ("hle-tools", Axis::Agentic),
    ("mcp-atlas", Axis::Agentic),
    ("toolathlon", Axis::Agentic),
    ("cybergym", Axis::Agentic),
    ("ifeval", Axis::Chat),
    ("ifbench", Axis::Chat),
    ("arena-hard", Axis::Chat),
    ("arena-hard-v2", Axis::Chat),
    ("alpacaeval2-lc", Axis::Chat),
    ("wildbench-v2", Axis::Chat),
    ("mixeval-hard", Axis::Chat),
    ("multi-challenge", Axis::Chat),
];

/// The axis a benchmark id counts for, if any (`BENCHMARKS` as a match: it runs for every figure
/// of the catalog on every query; a test keeps the two the same).
pub fn axis_of(benchmark: &str) -> Option<Axis> {
    match benchmark {
        "mmlu"
        | "mmlu-pro"
        | "mmlu-redux"
        | "mmlu-cf"
        | "mmlu-pro-cf"
        | "mmlu-pro-mcf"
        | "bbh"
        | "agieval"
        | "agieval-en"
        | "arc-c"
        | "arc-challenge"
        | "arc-cf"
        | "olmobaseeval-mc-stem"
        | "olmobaseeval-mc-nonstem" => Some(Axis::General),
        "humaneval"
        | "humaneval-plus"
        | "mbpp"
        | "mbpp-plus"
        | "evalplus"
        | "multipl-e"
        | "bigcodebench"
        | "crux-i"
        | "crux-o"
        | "lbpp"
        | "olmobaseeval-code"
        | "livecodebench"
        | "aider-polyglot"
        | "swe-bench-verified"
        | "swe-bench-multilingual"
        | "swe-bench-pro"
        | "nl2repo" => Some(Axis::Code),
        "math" | "math-500" | "math500" | "gsm8k" | "gsm-plus" | "gsm-symbolic" | "cmath"
        | "deepmind-math" | "olmobaseeval-math" | "omega" | "aime24" | "aime25" | "aime26"
        | "aime26-i" | "hmmt-2025" | "hmmt-feb-2025" | "hmmt-nov-2025" | "hmmt-feb-2026"
        | "imo-answerbench" | "apex" | "apex-shortlist" => Some(Axis::Math),
        "gpqa" | "gpqa-diamond" | "supergpqa" | "hle" | "zebralogic" | "bbeh" => {
            Some(Axis::Reasoning)
        }
        "mgsm" | "mmmlu" | "include" | "global-mmlu" | "multiloko" => Some(Axis::Multilingual),
        "ruler" | "ruler-32k" | "ruler-64k" | "ruler-128k" | "longbench-v2" | "mrcr-v2"
        | "mrcr-1m" | "corpusqa-1m" => Some(Axis::LongContext),
        "tau2-bench"
        | "tau2-bench-retail"
        | "tau2-bench-airline"
        | "tau2-bench-telecom"
        | "acebench"
        | "bfcl"
        | "terminal-bench"
        | "terminal-bench-2"
        | "terminal-bench-hard"
        | "browsecomp"
        | "browsecomp-zh"
        | "hle-tools"
        | "mcp-atlas"
        | "toolathlon"
        | "cybergym" => Some(Axis::Agentic),
        "ifeval" | "ifbench" | "arena-hard" | "arena-hard-v2" | "alpacaeval2-lc"
        | "wildbench-v2" | "mixeval-hard" | "multi-challenge" => Some(Axis::Chat),
        _ => None,
    }
}

/// Weight of a figure measured on another kind of checkpoint than the one the user builds on.
pub const INDIRECT_WEIGHT: f64 = 0.5;
/// `value` is the score expected on a test where the strongest rated model scores this much.
pub const REFERENCE_SCORE: f64 = 0.9;
/// The smallest residual spread assumed (log-odds): figures are never taken as exact.
const MIN_SPREAD: f64 = 0.1;
/// Percentages are clamped to this margin before the log-odds (0% and 100% have none).
const CLAMP: f64 = 0.005;

/// One published figure as the rating uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure<'c> {
    pub benchmark: &'c str,
    pub value: f64,
    pub checkpoint: CheckpointKind,
    pub protocol: Option<&'c str>,
    pub group: &'c str,
    pub source: &'c str,
    pub as_of: Date,
    /// 1 for direct evidence, `INDIRECT_WEIGHT` otherwise.
    pub weight: f64,
}

/// A rated model: where it stands, and which of its figures the rating rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// Expected score on a test where the strongest rated model scores `REFERENCE_SCORE`.
    pub value: f64,
    /// Log-odds below the strongest rated model (<= 0).
    pub strength: f64,
    /// Whether a figure the rating rests on was measured on a base checkpoint.
    pub base_figure: bool,
    /// Positions, among the model's figures on the axis (`figures`), of those the rating rests on
    /// (each compared with at least one other model): the figures themselves are read from the
    /// model's evidence only for the few candidates shown.
    compared: Vec<u16>,
}

/// Why a model has no rating on an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unrated {
    /// No published figure on the axis' benchmarks.
    NoFigures,
    /// Figures, but no other catalog model in the same tables on the same benchmarks.
    Alone,
    /// Its tables share no model with the largest chain of tables.
    Unlinked,
}

impl Unrated {
    pub fn as_str(self) -> &'static str {
        match self {
            Unrated::NoFigures => "no published figure on this axis",
            Unrated::Alone => {
                "its figures come from tables that compare it with no other catalog model"
            }
            Unrated::Unlinked => {
                "its tables share no model with the tables the other ratings rest on"
            }
        }
    }
}

/// The ratings of one axis for one kind of checkpoint, as build.rs stores them for the embedded
/// catalog: per model (catalog order), and the strongest rated model's position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    pub models: Vec<Result<Rating, Unrated>>,
    pub strongest: Option<u32>,
}

/// The kinds of checkpoint a build may be on (`--checkpoint`; None: any), in the order build.rs
/// stores ratings for them.
pub const BUILDING_ON: [Option<CheckpointKind>; 5] = [
    None,
    Some(CheckpointKind::Base),
    Some(CheckpointKind::Instruct),
    Some(CheckpointKind::Reasoning),
    Some(CheckpointKind::Other),
];

/// Where build.rs stores the ratings of `axis` for a build on `building_on`: axis-major.
pub fn stored_slot(axis: Axis, building_on: Option<CheckpointKind>) -> usize {
    let a = Axis::ALL.iter().position(|x| *x == axis).unwrap_or(0);
    let b = BUILDING_ON
        .iter()
        .position(|x| *x == building_on)
        .unwrap_or(0);
    a * BUILDING_ON.len() + b
}

/// Ratings of every catalog model on one axis.
#[derive(Debug, Clone)]
pub struct Ratings<'c> {
    pub axis: Axis,
    pub building_on: Option<CheckpointKind>,
    /// Per catalog model (same order as `Catalog::models`).
    pub models: Vec<Result<Rating, Unrated>>,
    /// The strongest rated model (the reference of `value`).
    pub strongest: Option<&'c str>,
    catalog_models: &'c [Model],
    families: &'c [Family],
}

impl<'c> Ratings<'c> {
    /// Ratings stored by build.rs for these models (the embedded catalog, unchanged).
    pub fn from_stored(
        stored: Stored,
        models: &'c [Model],
        families: &'c [Family],
        axis: Axis,
        building_on: Option<CheckpointKind>,
    ) -> Ratings<'c> {
        Ratings {
            axis,
            building_on,
            strongest: stored
                .strongest
                .and_then(|i| models.get(i as usize))
                .map(|m| m.id.as_str()),
            models: stored.models,
            catalog_models: models,
            families,
        }
    }

    /// The rating of the catalog model at `index`.
    pub fn get(&self, index: usize) -> Result<&Rating, Unrated> {
        match self.models.get(index) {
            Some(Ok(r)) => Ok(r),
            Some(Err(u)) => Err(*u),
            None => Err(Unrated::NoFigures),
        }
    }

    /// The figures the rating of the model at `index` rests on (none when it is unrated).
    pub fn figures(&self, index: usize) -> Vec<Figure<'c>> {
        let (Ok(r), Some(m)) = (self.get(index), self.catalog_models.get(index)) else {
            return Vec::new();
        };
        let all = figures(self.families, m, self.axis, self.building_on);
        r.compared
            .iter()
            .filter_map(|&p| all.get(usize::from(p)).cloned())
            .collect()
    }
}

/// The checkpoint kinds that count as direct evidence for a build on `kind` (None: any kind).
fn is_direct(figure: CheckpointKind, building_on: Option<CheckpointKind>) -> bool {
    match building_on {
        None => true,
        Some(CheckpointKind::Base) => figure == CheckpointKind::Base,
        Some(_) => figure != CheckpointKind::Base,
    }
}

/// The figures of one model on one axis, direct ones weighted 1 (duplicates of a benchmark in
/// one table: the first).
fn figures<'c>(
    families: &'c [Family],
    m: &'c Model,
    axis: Axis,
    building_on: Option<CheckpointKind>,
) -> Vec<Figure<'c>> {
    let unreleased_base = m.weights == Weights::Open && !m.base_released();
    let weight = |kind: CheckpointKind| {
        if (kind == CheckpointKind::Base && unreleased_base) || !is_direct(kind, building_on) {
            INDIRECT_WEIGHT
        } else {
            1.0
        }
    };
    let mut out: Vec<Figure<'c>> = Vec::new();
    for e in &m.evidence {
        if axis_of(&e.benchmark) != Some(axis)
            || out
                .iter()
                .any(|f| f.group == e.group && f.benchmark == e.benchmark)
        {
            continue;
        }
        out.push(Figure {
            benchmark: &e.benchmark,
            value: e.value,
            checkpoint: e.checkpoint,
            protocol: e.protocol.as_deref(),
            group: &e.group,
            source: &e.source,
            as_of: e.as_of,
            weight: weight(e.checkpoint),
        });
    }
    if let (Some(value), Some(protocol)) = (m.capability_mmlu, m.capability_protocol) {
        // Without a group the figure is a table of its own: it compares with nothing.
        let group = m.capability_group.as_deref().unwrap_or(&m.id);
        if axis_of("mmlu") == Some(axis)
            && !out
                .iter()
                .any(|f| f.group == group && f.benchmark == "mmlu")
        {
            let kind = match protocol {
                CapabilityProtocol::Base5Shot | CapabilityProtocol::Base => CheckpointKind::Base,
                CapabilityProtocol::Reasoning => CheckpointKind::Reasoning,
                _ => CheckpointKind::Instruct,
            };
            let source = m
                .sources
                .capability
                .as_deref()
                .or_else(|| {
                    families
                        .iter()
                        .find(|f| f.id == m.family)?
                        .sources
                        .capability
                        .as_deref()
                })
                .unwrap_or("");
            out.push(Figure {
                benchmark: "mmlu",
                value,
                checkpoint: kind,
                protocol: m.capability_note.as_deref(),
                group,
                source,
                // The card or report was published with the model.
                as_of: m.released,
                weight: weight(kind),
            });
        }
    }
    out
}

/// Table-benchmark cells: (group, benchmark) → (catalog position, log-odds, weight) per model.
type Cells<'a> = BTreeMap<(&'a str, &'a str), Vec<(usize, f64, f64)>>;

fn logit(p: f64) -> f64 {
    let p = p.clamp(CLAMP, 1.0 - CLAMP);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Rates every catalog model on `axis` for a build on `building_on` (see the module docs).
pub fn rate<'c>(
    models: &'c [Model],
    families: &'c [Family],
    axis: Axis,
    building_on: Option<CheckpointKind>,
) -> Ratings<'c> {
    let n = models.len();
    let all: Vec<Vec<Figure>> = models
        .iter()
        .map(|m| figures(families, m, axis, building_on))
        .collect();
    // Cells: (table, benchmark) → (model, log-odds, weight), in a fixed order.
    let mut cells: Cells = BTreeMap::new();
    for (i, figs) in all.iter().enumerate() {
        for f in figs.iter().filter(|f| (0.0..=100.0).contains(&f.value)) {
            cells.entry((f.group, f.benchmark)).or_default().push((
                i,
                logit(f.value / 100.0),
                f.weight,
            ));
        }
    }
    // A cell with one model compares nothing.
    cells.retain(|_, v| v.len() >= 2);

    // Chains of tables: models joined by the cells they share (union-find, smallest index as root).
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for cell in cells.values() {
        for &(i, _, _) in &cell[1..] {
            let (a, b) = (root(&mut parent, cell[0].0), root(&mut parent, i));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let in_cells: Vec<bool> = {
        let mut v = vec![false; n];
        for cell in cells.values() {
            for &(i, _, _) in cell {
                v[i] = true;
            }
        }
        v
    };
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for i in (0..n).filter(|&i| in_cells[i]) {
        *sizes.entry(root(&mut parent, i)).or_default() += 1;
    }
    // The reference chain: the most models (ties: the one holding the earliest catalog entry).
    let reference = sizes
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(r, _)| *r);
    let member: Vec<bool> = (0..n)
        .map(|i| in_cells[i] && Some(root(&mut parent, i)) == reference)
        .collect();
    let members: Vec<usize> = (0..n).filter(|&i| member[i]).collect();
    let fitted = solve(&members, &cells, n);
    // Conservative: each model is rated at the lower end of what its figures support, its fitted
    // strength less one standard error (the fit's residual spread over the square root of the
    // model's total figure weight), so a rating resting on one figure is not taken at face value.
    let spread = residual_spread(&fitted, &cells, &member);
    let mut weight_of = vec![0.0f64; n];
    for cell in cells.values() {
        for &(i, _, w) in cell {
            weight_of[i] += w;
        }
    }
    let strength: Vec<f64> = (0..n)
        .map(|i| {
            if member[i] && weight_of[i] > 0.0 {
                fitted[i] - spread / weight_of[i].sqrt()
            } else {
                fitted[i]
            }
        })
        .collect();

    let strongest = members
        .iter()
        .copied()
        .max_by(|&a, &b| strength[a].total_cmp(&strength[b]).then(b.cmp(&a)));
    let top = strongest.map_or(0.0, |i| strength[i]);
    // A figure was compared when its cell survived: every in-range figure went into its cell.
    let was_compared = |f: &Figure| {
        (0.0..=100.0).contains(&f.value) && cells.contains_key(&(f.group, f.benchmark))
    };
    let rated = all
        .into_iter()
        .enumerate()
        .map(|(i, figs)| {
            if figs.is_empty() {
                Err(Unrated::NoFigures)
            } else if !in_cells[i] {
                Err(Unrated::Alone)
            } else if !member[i] {
                Err(Unrated::Unlinked)
            } else {
                let s = strength[i] - top;
                let compared: Vec<u16> = (0..figs.len())
                    .filter(|&p| was_compared(&figs[p]))
                    .map(|p| u16::try_from(p).unwrap_or(u16::MAX))
                    .collect();
                Ok(Rating {
                    value: sigmoid(s + logit(REFERENCE_SCORE)),
                    strength: s,
                    base_figure: compared
                        .iter()
                        .any(|&p| figs[usize::from(p)].checkpoint == CheckpointKind::Base),
                    compared,
                })
            }
        })
        .collect();
    Ratings {
        axis,
        building_on,
        models: rated,
        strongest: strongest.map(|i| models[i].id.as_str()),
        catalog_models: models,
        families,
    }
}

/// The residual standard deviation of the fit over the chain (weighted, with the degrees of
/// freedom the fit used subtracted), at least `MIN_SPREAD`.
fn residual_spread(strength: &[f64], cells: &Cells, member: &[bool]) -> f64 {
    let (mut ss, mut weight, mut observations, mut models) = (0.0, 0.0, 0usize, 0usize);
    let mut cells_used = 0usize;
    for cell in cells.values().filter(|c| member[c[0].0]) {
        cells_used += 1;
        let w_total: f64 = cell.iter().map(|c| c.2).sum();
        let difficulty = cell
            .iter()
            .map(|c| (c.1 - strength[c.0]) * c.2)
            .sum::<f64>()
            / w_total;
        for &(i, y, w) in cell {
            let r = y - strength[i] - difficulty;
            ss += w * r * r;
            weight += w;
            observations += 1;
        }
    }
    models += member.iter().filter(|m| **m).count();
    let dof = observations.saturating_sub(models + cells_used);
    if dof == 0 || weight <= 0.0 {
        return MIN_SPREAD;
    }
    // Weighted variance, scaled to the degrees of freedom left.
    let variance = ss / weight * observations as f64 / dof as f64;
    variance.sqrt().max(MIN_SPREAD)
}

/// Weighted least squares for `logit = strength(model) + difficulty(cell)` over one connected
/// chain: the cell effects are eliminated (each is the weighted mean residual of its cell), which
/// leaves a graph-Laplacian system in the strengths; the first member is pinned at 0 and the
/// system solved exactly (Gaussian elimination with partial pivoting). Returns strengths indexed by
/// catalog position (0 outside the chain).
fn solve(members: &[usize], cells: &Cells, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    let k = members.len();
    if k < 2 {
        return out;
    }
    if k > DENSE_MAX {
        return solve_iterative(members, cells, n);
    }
    let pos = rows(members, n);
    let mut m = vec![vec![0.0f64; k]; k];
    let mut b = vec![0.0f64; k];
    for cell in cells.values() {
        if pos[cell[0].0] == usize::MAX {
            continue;
        }
        let w_total: f64 = cell.iter().map(|c| c.2).sum();
        let y_mean = cell.iter().map(|c| c.1 * c.2).sum::<f64>() / w_total;
        for &(i, y, w) in cell {
            let pi = pos[i];
            b[pi] += w * (y - y_mean);
            for &(j, _, wj) in cell {
                let pj = pos[j];
                let term = w * wj / w_total;
                if pi == pj {
                    m[pi][pi] += w - term;
                } else {
                    m[pi][pj] -= term;
                }
            }
        }
    }
    // Pin the first member: its row becomes strength = 0.
    m[0].iter_mut().for_each(|x| *x = 0.0);
    m[0][0] = 1.0;
    b[0] = 0.0;
    for col in 0..k {
        let pivot = (col..k)
            .max_by(|&a, &c| m[a][col].abs().total_cmp(&m[c][col].abs()))
            .unwrap_or(col);
        if m[pivot][col].abs() < 1e-12 {
            continue;
        }
        m.swap(col, pivot);
        b.swap(col, pivot);
        let (top, below) = m.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (row, b_row) in below.iter_mut().zip(col + 1..k) {
            let f = row[col] / pivot_row[col];
            if f != 0.0 {
                for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * p;
                }
                b[b_row] -= f * b[col];
            }
        }
    }
    let mut x = vec![0.0f64; k];
    for row in (0..k).rev() {
        let rest: f64 = (row + 1..k).map(|c| m[row][c] * x[c]).sum();
        x[row] = if m[row][row].abs() < 1e-12 {
            0.0
        } else {
            (b[row] - rest) / m[row][row]
        };
    }
    for (p, &i) in members.iter().enumerate() {
        out[i] = x[p];
    }
    out
}

/// Catalog position -> row of the chain's system (`usize::MAX` outside the chain).
fn rows(members: &[usize], n: usize) -> Vec<usize> {
    let mut pos = vec![usize::MAX; n];
    for (p, &i) in members.iter().enumerate() {
        pos[i] = p;
    }
    pos
}

/// Chains longer than this are solved by conjugate gradients: the dense elimination needs k²
/// memory and k³ time, so a user catalog of 100,000 rated models would need 80 GB. The embedded
/// catalog's chain (about a hundred models) stays on the exact dense path.
const DENSE_MAX: usize = 1500;

/// The same equations as `solve` (first member pinned at 0), by conjugate gradients on the
/// reduced Laplacian, which is symmetric positive definite over a connected chain. Each product
/// with it costs one pass over the figures: a cell adds `w_i (x_i - weighted mean of x)` to each
/// of its members.
fn solve_iterative(members: &[usize], cells: &Cells, n: usize) -> Vec<f64> {
    let k = members.len();
    let pos = rows(members, n);
    let chain: Vec<&Vec<(usize, f64, f64)>> = cells
        .values()
        .filter(|c| pos[c[0].0] != usize::MAX)
        .collect();
    let apply = |x: &[f64], out: &mut [f64]| {
        out.fill(0.0);
        for cell in &chain {
            let w_total: f64 = cell.iter().map(|c| c.2).sum();
            let mean = cell.iter().map(|c| c.2 * x[pos[c.0]]).sum::<f64>() / w_total;
            for &(i, _, w) in cell.iter() {
                out[pos[i]] += w * (x[pos[i]] - mean);
            }
        }
        out[0] = 0.0;
    };
    let mut b = vec![0.0f64; k];
    for cell in &chain {
        let w_total: f64 = cell.iter().map(|c| c.2).sum();
        let y_mean = cell.iter().map(|c| c.1 * c.2).sum::<f64>() / w_total;
        for &(i, y, w) in cell.iter() {
            b[pos[i]] += w * (y - y_mean);
        }
    }
    b[0] = 0.0;
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let mut x = vec![0.0f64; k];
    let mut r = b.clone();
    let mut p = r.clone();
    let mut ap = vec![0.0f64; k];
    let mut rr = dot(&r, &r);
    let tolerance = 1e-24 * dot(&b, &b).max(f64::MIN_POSITIVE);
    for _ in 0..10 * k {
        if rr <= tolerance {
            break;
        }
        apply(&p, &mut ap);
        let pap = dot(&p, &ap);
        if pap <= 0.0 {
            break;
        }
        let alpha = rr / pap;
        x.iter_mut().zip(&p).for_each(|(x, p)| *x += alpha * p);
        r.iter_mut().zip(&ap).for_each(|(r, a)| *r -= alpha * a);
        let next = dot(&r, &r);
        let beta = next / rr;
        rr = next;
        p.iter_mut().zip(&r).for_each(|(p, r)| *p = r + beta * *p);
    }
    let mut out = vec![0.0; n];
    for (p, &i) in members.iter().enumerate() {
        out[i] = x[p];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Conjugate gradients (large chains) and the dense elimination (small ones) solve the same
    /// equations: on a pseudo-random connected chain they agree to 1e-9.
    #[test]
    fn iterative_and_dense_solutions_agree() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let groups: Vec<String> = (0..40).map(|g| format!("g{g}")).collect();
        let n = 60;
        let mut cells: Cells = BTreeMap::new();
        for (g, name) in groups.iter().enumerate() {
            // Model g % n links each table to the previous ones' members: the chain is connected.
            let mut members = vec![g % n, (g + 1) % n];
            for _ in 0..(next() % 6) {
                members.push(next() % n);
            }
            members.sort();
            members.dedup();
            let cell = cells.entry((name.as_str(), "mmlu")).or_default();
            for i in members {
                let value = -2.0 + (next() % 4000) as f64 / 1000.0;
                let weight = if next() % 3 == 0 {
                    INDIRECT_WEIGHT
                } else {
                    1.0
                };
                cell.push((i, value, weight));
            }
        }
        let members: Vec<usize> = (0..n).collect();
        let dense = solve(&members, &cells, n);
        let iterative = solve_iterative(&members, &cells, n);
        assert!(dense.iter().any(|x| x.abs() > 0.1), "{dense:?}");
        for (i, (a, b)) in dense.iter().zip(&iterative).enumerate() {
            assert!((a - b).abs() < 1e-9, "model {i}: dense {a}, iterative {b}");
        }
    }

    #[test]
    fn every_benchmark_has_one_axis_and_every_axis_has_benchmarks() {
        let mut seen = std::collections::HashSet::new();
        for (b, _) in BENCHMARKS {
            assert!(seen.insert(*b), "{b} listed twice");
        }
        for a in Axis::ALL {
            assert!(a.benchmarks().count() >= 3, "{}", a.as_str());
        }
    }

    #[test]
    fn the_match_is_the_table() {
        for (b, a) in BENCHMARKS {
            assert_eq!(axis_of(b), Some(*a), "{b}");
        }
        assert_eq!(axis_of("hellaswag"), None);
    }

    #[test]
    fn the_fit_recovers_a_known_ladder() {
        // Three tables, chained by shared models: A > B > C by one logit each; D only in a table
        // with C. The fit must recover the differences exactly from figures generated by the model.
        let s = [0.0, -1.0, -2.0, -2.5];
        let cells_spec: [(&str, &[usize], f64); 3] = [
            ("t1", &[0, 1], 1.0),
            ("t2", &[1, 2], -0.5),
            ("t3", &[2, 3], 0.3),
        ];
        let mut cells = BTreeMap::new();
        for (t, ms, d) in cells_spec {
            cells.insert(
                (t, "mmlu"),
                ms.iter().map(|&i| (i, s[i] + d, 1.0)).collect::<Vec<_>>(),
            );
        }
        let x = solve(&[0, 1, 2, 3], &cells, 4);
        for i in 1..4 {
            assert!(((x[i] - x[0]) - s[i]).abs() < 1e-9, "{i}: {x:?}");
        }
    }

    #[test]
    fn logit_round_trips_and_clamps() {
        assert!((sigmoid(logit(0.9)) - 0.9).abs() < 1e-12);
        assert!(logit(0.0).is_finite() && logit(1.0).is_finite());
    }
}
