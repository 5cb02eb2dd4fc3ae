//! License clauses, one test per clause kind, each quoting the clause it checks and where the
//! text was read. The catalog entries carry the same quotes (`catalog/licenses.toml`).

use super::*;
use crate::catalog::Model;

fn catalog() -> Catalog {
    Catalog::embedded()
}

fn fails(c: &Catalog, m: &Model, u: &Usage) -> Vec<&'static str> {
    evaluate(c, m, u, &Allow::any())
        .into_iter()
        .filter(|f| f.level == Level::Fail)
        .map(|f| f.code.as_str())
        .collect()
}

fn codes(c: &Catalog, id: &str, u: &Usage) -> Vec<&'static str> {
    fails(c, c.model(id).unwrap(), u)
}

fn at(c: &Catalog, id: &str, u: &Usage, code: Code) -> Vec<Finding> {
    evaluate(c, c.model(id).unwrap(), u, &Allow::any())
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}

/// A catalog model under another license: the catalog has no Llama 2 / 3 or Tongyi Qianwen
/// model, their license terms are checked on a stand-in.
fn under(c: &Catalog, id: &str, license: &str) -> Model {
    let mut m = c.model(id).unwrap().clone();
    m.license = license.into();
    m.also_bound_by.clear();
    m
}

#[test]
fn llama_and_dbrx_thresholds_bind_whatever_the_use_and_count_affiliates() {
    // Llama 3.1 §2 (github.com/meta-llama/llama-models, models/llama3_1/LICENSE): "If, on the
    // Llama 3.1 version release date, the monthly active users of the products or services made
    // available by or for Licensee, or Licensee’s affiliates, is greater than 700 million monthly
    // active users in the preceding calendar month, you must request a license from Meta, [...]
    // and you are not authorized to exercise any of the rights under this Agreement".
    let c = catalog();
    let research_at_a_giant = Usage {
        group_mau: Some(800_000_000),
        ..Usage::research()
    };
    assert_eq!(
        codes(&c, "llama-3.1-70b", &research_at_a_giant),
        ["license-mau-limit"],
        "no rights at all above the threshold, research included"
    );
    let f = &at(
        &c,
        "llama-3.1-70b",
        &research_at_a_giant,
        Code::LicenseMauLimit,
    )[0];
    assert!(
        f.message.contains("whatever the use")
            && f.message.contains("2024-07-23")
            && f.message.contains("Licensee’s affiliates"),
        "{}",
        f.message
    );
    // The product is small, the group is not: the group is what §2 counts.
    let small_product = Usage {
        mau: Some(5_000_000),
        group_mau: Some(900_000_000),
        ..Usage::default()
    };
    assert_eq!(
        codes(&c, "llama-3.1-8b", &small_product),
        ["license-mau-limit"]
    );
    // The product's users are a lower bound of the group's.
    let big_product = Usage {
        mau: Some(800_000_000),
        ..Usage::default()
    };
    assert_eq!(
        codes(&c, "llama-3.1-8b", &big_product),
        ["license-mau-limit"]
    );
    // DBRX §3 (github.com/databricks/dbrx, LICENSE): the same words, "on the DBRX version release
    // date", for "Licensee, or Licensee’s affiliates".
    assert_eq!(
        codes(&c, "dbrx", &research_at_a_giant),
        ["license-mau-limit"]
    );
}

#[test]
fn qwen_threshold_is_commercial_only_and_per_product() {
    // Qwen LICENSE AGREEMENT §4 (huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE): "If
    // you are commercially using the Materials, and your product or service has more than 100
    // million monthly active users, you shall request a license from us."
    let c = catalog();
    let big = Usage {
        mau: Some(150_000_000),
        ..Usage::default()
    };
    assert_eq!(codes(&c, "qwen2.5-72b", &big), ["license-mau-limit"]);
    let research = Usage {
        mau: Some(150_000_000),
        ..Usage::research()
    };
    assert!(
        codes(&c, "qwen2.5-72b", &research).is_empty(),
        "commercial use only"
    );
    let group_only = Usage {
        mau: Some(5_000_000),
        group_mau: Some(150_000_000),
        ..Usage::default()
    };
    assert!(
        codes(&c, "qwen2.5-72b", &group_only).is_empty(),
        "the product's users count, not the group's"
    );
}

#[test]
fn revenue_cut_off_of_mistral_modified_mit() {
    // Mistral's modified MIT (huggingface.co/mistralai/Devstral-2-123B-Instruct-2512, LICENSE, as
    // quoted by simonwillison.net 2025-12-09): "You are not authorized to exercise any rights under
    // this license if the global consolidated monthly revenue of your company (or that of your
    // employer) exceeds $20 million".
    let c = catalog();
    let m = under(&c, "mistral-7b-v0.3", "mistral-modified-mit");
    let u = Usage {
        revenue_usd_month: Some(25_000_000),
        ..Usage::research()
    };
    assert_eq!(fails(&c, &m, &u), ["license-mau-limit"]);
    let small = Usage {
        revenue_usd_month: Some(2_000_000),
        ..Usage::default()
    };
    assert!(fails(&c, &m, &small).is_empty());
}

#[test]
fn display_duties_apply_to_commercial_products_only() {
    // Kimi K2 modified MIT (github.com/MoonshotAI/Kimi-K2, LICENSE): "if the Software [...] is used
    // for any of your commercial products or services that have more than 100 million monthly
    // active users, or more than 20 million US dollars [...] in monthly revenue, you shall
    // prominently display "Kimi K2" on the user interface of such product or service."
    let c = catalog();
    let big = Usage {
        mau: Some(150_000_000),
        ..Usage::default()
    };
    assert!(codes(&c, "kimi-k2", &big).is_empty(), "a duty, not a ban");
    let shown = at(&c, "kimi-k2", &big, Code::LicenseAttribution);
    assert!(
        shown[0].message.contains("\"Kimi K2\""),
        "{}",
        shown[0].message
    );
    let rich = Usage {
        revenue_usd_month: Some(30_000_000),
        ..Usage::default()
    };
    assert_eq!(at(&c, "kimi-k2", &rich, Code::LicenseAttribution).len(), 1);
    let research = Usage {
        mau: Some(150_000_000),
        ..Usage::research()
    };
    assert!(
        at(&c, "kimi-k2", &research, Code::LicenseAttribution).is_empty(),
        "research is not a commercial product"
    );
}

#[test]
fn use_and_licensee_read_in_each_license_own_definitions() {
    let c = catalog();
    let by = |purpose, licensee| Usage {
        purpose,
        licensee,
        ..Usage::default()
    };
    // Mistral AI Research License §9 (mistral.ai/licenses/MRL-0.1.md): "Research Purposes does not
    // include (1) any usage [...] by individuals or contractors employed in or engaged by
    // companies in the context of (a) their daily tasks, or (b) any activity (including but not
    // limited to any testing or proof-of-concept) that is intended to generate revenue".
    for (u, who, ok) in [
        (Use::Research, Licensee::Academic, true),
        (Use::Research, Licensee::Individual, true),
        (Use::Research, Licensee::Company, false),
        (Use::Poc, Licensee::Academic, false),
        (Use::Production, Licensee::Nonprofit, false),
    ] {
        let got = codes(&c, "mistral-large-2407", &by(u, who));
        assert_eq!(got.is_empty(), ok, "MRL {u:?} by {who:?}: {got:?}");
    }
    // Qwen RESEARCH LICENSE §1(i) (huggingface.co/Qwen/Qwen2.5-3B/blob/main/LICENSE):
    // "'Non-Commercial' shall mean for research or evaluation purposes only." Anyone may evaluate.
    assert!(codes(&c, "qwen2.5-3b", &by(Use::Evaluation, Licensee::Company)).is_empty());
    assert_eq!(
        codes(&c, "qwen2.5-3b", &by(Use::Poc, Licensee::Company)),
        ["license-non-commercial"]
    );
    // Mistral AI Non-Production License §3.2 (mistral.ai/licenses/MNPL-0.1.md, quoted by
    // simonwillison.net 2024-05-29): "for testing, research, Personal, or evaluation purposes in
    // Non-Production Environments". A company's proof of concept is fine; production is not.
    let m = under(&c, "mistral-7b-v0.3", "mistral-non-production");
    assert!(fails(&c, &m, &by(Use::Poc, Licensee::Company)).is_empty());
    assert_eq!(
        fails(&c, &m, &by(Use::Production, Licensee::Company)),
        ["license-non-commercial"]
    );
    // CC BY-NC 4.0 §1(i) (creativecommons.org/licenses/by-nc/4.0/legalcode): "NonCommercial means
    // not primarily intended for or directed towards commercial advantage or monetary
    // compensation." An academic evaluating is in; a company's evaluation is not.
    let m = under(&c, "mistral-7b-v0.3", "cc-by-nc-4.0");
    assert!(fails(&c, &m, &by(Use::Evaluation, Licensee::Academic)).is_empty());
    assert_eq!(
        fails(&c, &m, &by(Use::Evaluation, Licensee::Company)),
        ["license-non-commercial"]
    );
    let f = &evaluate(
        &c,
        &m,
        &by(Use::Evaluation, Licensee::Company),
        &Allow::any(),
    )[0];
    assert!(f.message.contains("NonCommercial means"), "{}", f.message);
}

#[test]
fn territorial_exclusions_cover_domicile_users_and_hosting() {
    let c = catalog();
    // Tencent Hunyuan Community License (github.com/Tencent-Hunyuan/Hunyuan-A13B, LICENSE): "THIS
    // LICENSE AGREEMENT DOES NOT APPLY IN THE EUROPEAN UNION, UNITED KINGDOM AND SOUTH KOREA",
    // §5(c): "You must not use, reproduce, modify, distribute, or display the Tencent Hunyuan Works,
    // Output or results of the Tencent Hunyuan Works outside the Territory." Text models included.
    let m = c
        .models
        .iter()
        .find(|m| m.license == "tencent-hunyuan-community")
        .unwrap();
    assert!(!m.is_multimodal());
    let place = |s: &str| Place::parse(s).unwrap();
    for u in [
        Usage {
            region: Some(place("fr")),
            ..Usage::default()
        },
        Usage {
            region: Some(place("us")),
            users_in: vec![place("us"), place("gb")],
            hosted_in: vec![place("us")],
            ..Usage::default()
        },
        Usage {
            region: Some(place("us")),
            users_in: vec![place("us")],
            hosted_in: vec![place("South Korea")],
            ..Usage::default()
        },
    ] {
        assert_eq!(fails(&c, m, &u), ["license-region"], "{u:?}");
    }
    let outside = Usage {
        region: Some(place("us")),
        users_in: vec![place("us"), place("jp")],
        hosted_in: vec![place("us")],
        ..Usage::default()
    };
    assert!(fails(&c, m, &outside).is_empty());
    // Nothing declared: a warning that names what to declare, not a pass in silence.
    let w = at(&c, &m.id, &Usage::default(), Code::LicenseRegion);
    assert_eq!(w[0].level, Level::Warn);
    assert!(w[0].message.contains("--users-in"), "{}", w[0].message);

    // Llama 3.2 Acceptable Use Policy (llama-models, models/llama3_2/USE_POLICY.md): "With respect
    // to any multimodal models included in Llama 3.2, the rights granted under Section 1(a) [...]
    // are not being granted to you if you are an individual domiciled in, or a company with a
    // principal place of business in, the European Union. This restriction does not apply to end
    // users". Domicile only: EU users of a US company are fine.
    let us_company_eu_users = Usage {
        region: Some(place("us")),
        users_in: vec![place("eu")],
        ..Usage::default()
    };
    assert!(codes(&c, "llama-3.2-11b-vision", &us_company_eu_users).is_empty());
    for (region, excluded) in [
        ("de", true),
        ("Ireland", true),
        ("eea", true),
        ("no", false),
    ] {
        let u = Usage {
            region: Some(place(region)),
            ..Usage::default()
        };
        let want: Vec<&str> = if excluded {
            vec!["license-region"]
        } else {
            vec![]
        };
        assert_eq!(codes(&c, "llama-3.2-11b-vision", &u), want, "{region}");
    }
    let eu = Usage {
        region: Some(Place::Eu),
        ..Usage::default()
    };
    assert!(
        codes(&c, "llama-3.2-3b", &eu).is_empty(),
        "text-only Llama 3.2"
    );
}

#[test]
fn outputs_bar_different_students() {
    let c = catalog();
    let general = Usage {
        distill: Some(Student::General),
        ..Usage::default()
    };
    let narrow = Usage {
        distill: Some(Student::Narrow),
        ..Usage::default()
    };
    // DBRX §2.3: "You will not use DBRX or DBRX Derivatives or any Output to improve any other large
    // language model (excluding DBRX or DBRX Derivatives)." A classifier is not an LLM.
    assert_eq!(codes(&c, "dbrx", &general), ["license-distill-forbidden"]);
    assert!(codes(&c, "dbrx", &narrow).is_empty());
    // Llama 3 §1.b.v (llama-models, models/llama3/LICENSE): "You will not use the Llama Materials
    // or any output or results of the Llama Materials to improve any other large language model
    // (excluding Meta Llama 3 or derivative works thereof)." Llama 3.1 dropped it.
    let llama3 = under(&c, "llama-3.1-8b", "llama3");
    assert_eq!(fails(&c, &llama3, &general), ["license-distill-forbidden"]);
    assert!(codes(&c, "llama-3.1-8b", &general).is_empty());
    // Tongyi Qianwen §5(b) (github.com/QwenLM/Qwen, "Tongyi Qianwen LICENSE AGREEMENT"): "You can
    // not use the Materials or any output therefrom to improve any other large language model".
    let tongyi = under(&c, "qwen2.5-7b", "tongyi-qianwen");
    assert_eq!(fails(&c, &tongyi, &general), ["license-distill-forbidden"]);
    // Tencent Hunyuan §5(b): "to improve any other AI model": narrow students too.
    let hunyuan = c
        .models
        .iter()
        .find(|m| m.license == "tencent-hunyuan-community")
        .unwrap();
    let outside = |u: Usage| Usage {
        region: Some(Place::parse("us").unwrap()),
        users_in: vec![Place::parse("us").unwrap()],
        hosted_in: vec![Place::parse("us").unwrap()],
        ..u
    };
    assert_eq!(
        fails(&c, hunyuan, &outside(narrow.clone())),
        ["license-distill-forbidden"]
    );
    // xAI Community License: "any foundational, large language, or general-purpose AI models".
    assert_eq!(codes(&c, "grok-2", &general), ["license-distill-forbidden"]);
    assert!(codes(&c, "grok-2", &narrow).is_empty());
    // Anthropic's Usage Policy bars training "an AI model" without qualifier; OpenAI's bars
    // models "that compete", with classifiers a Permitted Exception.
    let claude = c
        .models
        .iter()
        .find(|m| m.license == "api-anthropic")
        .unwrap();
    assert_eq!(fails(&c, claude, &narrow), ["license-distill-forbidden"]);
    let gpt = c.models.iter().find(|m| m.license == "api-openai").unwrap();
    assert!(fails(&c, gpt, &narrow).is_empty());
    assert_eq!(fails(&c, gpt, &general), ["license-distill-forbidden"]);
}

#[test]
fn a_student_is_a_derivative_only_when_trained_to_perform_similarly() {
    // Gemma Terms of Use §1.1(e) (ai.google.dev/gemma/terms, March 24, 2025): "any other machine
    // learning model which is created by transfer of patterns of the weights, parameters,
    // operations, or Output of Gemma, to that model in order to cause that model to perform
    // similarly to Gemma". DeepSeek License v1.0 (DeepSeek-V3 LICENSE-MODEL): "in order to cause the
    // other model to perform similarly to the Model".
    let c = catalog();
    for id in ["gemma-2-9b", "deepseek-v3"] {
        let general = Usage {
            distill: Some(Student::General),
            ..Usage::default()
        };
        let w = at(&c, id, &general, Code::LicenseDistillDerivative);
        assert_eq!(w.len(), 1, "{id}");
        assert!(
            w[0].message.contains("perform similarly"),
            "{}",
            w[0].message
        );
        let narrow = Usage {
            distill: Some(Student::Narrow),
            ..Usage::default()
        };
        assert!(
            at(&c, id, &narrow, Code::LicenseDistillDerivative).is_empty(),
            "{id}"
        );
    }
    // Llama 3.1 §1.b.i names the student instead: "include "Llama" at the beginning of any such
    // AI model name".
    let u = Usage {
        distill: Some(Student::Narrow),
        ..Usage::default()
    };
    let naming = at(&c, "llama-3.1-8b", &u, Code::LicenseDistillNaming);
    assert!(
        naming[0].message.contains("\"Llama\" at the beginning"),
        "{}",
        naming[0].message
    );
}

#[test]
fn hosting_needs_a_license_or_counts_as_distribution() {
    let c = catalog();
    let hosted = Usage {
        hosted: true,
        ..Usage::default()
    };
    // Falcon-180B TII License §9.3: "you are not licensed to use the Work or Derivative Work under
    // this license for Hosting Use"; §9.2: "applications and integrated end user products which use
    // the Work or Derivative Work in the background shall not be considered Hosting Use."
    let f = &at(&c, "falcon-180b", &hosted, Code::LicenseHosting)[0];
    assert_eq!(f.level, Level::Fail);
    assert!(f.message.contains("in the background"), "{}", f.message);
    // Gemma §1.1(b): Distribution includes "making Gemma or its functionality available as a hosted
    // service"; so §3.1's "include the use restrictions referenced in Section 3.2 as an enforceable
    // provision" applies to a hosted service, and the Notice file does not ("All Distributions
    // (other than through a Hosted Service)").
    let duties = at(&c, "gemma-2-9b", &hosted, Code::LicenseObligation);
    assert!(
        duties[0].message.contains("enforceable provision")
            && !duties[0].message.contains("\"Notice\" text file"),
        "{}",
        duties[0].message
    );
    let plain = at(&c, "gemma-2-9b", &Usage::default(), Code::LicenseObligation);
    assert!(!plain[0].message.contains("enforceable provision"));
    // DeepSeek §4: "You may host for Third Party remote access purposes (e.g.
    // software-as-a-service) [...] provided that" Attachment A is passed on.
    let ds = at(&c, "deepseek-v3", &hosted, Code::LicenseObligation);
    assert!(ds[0].message.contains("Attachment A"), "{}", ds[0].message);
}

#[test]
fn restricted_uses_quote_their_clause() {
    let c = catalog();
    let military = Usage {
        domains: vec![Domain::Military],
        ..Usage::default()
    };
    // DeepSeek License Attachment A: "For military use in any way;"
    let f = &at(&c, "deepseek-v3", &military, Code::LicenseUseRestricted)[0];
    assert_eq!(f.level, Level::Fail);
    assert!(
        f.message.contains("\"For military use in any way;\""),
        "{}",
        f.message
    );
    // Attachment A: "For fully automated decision making that adversely impacts an individual’s
    // legal rights or otherwise creates or modifies a binding, enforceable obligation;"
    let legal = Usage {
        domains: vec![Domain::LegalDecisions],
        ..Usage::default()
    };
    assert_eq!(codes(&c, "deepseek-v3", &legal), ["license-use-restricted"]);
    // Llama 3.1 AUP: "Military, warfare, nuclear industries or applications, espionage"; medical
    // only as "the unauthorized or unlicensed practice of any profession": a warning.
    assert_eq!(
        codes(&c, "llama-3.1-8b", &military),
        ["license-use-restricted"]
    );
    let medical = Usage {
        domains: vec![Domain::Medical],
        ..Usage::default()
    };
    let w = at(&c, "llama-3.1-8b", &medical, Code::LicenseUseRestricted);
    assert!(w.iter().all(|f| f.level == Level::Warn) && !w.is_empty());
    // Apache-2.0 restricts no use; an untranscribed AUP (Gemma's) is a warning to check it.
    assert!(at(&c, "qwen3-8b", &military, Code::LicenseUseRestricted).is_empty());
    let g = at(&c, "gemma-2-9b", &military, Code::LicenseUseRestricted);
    assert_eq!(g[0].level, Level::Warn);
    assert!(g[0].message.contains("not transcribed"), "{}", g[0].message);
}

#[test]
fn duties_are_the_ones_this_use_triggers() {
    let c = catalog();
    // Llama 3.1 §1.b.iii: "You must retain in all copies of the Llama Materials that you
    // distribute the following attribution notice within a "Notice" text file".
    let redistribute = Usage {
        redistribute: true,
        ..Usage::default()
    };
    let notice = at(&c, "llama-3.1-8b", &redistribute, Code::LicenseNotice);
    assert!(notice[0]
        .message
        .contains("Llama 3.1 is licensed under the Llama 3.1 Community License"));
    let plain = at(
        &c,
        "llama-3.1-8b",
        &Usage::default(),
        Code::LicenseObligation,
    );
    assert!(
        plain[0].message.contains("Acceptable Use Policy")
            && !plain[0].message.contains("Built with Llama"),
        "only the standing duties without distribution: {}",
        plain[0].message
    );
    // No license prints an empty notice.
    for l in &c.licenses {
        assert!(
            l.notice.as_deref().is_none_or(|n| !n.trim().is_empty()),
            "{}",
            l.id
        );
        for d in &l.duty {
            assert!(!d.text.is_empty() && !d.clause.is_empty(), "{}", l.id);
        }
    }
    // Falcon-180B §6.1: "You shall include prominently in any public statement regarding a
    // Derivative Work the following statement".
    let f = at(&c, "falcon-180b", &redistribute, Code::LicenseObligation);
    assert!(
        f[0].message.contains("built using Falcon LLM technology"),
        "{}",
        f[0].message
    );
    // MiniMax M2.1's display clause binds "any of your commercial products or services".
    let m = c
        .models
        .iter()
        .find(|m| m.license == "minimax-modified-mit-display")
        .unwrap();
    let duty = |u: &Usage| {
        evaluate(&c, m, u, &Allow::any())
            .into_iter()
            .any(|f| f.code == Code::LicenseObligation && f.message.contains("user interface"))
    };
    assert!(duty(&Usage::default()));
    assert!(!duty(&Usage::research()));
}

#[test]
fn a_pinned_revision_is_read_in_its_version() {
    // MiniMax-M2 LICENSE history (github.com/MiniMax-AI/MiniMax-M2): e27aac4 (2025-10-27) plain
    // MIT; 8bbd67e (2025-11-13) adds "you shall prominently display “MiniMax M2” on the user
    // interface" above 100M MAU or USD 30M annual recurring revenue.
    let c = catalog();
    let m = c
        .models
        .iter()
        .find(|m| m.license == "minimax-m2-modified-mit")
        .unwrap();
    let big = Usage {
        mau: Some(150_000_000),
        ..Usage::default()
    };
    let display = |rev: Option<&str>| {
        evaluate_at(&c, m, &big, &Allow::any(), rev)
            .into_iter()
            .any(|f| f.code == Code::LicenseAttribution)
    };
    assert!(display(None), "the current text");
    assert!(!display(Some("e27aac4")), "plain MIT at release");
    assert!(display(Some("8bbd67e8b2ed")));
    let v = evaluate_at(&c, m, &big, &Allow::any(), Some("e27aac4"));
    let f = v.iter().find(|f| f.code == Code::LicenseVersion).unwrap();
    assert!(
        f.message.contains("2025-10-27") && f.message.contains("`mit`"),
        "{}",
        f.message
    );
    // A revision the history does not name, for a text that changed: a warning.
    let v = evaluate_at(&c, m, &big, &Allow::any(), Some("0123456789abc"));
    assert!(v
        .iter()
        .any(|f| f.code == Code::LicenseVersion && f.level == Level::Warn));
}

#[test]
fn distills_carry_upstream_licenses() {
    let c = catalog();
    let mit = Allow::parse(&c, &["mit".into()]).unwrap();
    // R1-Distill-Llama-70B is MIT and also bound by the Llama 3.3 license.
    let m = c.model("deepseek-r1-distill-llama-70b").unwrap();
    let got: Vec<&str> = evaluate(&c, m, &Usage::default(), &mit)
        .into_iter()
        .filter(|f| f.level == Level::Fail)
        .map(|f| f.code.as_str())
        .collect();
    assert_eq!(got, ["license-not-allowed"]);
    let b = bindings(&c, m);
    assert_eq!(
        b.iter().map(|b| (b.id, b.via)).collect::<Vec<_>>(),
        [("mit", Via::Own), ("llama3.3", Via::AlsoBoundBy)]
    );
}

#[test]
fn allow_words() {
    let c = catalog();
    let a = Allow::parse(&c, &["apache,mit".into()]).unwrap();
    assert_eq!(a.licenses, vec!["apache-2.0", "mit"]);
    assert!(Allow::parse(&c, &["apachee".into()])
        .unwrap_err()
        .contains("did you mean"));
    assert!(Allow::parse(&c, &["".into()]).is_err());
}

#[test]
fn the_added_families_read_as_their_texts() {
    let c = catalog();
    let general = Usage {
        distill: Some(Student::General),
        ..Usage::default()
    };
    // Llama 2 §1.b.v (llama-models, models/llama2/LICENSE): "You will not use the Llama Materials
    // or any output or results of the Llama Materials to improve any other large language model
    // (excluding Llama 2 or derivative works thereof)." §2: 700M MAU on "the Llama 2 version
    // release date" (July 18, 2023).
    let llama2 = under(&c, "llama-3.1-8b", "llama2");
    assert_eq!(fails(&c, &llama2, &general), ["license-distill-forbidden"]);
    let giant = Usage {
        group_mau: Some(701_000_000),
        ..Usage::research()
    };
    let f = evaluate(&c, &llama2, &giant, &Allow::any());
    let mau = f.iter().find(|f| f.code == Code::LicenseMauLimit).unwrap();
    assert!(mau.message.contains("2023-07-18"), "{}", mau.message);
    // Llama 3's naming rule was "Llama 3" and "Built with Meta Llama 3" (§1.b.i).
    let llama3 = under(&c, "llama-3.1-8b", "llama3");
    let redistribute = Usage {
        redistribute: true,
        ..Usage::default()
    };
    let duties = evaluate(&c, &llama3, &redistribute, &Allow::any());
    let d = duties
        .iter()
        .find(|f| f.code == Code::LicenseObligation)
        .unwrap();
    assert!(
        d.message.contains("Built with Meta Llama 3"),
        "{}",
        d.message
    );
    // BigCode OpenRAIL-M (huggingface.co/spaces/bigcode/bigcode-model-license-agreement):
    // "enabling users of the Model on a royalty free basis to Use it, modify it, and even share
    // commercial versions of it. Use restrictions are included to prevent misuse of the Model."
    // Attachment A was not transcribed: a declared field of use is a warning to check it.
    let bigcode = under(&c, "qwen3-8b", "bigcode-openrail-m");
    assert!(fails(&c, &bigcode, &Usage::default()).is_empty());
    let medical = Usage {
        domains: vec![Domain::Medical],
        ..Usage::default()
    };
    let w: Vec<Finding> = evaluate(&c, &bigcode, &medical, &Allow::any())
        .into_iter()
        .filter(|f| f.code == Code::LicenseUseRestricted)
        .collect();
    assert_eq!(w[0].level, Level::Warn);
    // NVIDIA Open Model License: "An output is not a Derivative Model"; commercially usable.
    let nv = c
        .models
        .iter()
        .find(|m| m.license == "nvidia-open-model")
        .unwrap();
    assert!(fails(&c, nv, &general).is_empty());
}

#[test]
fn one_memo_for_a_whole_ranking_gives_each_model_what_a_fresh_one_does() {
    // `Verdicts` memoizes by license terms and by each set of a model's own licenses: shared over
    // every model of the catalog, it must answer as a memo made for that model alone.
    let c = catalog();
    let giant = Usage {
        group_mau: Some(800_000_000),
        ..Usage::default()
    };
    // In the EU the multimodal Llama 3.2 models are barred where the text-only ones are not.
    let in_eu = Usage {
        region: Some(Place::parse("fr").unwrap()),
        ..Usage::default()
    };
    for usage in [Usage::default(), Usage::research(), giant, in_eu] {
        let allow = Allow::any();
        let mut shared = Verdicts::new(&c, &usage, &allow);
        for m in c.models.iter().chain(c.models.iter().rev()) {
            let alone = Verdicts::new(&c, &usage, &allow).violations(m).to_vec();
            assert_eq!(shared.violations(m), alone, "{}", m.id);
        }
    }
    // A model with its own licenses and another with the same ones plus one more differ.
    let mut wider = c.model("qwen3-32b").unwrap().clone();
    let narrow = wider.clone();
    wider.also_bound_by = vec!["cc-by-nc-4.0".into()].into();
    let (usage, allow) = (Usage::default(), Allow::any());
    let mut shared = Verdicts::new(&c, &usage, &allow);
    let narrow = shared.violations(&narrow).to_vec();
    assert_ne!(narrow, shared.violations(&wider));
}
