//! Score components that need more than arithmetic on the plan: ecosystem maturity from the
//! catalog's support levels.

use super::*;

pub(super) fn support_score(level: Option<Support>) -> f64 {
    match level {
        Some(Support::Full) => 1.0,
        Some(Support::Partial) => 0.6,
        Some(Support::Community) => 0.4,
        Some(Support::None) => 0.0,
        None => 0.25,
    }
}

/// Ecosystem maturity: mean support over serving engines and fine-tuning frameworks.
pub fn ecosystem(catalog: &Catalog, m: &Model) -> f64 {
    let support = catalog.support_of(m);
    let serving: f64 = ENGINES
        .iter()
        .map(|e| support_score(support.serving(e)))
        .sum();
    let tuning: f64 = FINETUNERS
        .iter()
        .map(|t| support_score(support.finetune(t)))
        .sum();
    (serving + tuning) / (ENGINES.len() + FINETUNERS.len()) as f64
}
