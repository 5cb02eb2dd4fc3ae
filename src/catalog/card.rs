//! A model's card, resolved once: the model's own facts, with its family's filling the gaps.
//!
//! A model inherits from its family what it does not state itself: the source of each fact group,
//! the training-data facts (tokens, openness, note), the safety posture and the serving,
//! fine-tuning and quantization support levels; the release cadence is the family's alone.
//! `pick show` renders this one value both as a table and as JSON, so the two cannot disagree about
//! what a model inherits (they did: the JSON once lacked the training-data facts the table showed).

use super::{
    Catalog, DataOpenness, License, Model, Override, Sources, Support, Text, ENGINES, FINETUNERS,
    QUANTIZERS,
};

/// One tool's support level for the model; `None` when the catalog records none (unknown).
pub type ToolSupport = (&'static str, Option<Support>);

/// Why a license binds a model. Model lineage adds sources (a base model, a teacher); the names
/// are stable kebab-case words in every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// The model's own license.
    Own,
    /// Listed in the catalog's `also_bound_by`: upstream terms that still bind (a distill's base
    /// model's license).
    AlsoBoundBy,
    /// The license of a base model the weights derive from.
    Base,
    /// The terms of a teacher whose outputs trained the model.
    Teacher,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Own => "own",
            Via::AlsoBoundBy => "also-bound-by",
            Via::Base => "base",
            Via::Teacher => "teacher",
        }
    }
}

/// A license that binds the model, why, and its terms when the catalog knows them.
#[derive(Debug, Clone, Copy)]
pub struct BindingLicense<'c> {
    pub id: &'c str,
    pub via: Via,
    /// None when the catalog has no terms for it (the gate then fails closed).
    pub terms: Option<&'c License>,
}

/// Everything `pick show` says about a model, inheritance applied.
#[derive(Debug, Clone)]
pub struct ModelCard<'c> {
    /// The entry itself, for the facts a model never inherits (ids, architecture, context, ...).
    pub model: &'c Model,
    /// When the catalog's facts were last reviewed.
    pub catalog_as_of: Option<super::Date>,
    /// Its status on the day asked about (`Model::status_on`).
    pub status: super::Status,
    /// The family's display name; its id when the catalog has no such family.
    pub family_name: &'c str,
    /// Every license that binds the model: its own first, then upstream ones.
    pub licenses: Vec<BindingLicense<'c>>,
    /// A source URL per fact group: the model's own, else its family's.
    pub sources: Sources,
    pub training_tokens_t: Option<f64>,
    pub data_openness: Option<DataOpenness>,
    pub data_note: Option<&'c str>,
    pub safety: Option<&'c str>,
    pub cadence: Option<&'c str>,
    /// Support levels, every known tool in display order (`ENGINES`, `FINETUNERS`, `QUANTIZERS`).
    pub serving: Vec<ToolSupport>,
    pub finetune: Vec<ToolSupport>,
    pub quant: Vec<ToolSupport>,
    /// KV cache bytes per token in bf16, all layers, before sliding-window caps (None without an
    /// architecture).
    pub kv_bytes_per_token_bf16: Option<f64>,
    /// Set when a user catalog replaced the embedded entry.
    pub overridden: Option<&'c Override>,
}

impl Catalog {
    /// Every license binding `model`, its own first, each once, with why it binds. The one place
    /// the recommender, the gate and `pick show` learn what binds a model.
    pub fn bindings<'c>(&'c self, model: &'c Model) -> Vec<BindingLicense<'c>> {
        let mut out: Vec<BindingLicense<'c>> = Vec::new();
        let own = std::iter::once((model.license.as_str(), Via::Own));
        let upstream = model
            .also_bound_by
            .iter()
            .map(|id| (id.as_str(), Via::AlsoBoundBy));
        for (id, via) in own.chain(upstream) {
            if out.iter().all(|b| b.id != id) {
                out.push(BindingLicense {
                    id,
                    via,
                    terms: self.license(id),
                });
            }
        }
        out
    }

    /// The card of `model`, a model of this catalog, as of `today`.
    pub fn card<'c>(&'c self, model: &'c Model, today: super::Date) -> ModelCard<'c> {
        let family = self.family(&model.family);
        // The model's own value, else the family's.
        let inherit = |own: Option<&'c Text>,
                       of_family: fn(&'c super::Family) -> Option<&'c Text>| {
            own.or_else(|| family.and_then(of_family)).map(Text::as_str)
        };
        let levels = |tools: &'static [&'static str],
                      get: fn(&Catalog, &Model, &str) -> Option<Support>| {
            tools.iter().map(|t| (*t, get(self, model, t))).collect()
        };
        ModelCard {
            model,
            catalog_as_of: self.as_of,
            status: model.status_on(today),
            family_name: family.map_or(model.family.as_str(), |f| f.name.as_str()),
            licenses: self.bindings(model),
            sources: self.sources_of(model),
            training_tokens_t: model
                .training_tokens_t
                .or(family.and_then(|f| f.training_tokens_t)),
            data_openness: model.data_openness.or(family.and_then(|f| f.data_openness)),
            data_note: inherit(model.data_note.as_ref(), |f| f.data_note.as_ref()),
            safety: inherit(model.safety.as_ref(), |f| f.safety.as_ref()),
            cadence: family.and_then(|f| f.cadence.as_deref()),
            serving: levels(ENGINES, Catalog::serving),
            finetune: levels(FINETUNERS, Catalog::finetune),
            quant: levels(QUANTIZERS, Catalog::quant),
            kv_bytes_per_token_bf16: model
                .arch
                .as_ref()
                .map(|a| crate::arch::kv_layout(a).per_token() * 2.0),
            overridden: self
                .overrides
                .iter()
                .find(|o| o.kind == "model" && o.id == model.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_inherits_what_it_does_not_state() {
        let c = Catalog::embedded();
        // Llama 3.1 70B states none of these itself: they come from the Llama 3.1 family.
        let m = c.model("llama-3.1-70b").unwrap();
        let f = c.family(&m.family).unwrap();
        assert!(m.data_note.is_none() && m.safety.is_none() && m.data_openness.is_none());
        let card = c.card(m, c.as_of.unwrap());
        assert!(card.data_note.is_some() && card.safety.is_some() && card.data_openness.is_some());
        assert_eq!(card.family_name, f.name);
        assert_eq!(card.data_note, f.data_note.as_deref());
        assert_eq!(card.safety, f.safety.as_deref());
        assert_eq!(card.data_openness, f.data_openness);
        assert_eq!(card.cadence, f.cadence.as_deref());
        assert_eq!(card.sources, m.sources.or(&f.sources));
        assert_eq!(card.serving.len(), ENGINES.len());
        assert_eq!(
            card.serving[0],
            ("vllm", c.serving(m, "vllm")),
            "display order, family levels filled in"
        );
        assert!(card.serving.iter().any(|(_, s)| s.is_some()));
        assert!(card.kv_bytes_per_token_bf16.unwrap() > 0.0);
        assert!(card.overridden.is_none());
    }

    #[test]
    fn a_derived_model_lists_every_binding_license() {
        let c = Catalog::embedded();
        let card = c.card(
            c.model("deepseek-r1-distill-llama-70b").unwrap(),
            c.as_of.unwrap(),
        );
        let ids: Vec<&str> = card.licenses.iter().map(|l| l.id).collect();
        assert_eq!(ids, ["mit", "llama3.3"]);
        assert!(card.licenses.iter().all(|l| l.terms.is_some()));
    }
}
