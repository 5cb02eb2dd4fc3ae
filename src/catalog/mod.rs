//! The catalog: model families, models, licenses and GPUs, with the facts' sources.
//!
//! The embedded catalog (every `catalog/**/*.toml` of the source tree) is parsed at build time and
//! written as Rust statics (`build/statics.rs`, `list.rs`), read in place: nothing is decoded at
//! run time. User files given with `--catalog` or `PICK_CATALOG` are read as TOML (or decoded from
//! a compiled catalog) and merged over it, a same id replacing the embedded entry (recorded in
//! `overrides`).

pub mod arch;
mod card;
mod check;
mod list;
mod plain;
mod repo;
mod schema;
mod text;

pub use crate::problem::Problem;
pub use card::{BindingLicense, ModelCard, ToolSupport, Via};
pub use check::{check_embedded, check_paths};
pub use repo::{ArchSummary, Repo, RepoFile, Source};
pub use schema::*;

use crate::fasthash::FastMap;
use crate::input;
use crate::problem::LineIndex;

use anyhow::{anyhow, Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The string table of the embedded catalog's `Text`s (`Text::table`).
use embedded::STATIC_STRINGS;

mod embedded {
    use super::*;
    include!(concat!(env!("OUT_DIR"), "/catalog_sources.rs"));
    // Every entry of the catalog, one table per type (`build/statics.rs`, `list.rs`).
    include!(concat!(env!("OUT_DIR"), "/catalog_static.rs"));
    /// The capability ratings of the embedded catalog (`capability::Stored`, ranges in
    /// `RATING_RANGES` by `capability::stored_slot`).
    pub static RATINGS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/catalog-ratings.bin"));
}

/// When the embedded catalog's facts were last reviewed (`as_of` in catalog/catalog.toml), known
/// without decoding the catalog.
pub fn embedded_as_of() -> Option<Date> {
    Date::parse(embedded::AS_OF)
}

/// The original text of each embedded catalog file, by path (e.g. `catalog/models/meta.toml`).
pub fn embedded_sources() -> &'static [(&'static str, &'static str)] {
    embedded::SOURCES
}

/// An entry of a user catalog that replaced one with the same id.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub kind: &'static str,
    pub id: String,
    pub replaced: String,
    pub by: String,
}

#[derive(Debug, Default)]
pub struct Catalog {
    pub families: List<Family>,
    pub models: List<Model>,
    pub licenses: List<License>,
    pub gpus: List<Gpu>,
    /// Per-token offers of open models by hosting providers (appended, never replaced by id).
    pub serverless: List<Serverless>,
    pub overrides: Vec<Override>,
    /// When the catalog's facts were last reviewed (the newest `as_of` of its files).
    pub as_of: Option<Date>,
    /// Model ids and lower-cased Hugging Face repo ids → index; built once lookups have cost
    /// about what building it does (`Catalog::model`).
    model_index: std::sync::OnceLock<FastMap<Text, usize>>,
    /// Lookups answered by scanning the list, before the index is built.
    scans: std::sync::atomic::AtomicU32,
    /// Repositories the catalog does not list, resolved from pick.lock, the Hugging Face cache or
    /// the Hub (`crate::resolve`): gated, shown and sized like models, never ranked.
    pub repos: Vec<Repo>,
    /// Why a reference could not be resolved (lower-cased `org/name` → the reason), for messages.
    pub unresolved: FastMap<String, String>,
    /// Family id → the non-permissive licenses binding the reviewed (not user) models of the family;
    /// built on first use (`lineage.rs`).
    family_licenses: std::sync::OnceLock<FastMap<String, Vec<String>>>,
    /// The embedded catalog, nothing merged over it: the capability ratings build.rs computed
    /// for it apply.
    embedded_only: bool,
}

impl Catalog {
    /// The catalog compiled into the binary: its statics, read in place (nothing is decoded).
    pub fn embedded() -> Catalog {
        let all = |len: usize| u32::try_from(len).expect("fewer than 2^32 entries");
        Catalog {
            families: List::table(0, all(embedded::Family_TABLE.len())),
            models: List::table(0, all(embedded::Model_TABLE.len())),
            licenses: List::table(0, all(embedded::License_TABLE.len())),
            gpus: List::table(0, all(embedded::Gpu_TABLE.len())),
            serverless: List::table(0, all(embedded::Serverless_TABLE.len())),
            as_of: embedded_as_of(),
            embedded_only: true,
            ..Catalog::default()
        }
    }

    /// Every model's capability rating on `axis` for a build on `building_on`. For the embedded
    /// catalog with nothing merged over it, the ratings build.rs computed (the least-squares fit
    /// over 4,000 figures was a sixth of the main query); otherwise fitted now.
    pub fn ratings(
        &self,
        axis: crate::capability::Axis,
        building_on: Option<CheckpointKind>,
    ) -> crate::capability::Ratings<'_> {
        use crate::capability::{self, Ratings};
        match self.stored_ratings(axis, building_on) {
            Some(stored) => {
                Ratings::from_stored(stored, &self.models, &self.families, axis, building_on)
            }
            None => capability::rate(&self.models, &self.families, axis, building_on),
        }
    }

    /// The ratings build.rs stored, when they apply (the embedded catalog, nothing merged).
    fn stored_ratings(
        &self,
        axis: crate::capability::Axis,
        building_on: Option<CheckpointKind>,
    ) -> Option<crate::capability::Stored> {
        if !self.embedded_only {
            return None;
        }
        let &(start, end) =
            embedded::RATING_RANGES.get(crate::capability::stored_slot(axis, building_on))?;
        text::decode_static::<crate::capability::Stored>(
            &embedded::RATINGS[start..end],
            text::Origin::Embedded,
        )
        .ok()
        .filter(|s| s.models.len() == self.models.len())
    }

    /// Entries stored flat (`Flat`, compiled catalogs), each tagged with the name of its file
    /// (`origins`: each list's file indices, read by `origin`), taken as they are, without merging.
    fn of_flat(
        mut entries: CatalogFile,
        origins: &[Vec<u32>; 5],
        origin: impl Fn(u32) -> Text,
    ) -> Catalog {
        let [families, models, licenses, gpus, serverless] = origins;
        tag(&mut entries.family, families, &origin);
        tag(&mut entries.model, models, &origin);
        tag(&mut entries.license, licenses, &origin);
        tag(&mut entries.gpu, gpus, &origin);
        for (i, offer) in entries.serverless.iter_mut().enumerate() {
            offer.origin = origin(serverless.get(i).copied().unwrap_or(0));
        }
        Catalog {
            families: entries.family.into(),
            models: entries.model.into(),
            licenses: entries.license.into(),
            gpus: entries.gpu.into(),
            serverless: entries.serverless.into(),
            as_of: entries.as_of,
            ..Catalog::default()
        }
    }

    /// The entries of `files` in file order, each tagged with its file, appended without merging
    /// (a repeated id stays twice: `absorb` it into an empty catalog to merge).
    fn gathered(files: Vec<(Text, CatalogFile)>) -> Catalog {
        let flat = schema::Flat::of(files);
        let files = &flat.files;
        Catalog::of_flat(flat.entries, &flat.origins, |i| files[i as usize].clone())
    }

    /// The embedded catalog with user files or folders merged over it. The user's files are read
    /// once and checked as `pick catalog check PATH` would (references may resolve into the
    /// embedded catalog, which is valid already: a unit test sees to it); any problem is an error
    /// listing them all.
    pub fn load(extra: &[PathBuf]) -> Result<Catalog> {
        let mut catalog = Catalog::embedded();
        if extra.is_empty() {
            return Ok(catalog);
        }
        let (files, compiled) = read_sources(extra)?;
        if !files.is_empty() {
            let (mut user, problems) = check::check_texts(&files, Some(&catalog));
            crate::problem::into_result(
                problems,
                "in the catalog given with --catalog/PICK_CATALOG (fix them; `pick catalog check` lists the same)",
            )?;
            for m in user.models.to_mut() {
                m.user = true;
            }
            catalog.absorb(user);
        }
        // Compiled catalogs were checked when compiled: their entries merge as they are, each
        // tagged with its file (a name kept for the run: tagging 100,000 entries copies a pointer).
        for (name, c) in compiled {
            let files: Vec<Text> = c
                .files
                .iter()
                .map(|f| Text::leaked(format!("{name} ({f})")))
                .collect();
            let unknown = Text::leaked(name);
            let mut user = Catalog::of_flat(c.entries, &c.origins, |i| {
                files.get(i as usize).unwrap_or(&unknown).clone()
            });
            user.as_of = c.as_of;
            for m in user.models.to_mut() {
                m.user = true;
            }
            catalog.absorb(user);
        }
        Ok(catalog)
    }

    /// A user catalog checked once and encoded for fast loading (`pick catalog compile`): the
    /// bytes to write, and how many models they hold.
    pub fn compile(paths: &[PathBuf]) -> Result<(Vec<u8>, usize)> {
        let (files, compiled) = read_sources(paths)?;
        if let Some((name, _)) = compiled.first() {
            return Err(anyhow!(
                "{name} is a compiled catalog already: compile its TOML sources instead"
            ));
        }
        let base = Catalog::embedded();
        let (user, problems) = check::check_texts(&files, Some(&base));
        crate::problem::into_result(problems, "in the catalog to compile (nothing was written)")?;
        // Entries flat, in catalog order, each with the index of its file.
        let slot: FastMap<&str, u32> = files
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.as_str(), i as u32))
            .collect();
        let place = |origin: &str| slot.get(origin).copied().unwrap_or(0);
        let models = user.models.as_slice();
        let runs = models
            .chunks(MODELS_PER_RUN)
            .map(postcard::to_allocvec)
            .collect::<postcard::Result<Vec<Vec<u8>>>>()
            .context("encode the compiled catalog")?;
        let compiled = Compiled {
            pick_version: env!("CARGO_PKG_VERSION").to_string(),
            as_of: user.as_of,
            origins: [
                user.families.iter().map(|e| place(&e.origin)).collect(),
                user.models.iter().map(|e| place(&e.origin)).collect(),
                user.licenses.iter().map(|e| place(&e.origin)).collect(),
                user.gpus.iter().map(|e| place(&e.origin)).collect(),
                user.serverless.iter().map(|e| place(&e.origin)).collect(),
            ],
            files: files.iter().map(|(name, _)| name.clone()).collect(),
            model_runs: runs
                .iter()
                .zip(models.chunks(MODELS_PER_RUN))
                .map(|(bytes, run)| (bytes.len() as u64, run.len() as u64))
                .collect(),
            entries: CatalogFile {
                as_of: user.as_of,
                family: user.families.into_vec(),
                model: Vec::new(),
                license: user.licenses.into_vec(),
                gpu: user.gpus.into_vec(),
                serverless: user.serverless.into_vec(),
            },
        };
        let mut bytes = COMPILED_MAGIC.to_vec();
        bytes.extend(postcard::to_allocvec(&compiled).context("encode the compiled catalog")?);
        for run in runs {
            bytes.extend(run);
        }
        Ok((bytes, models.len()))
    }

    /// Merges a parsed catalog over this one (each entry keeps its origin file).
    fn absorb(&mut self, other: Catalog) {
        self.embedded_only = false;
        self.as_of = self.as_of.max(other.as_of);
        let ov = &mut self.overrides;
        ov.extend(other.overrides);
        merge(&mut self.families, other.families, "family", ov);
        merge(&mut self.models, other.models, "model", ov);
        merge(&mut self.licenses, other.licenses, "license", ov);
        merge(&mut self.gpus, other.gpus, "gpu", ov);
        if !other.serverless.is_empty() {
            self.serverless.to_mut().extend(other.serverless.into_vec());
        }
        self.reindex();
    }

    /// Forgets the lookup index after the model list changed.
    fn reindex(&mut self) {
        self.model_index = std::sync::OnceLock::new();
        self.scans = Default::default();
        self.family_licenses = std::sync::OnceLock::new();
    }

    /// Adds a resolved repository (replacing one with the same `org/name`).
    pub fn add_repo(&mut self, repo: Repo) {
        let key = repo.key();
        self.unresolved.remove(&key);
        match self.repos.iter_mut().find(|r| r.key() == key) {
            Some(slot) => *slot = repo,
            None => self.repos.push(repo),
        }
    }

    /// A resolved repository by `org/name` (case-insensitive; `@revision` and URL prefixes ignored).
    pub fn repo(&self, reference: &str) -> Option<&Repo> {
        let key = reference_key(reference);
        self.repos.iter().find(|r| r.key() == key)
    }

    /// The non-permissive licenses that bind the reviewed models of a family (none for a family
    /// only user catalogs have).
    pub fn family_licenses(&self, family: &str) -> &[String] {
        let map = self.family_licenses.get_or_init(|| {
            let mut map: FastMap<String, Vec<String>> = FastMap::default();
            for m in self.models.iter().filter(|m| !m.user) {
                for id in m.license_ids() {
                    let restrictive = self.license(id).is_none_or(|l| l.tier != Tier::Permissive);
                    let list = map.entry(m.family.to_string()).or_default();
                    if restrictive && !list.iter().any(|x| x == id) {
                        list.push(id.to_string());
                    }
                }
            }
            map
        });
        map.get(family).map_or(&[], Vec::as_slice)
    }

    fn index(&self) -> &FastMap<Text, usize> {
        self.model_index.get_or_init(|| {
            // A name that is lower-case already is keyed by a clone of its `Text` (a pointer copy
            // for the embedded catalog's), not a new string.
            fn lower(name: &Text) -> Text {
                if name.bytes().any(|b| b.is_ascii_uppercase()) {
                    Text::from(name.to_ascii_lowercase())
                } else {
                    name.clone()
                }
            }
            let mut index = crate::fasthash::map_with_capacity(self.models.len() * 3);
            for (i, m) in self.models.iter().enumerate() {
                index.entry(m.id.clone()).or_insert(i);
            }
            for (i, m) in self.models.iter().enumerate() {
                for c in &m.checkpoints {
                    index.entry(lower(&c.hf_repo)).or_insert(i);
                }
            }
            // Aliases last: a current name always wins over a legacy one.
            for (i, m) in self.models.iter().enumerate() {
                for a in &m.aliases {
                    index.entry(lower(a)).or_insert(i);
                }
            }
            index
        })
    }

    /// Builds a catalog from parts (tests and synthetic benchmarks).
    pub fn from_parts(
        families: impl Into<List<Family>>,
        models: impl Into<List<Model>>,
        licenses: impl Into<List<License>>,
        gpus: impl Into<List<Gpu>>,
    ) -> Catalog {
        let mut c = Catalog {
            families: families.into(),
            models: models.into(),
            licenses: licenses.into(),
            gpus: gpus.into(),
            ..Catalog::default()
        };
        c.reindex();
        c
    }

    /// A model by catalog id or Hugging Face repo id (case-insensitive; a `@revision` or
    /// `hf.co/` prefix is ignored).
    pub fn model(&self, reference: &str) -> Option<&Model> {
        use std::sync::atomic::Ordering::Relaxed;
        let key = normalize_ref(reference);
        // Building the index hashes every id, repo and alias (some 600 for the embedded catalog,
        // 0.23M instructions of the main query's 8.5M, for three lineage upstreams); a scan compares
        // them, some 60 times cheaper. In a small catalog a few lookups scan, more build the index.
        // A large one is indexed at once: scanning 100,000 models misses the cache on each, and
        // checking a catalog that size looks up every lineage upstream.
        const SCANS: u32 = 8;
        const SCANNED_MODELS: usize = 4096;
        if self.models.len() <= SCANNED_MODELS
            && self.model_index.get().is_none()
            && self.scans.fetch_add(1, Relaxed) < SCANS
        {
            return self
                .scan(&key)
                .or_else(|| self.scan(&lower_case(&key)?))
                .map(|i| &self.models[i]);
        }
        let index = self.index();
        index
            .get(key.as_str())
            .or_else(|| index.get(lower_case(&key)?.as_str()))
            .map(|&i| &self.models[i])
    }

    /// What `index().get(key)` gives, found by scanning in the order the index is built (ids,
    /// then repos, then aliases; the first model wins).
    fn scan(&self, key: &str) -> Option<usize> {
        // Repos and aliases are keyed lower-cased.
        let lower_is = |name: &Text| {
            name.len() == key.len()
                && name
                    .bytes()
                    .zip(key.bytes())
                    .all(|(a, b)| a.to_ascii_lowercase() == b)
        };
        let models = &self.models;
        models
            .iter()
            .position(|m| m.id == key)
            .or_else(|| {
                models
                    .iter()
                    .position(|m| m.checkpoints.iter().any(|c| lower_is(&c.hf_repo)))
            })
            .or_else(|| models.iter().position(|m| m.aliases.iter().any(lower_is)))
    }

    /// The model, or an error with a did-you-mean.
    pub fn model_or_suggest(&self, reference: &str) -> Result<&Model> {
        self.model(reference).ok_or_else(|| {
            let hint = crate::suggest::did_you_mean(reference, self.models.iter().map(|m| m.id.as_str()));
            let reference = crate::suggest::elide(reference);
            anyhow!("unknown model `{reference}`{hint}\n(`pick list --format ids` lists every id; a Hugging Face repo id works too)")
        })
    }

    pub fn family(&self, id: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.id == id)
    }

    pub fn license(&self, id: &str) -> Option<&License> {
        self.licenses.iter().find(|l| l.id == id)
    }

    /// A license by catalog id, SPDX id, HF license id or HF license_name (case-insensitive).
    pub fn license_by_any_name(&self, name: &str) -> Option<&License> {
        let n = name.to_ascii_lowercase();
        self.license(name).or_else(|| {
            self.licenses.iter().find(|l| {
                l.id.eq_ignore_ascii_case(&n)
                    || l.spdx.eq_ignore_ascii_case(&n)
                    || l.hf_license
                        .as_deref()
                        .is_some_and(|h| h != "other" && h.eq_ignore_ascii_case(&n))
                    || l.hf_license_names
                        .iter()
                        .any(|x| x.eq_ignore_ascii_case(&n))
            })
        })
    }

    pub fn gpu(&self, name: &str) -> Option<&Gpu> {
        let n = name.trim().to_ascii_lowercase();
        self.gpus
            .iter()
            .find(|g| g.id == n || g.aliases.iter().any(|a| *a == n))
    }

    /// The newest release date among the models, the reference point for "freshness" (so rankings
    /// do not drift with the wall clock).
    pub fn newest_release(&self) -> Option<Date> {
        self.models.iter().map(|m| m.released).max()
    }

    /// Sources of a model with its family's filling the gaps.
    pub fn sources_of(&self, model: &Model) -> Sources {
        match self.family(&model.family) {
            Some(f) => model.sources.or(&f.sources),
            None => model.sources.clone(),
        }
    }

    /// The cheapest per-token offer for each model offered, with its price per 1M generated
    /// tokens at `input_ratio` prompt tokens each (ties: by provider). One pass for a whole
    /// ranking: looking each sized model's offers up in the list was a tenth of sizing it.
    pub fn cheapest_offers(&self, input_ratio: f64) -> FastMap<&str, (&Serverless, f64)> {
        let mut out: FastMap<&str, (&Serverless, f64)> = FastMap::default();
        for s in self.serverless.iter() {
            let cost = crate::economics::api_cost_per_million(
                s.price_input_per_m,
                s.price_output_per_m,
                input_ratio,
            );
            let best = out.entry(s.model.as_str()).or_insert((s, cost));
            if cost
                .total_cmp(&best.1)
                .then_with(|| s.provider.cmp(&best.0.provider))
                .is_lt()
            {
                *best = (s, cost);
            }
        }
        out
    }

    /// Support level of a serving engine for a model: the model's own table, else its family's.
    pub fn serving(&self, model: &Model, engine: &str) -> Option<Support> {
        self.support_of(model).serving(engine)
    }

    /// Support level of a fine-tuning framework (model, else family).
    pub fn finetune(&self, model: &Model, tool: &str) -> Option<Support> {
        self.support_of(model).finetune(tool)
    }

    /// Support level of a quantization format or tool (model, else family).
    pub fn quant(&self, model: &Model, tool: &str) -> Option<Support> {
        self.support_of(model).quant(tool)
    }

    /// A model's support levels with its family found once, for many questions (the family
    /// list is searched for each `serving`, `finetune` or `quant`).
    pub fn support_of<'c>(&'c self, model: &'c Model) -> SupportOf<'c> {
        SupportOf {
            model,
            family: self.family(&model.family),
        }
    }
}

/// A model's support levels: its own, else its family's.
pub struct SupportOf<'c> {
    model: &'c Model,
    family: Option<&'c Family>,
}

impl SupportOf<'_> {
    pub fn serving(&self, engine: &str) -> Option<Support> {
        self.model
            .serving
            .get(engine)
            .or_else(|| self.family?.serving.get(engine))
    }
    pub fn finetune(&self, tool: &str) -> Option<Support> {
        self.model
            .finetune
            .get(tool)
            .or_else(|| self.family?.finetune.get(tool))
    }
    pub fn quant(&self, tool: &str) -> Option<Support> {
        self.model
            .quant
            .get(tool)
            .or_else(|| self.family?.quant.get(tool))
    }
}

/// What merging needs of a catalog entry: its id and the file it came from.
trait Entry {
    fn id(&self) -> &str;
    /// The id as stored: a clone is a pointer copy when it borrows from a loaded catalog.
    fn key(&self) -> &Text;
    fn origin_mut(&mut self) -> &mut Text;
    fn origin(&self) -> &str;
}

macro_rules! entry {
    ($($t:ty),*) => {$(
        impl Entry for $t {
            fn id(&self) -> &str { &self.id }
            fn key(&self) -> &Text { &self.id }
            fn origin_mut(&mut self) -> &mut Text { &mut self.origin }
            fn origin(&self) -> &str { &self.origin }
        }
    )*};
}
entry!(Family, Model, License, Gpu);

/// Adds entries (each tagged with its file); an id already present from another file is replaced
/// (and the replacement recorded), while a repeat within one file is kept for `catalog check` to
/// report. A list of the embedded tables is copied into one of its own only when there is
/// something to add to it.
fn merge<T: Entry + Pooled + Clone>(
    list: &mut List<T>,
    items: List<T>,
    kind: &'static str,
    overrides: &mut Vec<Override>,
) {
    if items.is_empty() {
        return;
    }
    let (list, items) = (list.to_mut(), items.into_vec());
    // Ids all distinct, old and new (the common case: one user catalog of new models, or many
    // files checked together): nothing to replace, the lists are joined. The larger list is
    // not moved entry by entry: the smaller one is inserted before or after it in its buffer.
    let mut seen = crate::fasthash::set_with_capacity(list.len() + items.len());
    if list.iter().chain(&items).all(|x| seen.insert(x.id())) {
        drop(seen);
        if list.len() >= items.len() {
            list.extend(items);
        } else {
            let mut items = items;
            items.splice(0..0, list.drain(..));
            *list = items;
        }
        return;
    }
    drop(seen);
    list.reserve(items.len());
    // Where each id stands (first place, and any repeats within one file), so that merging stays
    // linear in the number of entries.
    let mut at: crate::fasthash::FastMap<Text, Vec<usize>> =
        crate::fasthash::map_with_capacity(list.len() + items.len());
    for (i, x) in list.iter().enumerate() {
        at.entry(x.key().clone()).or_default().push(i);
    }
    for item in items {
        let slot = at.get(item.id()).and_then(|places| {
            places
                .iter()
                .copied()
                .find(|&i| list[i].origin() != item.origin())
        });
        match slot {
            Some(i) => {
                overrides.push(Override {
                    kind,
                    id: item.id().to_string(),
                    replaced: list[i].origin().to_string(),
                    by: item.origin().to_string(),
                });
                list[i] = item;
            }
            None => {
                at.entry(item.key().clone()).or_default().push(list.len());
                list.push(item);
            }
        }
    }
}

/// The lower-cased `org/name` of a reference (`@revision`, `https://huggingface.co/` and `hf.co/`
/// prefixes dropped): the key repositories are found by.
pub fn reference_key(reference: &str) -> String {
    normalize_ref(reference).to_ascii_lowercase()
}

/// A reference's revision (`org/name@rev`), if it names one.
pub fn reference_revision(reference: &str) -> Option<&str> {
    reference
        .trim()
        .split_once('@')
        .map(|(_, r)| r.trim())
        .filter(|r| !r.is_empty())
}

/// `key` lower-cased, when that changes it (a second lookup under the same key finds nothing new;
/// a catalog check looks up 100,000 lineage upstreams, most of them absent from the user's files).
fn lower_case(key: &str) -> Option<String> {
    key.bytes()
        .any(|b| b.is_ascii_uppercase())
        .then(|| key.to_ascii_lowercase())
}

fn normalize_ref(reference: &str) -> String {
    let r = reference.trim();
    let r = r.split('@').next().unwrap_or(r);
    let r = r
        .trim_start_matches("https://")
        .trim_start_matches("huggingface.co/")
        .trim_start_matches("hf.co/");
    r.trim_end_matches('/').to_string()
}

/// Reads one catalog file: its entries and every problem, each at its file:line:column.
pub fn read_file(name: &str, text: &str) -> (CatalogFile, Vec<Problem>) {
    located(name, text, read_catalog(text))
}

/// Reads catalog files (name, text kept for the run) on every core: each one's entries and
/// problems. Their strings borrow from the texts.
pub fn read_files(files: &[(String, &'static str)]) -> Vec<(CatalogFile, Vec<Problem>)> {
    let texts: Vec<&'static str> = files.iter().map(|(_, text)| *text).collect();
    schema::read_kept_catalogs(&texts)
        .into_iter()
        .zip(files)
        .map(|(read, (name, text))| located(name, text, read))
        .collect()
}

/// A file's entries, its problems placed at their file:line:column.
fn located(
    name: &str,
    text: &str,
    (doc, found): (CatalogFile, Vec<schema::ReadProblem>),
) -> (CatalogFile, Vec<Problem>) {
    if found.is_empty() {
        return (doc, Vec::new());
    }
    let index = LineIndex::new(text);
    let problems = found
        .into_iter()
        .map(|p| match p.span {
            Some(span) => {
                let (line, column) = index.line_col(span.start);
                Problem {
                    file: name.to_string(),
                    line: Some(line),
                    column: Some(column),
                    message: with_suggestion(p.message),
                }
            }
            None => Problem::in_file(name, p.message),
        })
        .collect();
    (doc, problems)
}

/// An "unknown field `x`, expected one of `a`, `b`" message with the closest expected key named.
fn with_suggestion(message: String) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message;
    };
    let Some((field, expected)) = rest.split_once('`') else {
        return message;
    };
    let keys = expected.split('`').skip(1).step_by(2);
    let hint = crate::suggest::did_you_mean(field, keys);
    format!("{message}{hint}")
}

/// The first bytes of a compiled catalog (`pick catalog compile`): the format's version and a hash
/// of the catalog schema it was encoded with (build.rs). The binary form has no field names: a
/// file encoded by a pick whose schema differs (a field added) would decode into wrong values, so
/// it is refused by its header instead.
const COMPILED_MAGIC: &[u8] =
    concat!("pick compiled catalog v4 ", env!("PICK_SCHEMA_HASH"), "\n").as_bytes();
/// The first bytes of any compiled catalog, of this format version or another.
const COMPILED_ANY: &[u8] = b"pick compiled catalog v";

/// A user catalog, checked and encoded once: loading it skips parsing and checking.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Compiled {
    /// The pick that compiled it: its schema and embedded catalog are what the check ran against.
    pick_version: String,
    as_of: Option<Date>,
    /// The source files, in the order given.
    files: Vec<String>,
    /// Every entry in catalog order, flat: decoded straight into the lists the catalog keeps
    /// (entries grouped by file would be copied once more to be joined). Models excepted: they
    /// follow this header in runs (`model_runs`).
    entries: CatalogFile,
    /// The models, after this header: runs of `MODELS_PER_RUN` encoded apart (their bytes and
    /// models), so that the cores decode them together.
    model_runs: Vec<(u64, u64)>,
    /// Each entry's file (an index into `files`): families, models, licenses, GPUs, serverless
    /// offers.
    origins: [Vec<u32>; 5],
}

/// Models in each separately decoded run of a compiled catalog: 100,000 models make 25, shared
/// out among the cores.
const MODELS_PER_RUN: usize = 4096;

/// The models of a compiled catalog: its runs decoded on every core (`Compiled::model_runs`;
/// decoding was four fifths of loading 100,000 models), each straight into its place in the list.
fn decode_model_runs(mut body: &'static [u8], runs: &[(u64, u64)]) -> Result<Vec<Model>> {
    let mut slices = Vec::with_capacity(runs.len());
    let mut total = 0usize;
    for &(bytes, models) in runs {
        let bytes = usize::try_from(bytes)
            .ok()
            .filter(|&b| b <= body.len())
            .ok_or_else(|| anyhow!("a run of models ends past the end of the file"))?;
        // Each model takes a byte at least: a count larger than its bytes is damage, not a
        // reason to reserve memory.
        let models = usize::try_from(models)
            .ok()
            .filter(|&n| n <= bytes)
            .ok_or_else(|| anyhow!("a run of models counts more models than it has bytes"))?;
        let (run, rest) = body.split_at(bytes);
        slices.push((run, models));
        total += models;
        body = rest;
    }
    if !body.is_empty() {
        return Err(anyhow!("{} bytes after the last run of models", body.len()));
    }
    let mut models: Vec<Model> = Vec::with_capacity(total);
    // Each run's slots, in order; the threads take contiguous runs of them.
    let mut work = Vec::with_capacity(slices.len());
    let mut spare = &mut models.spare_capacity_mut()[..total];
    for &(run, n) in &slices {
        let (slots, rest) = std::mem::take(&mut spare).split_at_mut(n);
        work.push(std::sync::Mutex::new((run, slots)));
        spare = rest;
    }
    let threads = schema::cores_up_to(work.len());
    let decoded = schema::on_runs(&work, threads, |_, part| {
        part.iter().try_for_each(|w| {
            let mut w = w.lock().unwrap_or_else(|e| e.into_inner());
            let (run, slots) = &mut *w;
            text::fill_static(run, text::Origin::Loaded, slots)
        })
    });
    drop(work);
    decoded.into_iter().collect::<postcard::Result<()>>()?;
    // SAFETY: every run filled each of its slots (`fill_static` is Ok only then), and the runs'
    // slots are the first `total` of the spare capacity, in order.
    unsafe { models.set_len(total) };
    Ok(models)
}

/// Sets each entry's origin to its file's name.
fn tag<T: Entry>(entries: &mut [T], files: &[u32], origin: impl Fn(u32) -> Text) {
    for (i, e) in entries.iter_mut().enumerate() {
        *e.origin_mut() = origin(files.get(i).copied().unwrap_or(0));
    }
}

/// Reads catalog paths: TOML texts to check, and compiled catalogs (recognized by their first
/// bytes) decoded as they are.
#[allow(clippy::type_complexity)]
fn read_sources(
    paths: &[PathBuf],
) -> Result<(Vec<(String, &'static str)>, Vec<(String, Compiled)>)> {
    let mut texts = Vec::new();
    let mut compiled = Vec::new();
    for path in paths {
        if !path.is_dir() {
            // Read under the compiled form's larger limit; a TOML text keeps the catalog limit.
            let bytes = input::map_bytes(path, input::Kind::CompiledCatalog)
                .map_err(|e| e.told_as(input::Kind::Catalog))?;
            let name = path.display().to_string();
            let is_compiled = bytes.starts_with(COMPILED_ANY);
            if !is_compiled && bytes.len() as u64 > input::Kind::Catalog.limit() {
                return Err(input::InputError::TooLarge {
                    kind: input::Kind::Catalog,
                    path: path.clone(),
                }
                .into());
            }
            if is_compiled && !bytes.starts_with(COMPILED_MAGIC) {
                return Err(anyhow!(
                    "{name} was compiled by another version or build of pick (another format version or catalog schema): compile it again with `pick catalog compile`"
                ));
            }
            if is_compiled {
                // Kept for the rest of the run, so that its strings are borrowed, not copied:
                // loading a large compiled catalog is then little more than reading it.
                let bytes = bytes.leak();
                let body = &bytes[COMPILED_MAGIC.len()..];
                let damaged = |e: &dyn std::fmt::Display| {
                    anyhow!("{name}: the compiled catalog is damaged ({e}): compile it again with `pick catalog compile`")
                };
                let (mut c, runs): (Compiled, _) =
                    text::take_static(body, text::Origin::Loaded).map_err(|e| damaged(&e))?;
                if c.pick_version != env!("CARGO_PKG_VERSION") {
                    return Err(anyhow!(
                        "{name} was compiled by pick {} (this is {}): compile it again with `pick catalog compile`",
                        c.pick_version,
                        env!("CARGO_PKG_VERSION")
                    ));
                }
                c.entries.model =
                    decode_model_runs(runs, &c.model_runs).map_err(|e| damaged(&e))?;
                compiled.push((name, c));
                continue;
            }
            let text = input::TextFile::new(bytes).ok_or_else(|| {
                anyhow!("{name} is neither a TOML catalog (UTF-8 text) nor a compiled one")
            })?;
            texts.push((name, text.leak()));
            continue;
        }
        texts.extend(read_paths(std::slice::from_ref(path))?);
    }
    Ok((texts, compiled))
}

/// Reads catalog files: each path is a .toml file or a folder searched for them (sorted). Every
/// read goes through `input` (regular files only, 64 MiB each); a folder walk enters no symlinked
/// folder and skips FIFOs and devices. The texts are kept for the rest of the process (what is read
/// from them borrows them).
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<(String, &'static str)>> {
    let mut out = Vec::new();
    for path in paths {
        let mut files = Vec::new();
        if path.is_dir() {
            files = collect_toml(path)
                .with_context(|| format!("cannot read catalog folder {}", path.display()))?;
            files.sort();
            if files.is_empty() {
                return Err(anyhow!(
                    "catalog folder {} holds no .toml file",
                    path.display()
                ));
            }
        } else {
            files.push(path.clone());
        }
        for f in files {
            let text = input::map_text(&f, input::Kind::Catalog)?;
            out.push((f.display().to_string(), text.leak()));
        }
    }
    Ok(out)
}

/// The .toml files under `dir`: symlinks to files count (a catalog may be assembled from links),
/// symlinked folders are not entered.
fn collect_toml(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let options = input::WalkOptions {
        skip_dirs: &[],
        file_links: true,
    };
    Ok(input::walk(dir, &options)?
        .files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each model's cheapest offer is the first of its offers sorted by price at the ratio, then
    /// provider; a model with no offer has none.
    #[test]
    fn the_cheapest_offer_is_the_first_by_price_then_provider() {
        let c = Catalog::embedded();
        for ratio in [0.0, 1.0, 3.0, 10.0] {
            let cheapest = c.cheapest_offers(ratio);
            let mut offered = 0;
            for m in c.models.iter() {
                let mut offers: Vec<(&Serverless, f64)> = c
                    .serverless
                    .iter()
                    .filter(|s| s.model == m.id)
                    .map(|s| (s, s.price_output_per_m + ratio * s.price_input_per_m))
                    .collect();
                offers.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.provider.cmp(&b.0.provider)));
                let got = cheapest.get(m.id.as_str());
                assert_eq!(
                    got.map(|(s, cost)| (s.provider.as_str(), *cost)),
                    offers.first().map(|(s, cost)| (s.provider.as_str(), *cost)),
                    "{} at {ratio}",
                    m.id
                );
                offered += usize::from(got.is_some());
            }
            assert!(offered > 10, "{offered} models offered per token");
            assert_eq!(offered, cheapest.len(), "every offer names a catalog model");
        }
    }

    /// A compiled catalog's models, encoded in runs, decode on the cores into the same models in
    /// the same order; a run whose count or bytes disagree with the header is damage, not a
    /// shorter list (or memory reserved on its word).
    #[test]
    fn model_runs_decode_to_the_models_in_order() {
        // As encoded: without the fields a compiled catalog does not hold (set when loading).
        let models: Vec<Model> = Catalog::embedded()
            .models
            .iter()
            .take(11)
            .map(|m| Model {
                origin: Text::default(),
                at: 0,
                ..m.clone()
            })
            .collect();
        let encode = |runs: &[&[Model]]| -> (&'static [u8], Vec<(u64, u64)>) {
            let mut bytes = Vec::new();
            let mut header = Vec::new();
            for run in runs {
                let b = postcard::to_allocvec(run).unwrap();
                header.push((b.len() as u64, run.len() as u64));
                bytes.extend(b);
            }
            (bytes.leak(), header)
        };
        let debug = |m: &[Model]| format!("{m:?}");
        for size in [1, 3, 4, 11] {
            let runs: Vec<&[Model]> = models.chunks(size).collect();
            let (body, header) = encode(&runs);
            let decoded = decode_model_runs(body, &header).unwrap();
            assert_eq!(debug(&decoded), debug(&models), "runs of {size}");
        }
        let runs: Vec<&[Model]> = models.chunks(4).collect();
        let (body, header) = encode(&runs);
        let mut more = header.clone();
        more[1].1 += 1;
        let mut fewer = header.clone();
        fewer[2].1 -= 1;
        let mut huge = header.clone();
        huge[0].1 = u64::MAX;
        let mut short = header.clone();
        short[2].0 -= 1;
        for (what, h) in [
            ("more", more),
            ("fewer", fewer),
            ("huge", huge),
            ("short", short),
        ] {
            assert!(decode_model_runs(body, &h).is_err(), "{what}");
        }
        // Bytes after the last run, or a run past the end.
        assert!(decode_model_runs(body, &header[..2]).is_err());
        assert!(decode_model_runs(&body[..body.len() - 1], &header).is_err());
    }

    /// Runs cover every item once, in order, each told its first item's index, whatever the
    /// number of threads (more threads than items included).
    #[test]
    fn runs_cover_the_items_in_order() {
        let items: Vec<u32> = (0..1001).map(|i| i * 7 % 1001).collect();
        for threads in [1, 2, 3, 8, 2000] {
            let runs = on_runs(&items, threads, |start, run| {
                (start..).zip(run).map(|(i, x)| (i, *x)).collect::<Vec<_>>()
            });
            assert_eq!(runs.len(), threads.min(items.len()), "{threads} threads");
            let flat: Vec<(usize, u32)> = runs.into_iter().flatten().collect();
            let expected: Vec<(usize, u32)> = items.iter().copied().enumerate().collect();
            assert_eq!(flat, expected, "{threads} threads");
            assert_eq!(
                in_runs(&items, threads, |x| x + 1),
                items.iter().map(|x| x + 1).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn embedded_catalog_is_valid() {
        let problems = check_embedded();
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            problems.is_empty(),
            "{} problem(s):\n{}",
            problems.len(),
            list.join("\n")
        );
    }

    #[test]
    fn embedded_statics_are_the_toml_sources() {
        // The statics build.rs wrote and the catalog read from the TOML text now must be the same
        // catalog, field by field (Debug prints every field), entry by entry, in the same order.
        let fast = Catalog::embedded();
        let mut slow = Catalog::default();
        for (name, text) in embedded_sources() {
            let (doc, problems) = read_file(name, text);
            assert!(problems.is_empty(), "{problems:?}");
            slow.absorb(Catalog::gathered(vec![(Text::from(*name), doc)]));
        }
        // Where an entry starts in its file (`at`) is known only to the TOML reader.
        fn same<T: Clone + std::fmt::Debug>(fast: &[T], slow: &[T], unplace: impl Fn(&mut T)) {
            assert_eq!(fast.len(), slow.len());
            assert!(!fast.is_empty());
            for (a, b) in fast.iter().zip(slow) {
                let mut b = b.clone();
                unplace(&mut b);
                assert_eq!(format!("{a:?}"), format!("{b:?}"));
            }
        }
        same(&fast.families, &slow.families, |e| e.at = 0);
        same(&fast.models, &slow.models, |e| e.at = 0);
        same(&fast.licenses, &slow.licenses, |e| e.at = 0);
        same(&fast.gpus, &slow.gpus, |e| e.at = 0);
        same(&fast.serverless, &slow.serverless, |e| e.at = 0);
        assert_eq!(fast.as_of, slow.as_of);
        let rows: usize = fast.models.iter().map(|m| m.evidence.len()).sum();
        assert!(rows > 4_000, "{rows} evidence rows");
    }

    #[test]
    fn lookup_by_repo_id_is_case_insensitive_and_ignores_revisions() {
        let c = Catalog::embedded();
        let m = c.model("META-LLAMA/llama-3.1-8b-instruct@0e9e39f").unwrap();
        assert_eq!(m.id, "llama-3.1-8b");
        assert!(c
            .model("https://huggingface.co/meta-llama/Llama-3.1-8B")
            .is_some());
    }

    #[test]
    fn scanning_finds_what_the_index_finds() {
        let c = Catalog::embedded();
        let mut references = vec!["nonexistent/model".to_string(), String::new()];
        for m in &c.models {
            references.push(m.id.to_string());
            references.push(m.id.to_ascii_uppercase());
            references.extend(m.checkpoints.iter().map(|k| k.hf_repo.to_string()));
            references.extend(m.aliases.iter().map(|a| a.to_ascii_uppercase()));
        }
        assert!(references.len() > 3 * c.models.len());
        let index = c.index();
        for r in &references {
            let key = normalize_ref(r);
            let indexed = index
                .get(key.as_str())
                .or_else(|| index.get(key.to_ascii_lowercase().as_str()))
                .copied();
            let scanned = c.scan(&key).or_else(|| c.scan(&key.to_ascii_lowercase()));
            assert_eq!(scanned, indexed, "{r}");
        }
        // Lookups before and after the index is built agree too.
        let fresh = Catalog::embedded();
        for r in references.iter().cycle().take(40) {
            assert_eq!(
                fresh.model(r).map(|m| &m.id),
                c.model(r).map(|m| &m.id),
                "{r}"
            );
        }
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(Date::parse("2024-07-23").unwrap().to_string(), "2024-07-23");
        assert!(Date::parse("2024-02-30").is_none());
        assert!(Date::parse("2024-13-01").is_none());
        assert!(Date::parse("24-01-01").is_none());
        assert_eq!(Date::parse("1970-01-02").unwrap().days(), 1);
        // TOML datetimes: the date part counts.
        for ok in [
            "2027-03-31T00:00:00",
            "2027-03-31 23:59:60",
            "2027-03-31t10:00:00z",
            "2027-03-31T10:00:00.123456Z",
            "2027-03-31T10:00:00+02:00",
            "2027-03-31 10:00:00-05:30",
        ] {
            assert_eq!(
                Date::parse(ok).map(|d| d.to_string()).as_deref(),
                Some("2027-03-31"),
                "{ok}"
            );
        }
        for bad in [
            "2027-03-31 or so",
            "2027-03-31 ",
            "2027-03-31T",
            "2027-03-31x",
            "2027-03-31T24:00:00",
            "2027-03-31T10:00",
            "2027-03-31T10:00:00.",
            "2027-03-31T10:00:00+2:00",
            "2027-03-31T10:00:00+02:00 ",
            "2027-03-31T10:00:00Zulu",
            "+027-03-31",
            "2027-3-31",
            "2027/03/31",
            "２０２７-03-31",
            "",
        ] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
    }

    /// A synthetic API model entry (small, valid).
    fn api_entry(i: usize, extra: &str) -> String {
        format!(
            "[[model]]\nid = \"m-{i}\"\nname = \"M {i}\"\nvendor = \"V\"\nfamily = \"gpt-5\"\nweights = \"api\"\nreleased = 2025-01-01\nlicense = \"api-openai\"\nmodalities = [\"text\"]\ncontext_tokens = 8192\n{extra}price_input_per_m = 1.0\nprice_output_per_m = 2.0\nprice_as_of = 2025-01-01\n[model.sources]\nprice = \"https://example.org\"\n\n"
        )
    }

    #[test]
    fn large_files_read_in_pieces_like_one_document() {
        // 400 entries (read in pieces on every core), the 150th with an unknown key.
        let text: String = (0..400)
            .map(|i| api_entry(i, if i == 150 { "colour = 1\n" } else { "" }))
            .collect();
        let (doc, problems) = read_file("big.toml", &text);
        assert_eq!(doc.model.len(), 399);
        assert_eq!(doc.model[0].id, "m-0");
        assert_eq!(doc.model[398].id, "m-399");
        assert_eq!(problems.len(), 1, "{problems:?}");
        let line = text[..text.find("colour").unwrap()].matches('\n').count() + 1;
        assert_eq!(problems[0].line, Some(line), "{problems:?}");
        // Entry offsets point into the whole file.
        assert!(text[doc.model[398].at..].starts_with("[[model]]\nid = \"m-399\""));
    }

    #[test]
    fn a_header_inside_a_string_falls_back_to_one_document() {
        let mut text: String = (0..300).map(|i| api_entry(i, "")).collect();
        text.push_str(&api_entry(
            300,
            "notes = \"\"\"\n[[model]]\nnot a header\n\"\"\"\n",
        ));
        let (doc, problems) = read_file("big.toml", &text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(doc.model.len(), 301);
        assert!(doc.model[300]
            .notes
            .as_deref()
            .unwrap()
            .contains("[[model]]"));
    }

    #[test]
    fn the_stored_ratings_are_the_ratings_fitted_now() {
        use crate::capability::{rate, Axis, BUILDING_ON};
        {
            let c = Catalog::embedded();
            for axis in Axis::ALL {
                for on in BUILDING_ON {
                    assert!(c.stored_ratings(axis, on).is_some(), "{axis:?} {on:?}");
                    let stored = c.ratings(axis, on);
                    let fitted = rate(&c.models, &c.families, axis, on);
                    assert_eq!(stored.models, fitted.models, "{axis:?} {on:?}");
                    assert_eq!(stored.strongest, fitted.strongest);
                    for i in 0..c.models.len() {
                        assert_eq!(stored.figures(i), fitted.figures(i), "{}", c.models[i].id);
                    }
                }
            }
        }
        // Merged with anything, the catalog is rated afresh.
        let mut merged = Catalog::embedded();
        merged.absorb(Catalog::default());
        assert!(merged.stored_ratings(Axis::General, None).is_none());
    }

    #[test]
    fn many_files_read_together_as_each_alone() {
        // A large file (in pieces), small ones (whole), one with a broken piece (re-read whole,
        // its syntax errors authoritative) and an empty one, shared out among threads together.
        let big: String = (0..600)
            .map(|i| api_entry(i, if i == 450 { "colour = 1\n" } else { "" }))
            .collect();
        let small: String = (1000..1003).map(|i| api_entry(i, "")).collect();
        let mut broken: String = (2000..2300).map(|i| api_entry(i, "")).collect();
        broken.push_str("[[model]]\nid = \"unterminated\n");
        let files: Vec<(String, &'static str)> = [big, small.clone(), broken, String::new(), small]
            .into_iter()
            .enumerate()
            .map(|(i, t)| (format!("f{i}.toml"), &*t.leak()))
            .collect();
        let together = read_files(&files);
        assert_eq!(together.len(), files.len());
        for ((name, text), (doc, problems)) in files.iter().zip(&together) {
            let (alone, alone_problems) = read_file(name, text);
            let ids = |d: &CatalogFile| {
                d.model
                    .iter()
                    .map(|m| (m.id.clone(), m.at))
                    .collect::<Vec<_>>()
            };
            assert_eq!(ids(doc), ids(&alone), "{name}");
            assert_eq!(problems, &alone_problems, "{name}");
        }
        assert_eq!(together[0].0.model.len(), 599);
        assert_eq!(together[1].0.model.len(), 3);
        assert!(
            together[2].0.model.is_empty(),
            "a file with a syntax error has no entries"
        );
        assert!(!together[2].1.is_empty());
    }
}
