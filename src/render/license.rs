//! License clauses in words, for `pick show`, `pick licenses` and their JSON: one wording for the
//! table and the JSON's summary fields, so the two cannot disagree (they did: the table called
//! Gemma's outputs "allowed" while the JSON said the student was a derivative).

use crate::catalog::{
    Applies, Barred, Counted, Effect, License, Licensee, Metric, ModelScope, Party, Redistribution,
    StudentDerivative, Threshold, Training, When,
};
use crate::units::human;

/// What the license grants, in words: "every use, by anyone" or "research, evaluation (individual,
/// academic, nonprofit)".
pub fn grant(l: &License) -> String {
    if l.grant.is_empty() {
        return if l.commercial {
            "every use, by anyone".into()
        } else {
            "nothing stated".into()
        };
    }
    l.grant
        .iter()
        .map(|g| {
            let uses: Vec<&str> = g.uses.iter().map(|u| u.as_str()).collect();
            if g.licensees.len() == Licensee::ALL.len() {
                format!("{} (anyone; {})", uses.join(", "), g.clause)
            } else {
                let who: Vec<&str> = g.licensees.iter().map(|u| u.as_str()).collect();
                format!("{} ({}; {})", uses.join(", "), who.join(", "), g.clause)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn amount(t: &Threshold) -> String {
    match t.metric {
        Metric::Mau => format!("{} MAU", human(t.limit)),
        Metric::RevenueUsdMonth => format!("${}/month revenue", human(t.limit)),
        Metric::RevenueUsdYear => format!("${}/year revenue", human(t.limit)),
    }
}

/// A threshold in words.
pub fn threshold(t: &Threshold) -> String {
    let whose = match t.counted {
        Counted::Product => "of the product",
        Counted::Group => "of the licensee (and affiliates where named)",
    };
    let when = match t.applies {
        Applies::AnyUse => "whatever the use",
        Applies::Commercial => "in commercial use",
    };
    let effect = match t.effect {
        Effect::NoRights => "no rights until the licensor grants a license".to_string(),
        Effect::Display => t.display.as_deref().unwrap_or("display duty").to_string(),
    };
    let counted = t.counted_before.map_or(String::new(), |d| {
        format!(", counted in the month before {d}")
    });
    format!(
        "above {} {whose}, {when}: {effect} ({}{counted})",
        amount(t),
        t.clause
    )
}

/// The no-rights thresholds, short: "700M MAU (licensee)".
pub fn limits(l: &License, effect: Effect) -> String {
    let v: Vec<String> = l
        .threshold
        .iter()
        .filter(|t| t.effect == effect)
        .map(|t| {
            let who = match t.counted {
                Counted::Product => "product",
                Counted::Group => "licensee",
            };
            let when = if t.applies == Applies::Commercial {
                ", commercial"
            } else {
                ""
            };
            format!("{} ({who}{when})", amount(t))
        })
        .collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

fn party(p: Party) -> &'static str {
    match p {
        Party::Domicile => "domicile",
        Party::Users => "users",
        Party::Hosting => "hosting",
    }
}

/// The territorial exclusions, short: "EU (domicile, multimodal)".
pub fn territories(l: &License) -> String {
    let v: Vec<String> = l
        .territory
        .iter()
        .map(|t| {
            let places = t.excluded.join(", ").to_ascii_uppercase();
            let parties: Vec<&str> = t.parties.iter().map(|p| party(*p)).collect();
            let scope = if t.models == ModelScope::Multimodal {
                ", multimodal"
            } else {
                ""
            };
            format!("{places} ({}{scope})", parties.join(", "))
        })
        .collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join("; ")
    }
}

fn barred(b: Barred) -> &'static str {
    match b {
        Barred::Llm => "other LLMs",
        Barred::GeneralPurpose => "general-purpose models",
        Barred::Any => "any other model",
        Barred::Competing => "competing models",
    }
}

/// Outputs in one word or two, the same in the table and in JSON's `outputs_training`.
pub fn outputs_word(l: &License) -> &'static str {
    let o = &l.outputs;
    match (o.training, o.student) {
        (Training::Forbidden, _) => "forbidden",
        (Training::WithinGrant, _) => "non-commercial",
        (_, StudentDerivative::Always | StudentDerivative::IfSimilar) => "derivative",
        _ if o.naming.is_some() => "allowed-with-naming",
        _ => "allowed",
    }
}

/// Outputs in a short phrase for the licenses table.
pub fn outputs_short(l: &License) -> String {
    let o = &l.outputs;
    match o.training {
        Training::Forbidden => format!("forbidden: {}", barred(o.barred.unwrap_or(Barred::Any))),
        Training::WithinGrant => "within the grant only".into(),
        Training::Allowed => match o.student {
            StudentDerivative::Always => "student is a derivative".into(),
            StudentDerivative::IfSimilar => "student performing similarly is a derivative".into(),
            StudentDerivative::Never if o.naming.is_some() => "allowed, naming duty".into(),
            StudentDerivative::Never => "allowed".into(),
        },
    }
}

/// Outputs in full, with the clause.
pub fn outputs(l: &License) -> String {
    let o = &l.outputs;
    let mut parts = vec![outputs_short(l)];
    if let Some(n) = &o.naming {
        parts.push(format!("a model trained on them must {n}"));
    }
    let clause = o
        .clause
        .as_deref()
        .map_or(String::new(), |c| format!(" ({c})"));
    format!("{}{clause}", parts.join("; "))
}

pub fn hosting(l: &License) -> String {
    let h = &l.hosting;
    let mut s = if h.allowed {
        "allowed".to_string()
    } else {
        "needs a separate license".to_string()
    };
    if h.distribution {
        s.push_str("; hosting counts as distribution (the distribution duties apply)");
    }
    if h.background_exempt {
        s.push_str("; applications using it in the background are not hosting");
    }
    if let Some(c) = &h.clause {
        s.push_str(&format!(" ({c})"));
    }
    s
}

pub fn redistribution(l: &License) -> &'static str {
    match l.redistribute_finetunes {
        Redistribution::Allowed => "allowed (with the license's notices)",
        Redistribution::NonCommercial => "within the grant only",
        Redistribution::Forbidden => "forbidden",
    }
}

pub fn when(w: When) -> &'static str {
    match w {
        When::Always => "always",
        When::Distribute => "when distributing (hosting too where it counts)",
        When::Copies => "when distributing copies",
        When::Train => "when a model trained on outputs is made available",
        When::Commercial => "in commercial use",
    }
}
