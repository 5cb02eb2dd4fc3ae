//! Numbers in and out, in one place below the engine and the renderers: arguments with suffixes
//! (`32k`, `128K`, `1M`, `1.5m`, `5_000_000`) and the short forms messages and tables print
//! (`700M`, `1.2k`).
//!
//! `k` means 1,000 and `m` 1,000,000, for token counts and loads alike (a "128k context" model
//! such as Llama 3.1 has 131,072 positions: write `131072` or `128Ki` for the binary form;
//! `Ki`/`Mi` multiply by 1,024 and 1,048,576).

/// Parses a non-negative whole number with an optional suffix.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let t = text.trim().replace('_', "");
    let bad = || {
        format!("`{text}` is not a count: use digits with an optional k, M, Ki or Mi suffix (e.g. 32k, 1M, 128Ki)")
    };
    let lower = t.to_ascii_lowercase();
    let (digits, mult): (&str, f64) = if let Some(d) = lower.strip_suffix("ki") {
        (d, 1024.0)
    } else if let Some(d) = lower.strip_suffix("mi") {
        (d, 1_048_576.0)
    } else if let Some(d) = lower.strip_suffix('k') {
        (d, 1e3)
    } else if let Some(d) = lower.strip_suffix('m') {
        (d, 1e6)
    } else if let Some(d) = lower.strip_suffix('b') {
        (d, 1e9)
    } else {
        (lower.as_str(), 1.0)
    };
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || digits.matches('.').count() > 1
    {
        return Err(bad());
    }
    let value: f64 = digits.parse().map_err(|_| bad())?;
    let n = value * mult;
    if !n.is_finite() || n > 1e15 {
        return Err(format!("`{text}` is too large"));
    }
    if n.fract() != 0.0 {
        return Err(format!("`{text}` is not a whole number"));
    }
    Ok(n as u64)
}

/// Parses a price in USD: a finite number above 0 and below a million (`$2.49` works too). A price
/// of 0 would make every self-hosted plan free and divide break-even loads by zero.
pub fn parse_money(text: &str) -> Result<f64, String> {
    let t = text.trim().trim_start_matches('$');
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v < 1e6 => Ok(v),
        _ => Err(format!(
            "`{text}` is not a price in USD: give a number above 0 and below 1000000 (e.g. 2.49)"
        )),
    }
}

/// 700000000 → "700M".
pub fn human(n: u64) -> String {
    match n {
        n if n >= 1_000_000_000 && n % 100_000_000 == 0 => format!("{}B", n as f64 / 1e9),
        n if n >= 1_000_000 && n % 100_000 == 0 => format!("{}M", n as f64 / 1e6),
        n if n >= 1_000 && n % 100 == 0 => format!("{}k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

/// 1234567 → "1.2M", for throughput and loads in tables.
pub fn short(v: f64) -> String {
    match v {
        v if !v.is_finite() => "-".into(),
        v if v >= 1e9 => format!("{:.1}B", v / 1e9),
        v if v >= 1e6 => format!("{:.1}M", v / 1e6),
        v if v >= 1e4 => format!("{:.0}k", v / 1e3),
        v if v >= 1e3 => format!("{:.1}k", v / 1e3),
        v => format!("{v:.0}"),
    }
}

/// The prompt share of a price per generated token, in words: "3 input tokens per generated
/// token" (`--input-ratio`).
pub fn input_per_output(ratio: f64) -> String {
    format!(
        "{ratio} input token{} per generated token",
        if ratio == 1.0 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_input_token_is_singular() {
        assert_eq!(input_per_output(1.0), "1 input token per generated token");
        assert_eq!(input_per_output(3.0), "3 input tokens per generated token");
        assert_eq!(
            input_per_output(0.5),
            "0.5 input tokens per generated token"
        );
    }

    #[test]
    fn suffixes() {
        assert_eq!(parse_count("32k"), Ok(32_000));
        assert_eq!(parse_count("128K"), Ok(128_000));
        assert_eq!(parse_count("128Ki"), Ok(131_072));
        assert_eq!(parse_count("1M"), Ok(1_000_000));
        assert_eq!(parse_count("1.5m"), Ok(1_500_000));
        assert_eq!(parse_count("5_000_000"), Ok(5_000_000));
        assert_eq!(parse_count("0"), Ok(0));
    }

    #[test]
    fn prices_are_finite_and_positive() {
        assert_eq!(parse_money("2.49"), Ok(2.49));
        assert_eq!(parse_money("$3"), Ok(3.0));
        for bad in ["0", "-1", "inf", "NaN", "1e6", "", "cheap", "-0"] {
            assert!(parse_money(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_junk() {
        for bad in [
            "",
            "k",
            "-5",
            "1.2.3",
            "ten",
            "1e9",
            "0.5",
            "99999999999999999999",
            "1.5e3",
        ] {
            assert!(parse_count(bad).is_err(), "{bad}");
        }
    }
}
