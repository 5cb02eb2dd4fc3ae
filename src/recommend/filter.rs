//! The filters that need no sizing: weights and lifecycle, checkpoints, class, modality, context,
//! serving engine and fine-tuning framework, and a teacher's terms on its students. Each failed
//! filter is a `fail` finding.

use super::*;

/// Filters that do not need sizing: weights, class, modality, context, tooling.
pub(super) fn filter_model(catalog: &Catalog, q: &Query, m: &Model, fails: &mut Vec<Finding>) {
    let mut fail = |code: Code, message: &dyn Fn() -> String| fails.push(q.fail(code, message));
    match m.weights {
        Weights::None => fail(Code::NoWeights, &|| {
            format!(
                "{} was announced but its weights were never released",
                m.name
            )
        }),
        Weights::Api if !q.include_api => fail(Code::ApiOnly, &|| {
            "API only: no weights to self-host (add --include-api to compare)".into()
        }),
        _ => {}
    }
    if let Some(purpose) = &m.specialized {
        fail(Code::SpecializedModel, &|| {
            format!("specialized: {purpose}; not ranked as a model to build on")
        });
    }
    if m.status_on(q.today) == Status::Retired {
        fail(Code::ModelRetired, &|| {
            let successor = m
                .superseded_by
                .as_deref()
                .map_or(String::new(), |s| format!(" (successor {s})"));
            match (m.status, m.status_date) {
                (Status::Deprecated, Some(d)) => format!(
                    "retired: shut down on {d}, the date its deprecation announced{successor}"
                ),
                _ => format!(
                    "retired{}{successor}: no longer served or supported",
                    m.status_date.map_or(String::new(), |d| format!(" on {d}")),
                ),
            }
        });
    }
    if m.weights == Weights::Open {
        match q.checkpoint {
            Some(CheckpointKind::Base) if !m.base_released() => {
                fail(Code::NoBaseCheckpoint, &|| {
                    "no base (pre-trained) checkpoint was released (--checkpoint base)".into()
                })
            }
            Some(kind @ (CheckpointKind::Instruct | CheckpointKind::Reasoning))
                if m.checkpoint(CheckpointKind::Instruct).is_none()
                    && m.checkpoint(CheckpointKind::Reasoning).is_none() =>
            {
                fail(Code::NoInstructCheckpoint, &|| {
                    format!(
                        "no post-trained checkpoint was released (--checkpoint {})",
                        kind.as_str()
                    )
                })
            }
            _ => {}
        }
    }
    if let Some(class) = q.class {
        if m.weights != Weights::Api && !m.architecture.is_some_and(|a| a.matches(class)) {
            fail(Code::ClassMismatch, &|| {
                format!(
                    "{} model, --class {} asked",
                    m.architecture.map_or("unknown", ArchClass::as_str),
                    class.as_str()
                )
            });
        }
    }
    if let Some(modality) = &q.modality {
        if !m.has_modality(*modality) {
            fail(Code::ModalityMissing, &|| {
                format!(
                    "inputs are {}, no {}",
                    Modality::join(&m.modalities, "+"),
                    modality.as_str()
                )
            });
        }
    }
    // The context served is a minimum whether it was given or is the default: a model cannot
    // serve (or train on) sequences longer than it handles.
    if m.weights != Weights::None {
        let min = q.fit.context;
        let usable = m.context_usable_tokens.unwrap_or(m.context_tokens);
        if usable < min {
            let claim = if usable == m.context_tokens {
                String::new()
            } else {
                format!(" (claims {})", m.context_tokens)
            };
            fail(Code::ContextTooShort, &|| {
                format!("usable context {usable} tokens{claim} < {min} asked")
            });
        }
    }
    if m.weights == Weights::Open {
        if let Some(engine) = &q.engine {
            match catalog.serving(m, engine) {
                Some(Support::Full | Support::Partial | Support::Community) => {}
                Some(Support::None) => fail(Code::EngineUnsupported, &|| {
                    format!("{engine} does not support it")
                }),
                None => fail(Code::EngineUnsupported, &|| {
                    format!("{engine} support is not recorded in the catalog")
                }),
            }
        }
        if let Some(tool) = &q.finetune_with {
            match catalog.finetune(m, tool) {
                Some(Support::Full | Support::Partial | Support::Community) => {}
                Some(Support::None) => fail(Code::FinetuneUnsupported, &|| {
                    format!("{tool} does not support it")
                }),
                None => fail(Code::FinetuneUnsupported, &|| {
                    format!("{tool} support is not recorded in the catalog")
                }),
            }
        }
    }
}

/// Whether the teacher can still generate outputs: a warning when it is retired (its terms still
/// bind the outputs collected before) or being shut down (they can be generated until then).
pub(super) fn teacher_lifecycle(teacher: &Model, today: Date) -> Option<Finding> {
    match (teacher.status_on(today), teacher.status_date) {
        (Status::Retired, date) => Some(Finding::new(
            Code::ModelRetired,
            Level::Warn,
            format!(
                "teacher {} retired{}: it generates no new outputs; its terms still bind the outputs collected before",
                teacher.id,
                date.map_or(String::new(), |d| format!(" on {d}"))
            ),
        )),
        (Status::Deprecated, date) => Some(Finding::new(
            Code::ModelDeprecated,
            Level::Warn,
            format!(
                "teacher {} deprecated: outputs can be generated until its shutdown{}",
                teacher.id,
                date.map_or(String::new(), |d| format!(" {}", shutdown_on(d, today)))
            ),
        )),
        _ => None,
    }
}

/// `--teacher`: whether `m` can be a student of `teacher` and the terms it inherits: the teacher's
/// own failing findings (a ban on training with its outputs excludes every student), then the
/// student's inherited license terms.
pub(super) fn teacher_terms(
    catalog: &Catalog,
    q: &Query,
    teacher: &Model,
    teacher_findings: &[Finding],
    m: &Model,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if m.id == teacher.id {
        out.push(Finding::new(
            Code::NotAStudent,
            Level::Fail,
            "the teacher itself",
        ));
    } else if m.weights != Weights::Open {
        out.push(Finding::new(
            Code::NotAStudent,
            Level::Fail,
            "no weights to train: a student is an open-weight model",
        ));
    } else if teacher.params_total_b > 0.0 && m.params_total_b >= teacher.params_total_b {
        out.push(Finding::new(
            Code::NotAStudent,
            Level::Fail,
            format!(
                "{}B parameters, not smaller than the teacher {} ({}B): nothing to distill into",
                m.params_total_b, teacher.id, teacher.params_total_b
            ),
        ));
    }
    out.extend(
        teacher_findings
            .iter()
            .filter(|f| f.level == Level::Fail)
            .cloned(),
    );
    out.extend(license::student_terms(
        catalog, teacher, m, &q.usage, &q.allow,
    ));
    out
}
