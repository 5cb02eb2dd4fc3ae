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
    if !v.is_finite() {
        return "-".into();
    }
    let (scale, suffix) = magnitude(v);
    // One decimal for 1.2k, 3.4M and 5.6B; none for 789 or 12k.
    let digits = if suffix.is_empty() || (1e4..1e6).contains(&v) {
        0
    } else {
        1
    };
    format!("{}{suffix}", fixed(v / scale, digits))
}

/// The scale and suffix `short` writes a figure with.
fn magnitude(v: f64) -> (f64, &'static str) {
    match v {
        v if v >= 1e9 => (1e9, "B"),
        v if v >= 1e6 => (1e6, "M"),
        v if v >= 1e3 => (1e3, "k"),
        _ => (1.0, ""),
    }
}

/// `short` of two figures a sentence compares, with as many more digits as it takes to tell them
/// apart: "carry at most 1.5M/h ... needs 1.5M/h" reads as no shortfall where 1.49M falls short of
/// 1.50M. Equal figures (and the infinite) stay as `short` writes them.
pub fn short_apart(a: f64, b: f64) -> (String, String) {
    let (sa, sb) = (short(a), short(b));
    if sa != sb || a == b || !a.is_finite() || !b.is_finite() {
        return (sa, sb);
    }
    let (scale, suffix) = magnitude(a.max(b));
    (1..=12)
        .map(|digits| (fixed(a / scale, digits), fixed(b / scale, digits)))
        .map(|(x, y)| (format!("{x}{suffix}"), format!("{y}{suffix}")))
        .find(|(x, y)| x != y)
        .unwrap_or((sa, sb))
}

/// `format!("{:.digits$}", v)`, the same text, written without std's exact float formatting
/// when the rounding is certain: a ranking prints some 150 such numbers, and std's exact mode
/// cost a twentieth of the main query.
pub fn fixed(v: f64, digits: usize) -> Fixed {
    Fixed(v, digits)
}

/// A number to write with a fixed number of decimals (`units::fixed`).
#[derive(Clone, Copy, Debug)]
pub struct Fixed(f64, usize);

impl std::fmt::Display for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Fixed(v, digits) = *self;
        let mut buf = [0u8; 32];
        match fixed_fast(v, digits, &mut buf) {
            Some(text) => f.pad(text),
            None => f.pad(&format!("{v:.digits$}")),
        }
    }
}

/// The fast path of `fixed`: `v` scaled by 10^digits and rounded, when that is certainly the
/// rounding std makes of `v`'s exact binary value (ties to even). The scaled value's error is
/// below 2^-13 under 2^40, so only a fraction within 1/1000 of one half is left to std, as are
/// negative numbers (std writes "-0.0" for -0.01) and non-finite ones.
fn fixed_fast(v: f64, digits: usize, buf: &mut [u8; 32]) -> Option<&str> {
    const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    let scale = *POW10.get(digits)?;
    let x = v * scale;
    if !(v.is_sign_positive() && x.is_finite() && x < (1u64 << 40) as f64) {
        return None;
    }
    let fraction = x - x.floor();
    if (fraction - 0.5).abs() < 1e-3 {
        return None;
    }
    let mut n = x.round() as u64;
    // Digits from the right: the decimals, the point, then the whole part (at least one digit).
    let mut at = buf.len();
    for written in 0.. {
        if written == digits && digits > 0 {
            at -= 1;
            buf[at] = b'.';
        }
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if written >= digits && n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).ok()
}

/// The prompt share of a price per generated token, in words: "3 input tokens per generated
/// token" (`--input-ratio`).
pub fn input_per_output(ratio: f64) -> String {
    format!(
        "{ratio} input token{} per generated token",
        if ratio == 1.0 { "" } else { "s" }
    )
}

/// A memory shortfall in GiB with one decimal, or two when one would write a real shortfall as
/// 0.0 ("short by 0.0 GiB" reads as a fit).
pub fn gib_short(v: f64) -> Fixed {
    fixed(v, if v > 0.0 && v < 0.05 { 2 } else { 1 })
}

/// How many of the GPUs given stay free, in words: "3 of the 4 GPUs stay free", "1 of the 2 GPUs
/// stays free", "no GPU stays free" (not "0 of the 1 GPUs stay free").
pub fn gpus_free(free: u64, given: u64) -> String {
    match free {
        0 => "no GPU stays free".into(),
        1 => format!("1 of the {given} GPUs stays free"),
        n => format!("{n} of the {given} GPUs stay free"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shortfall_is_never_written_as_none() {
        assert_eq!(gib_short(8.14).to_string(), "8.1");
        assert_eq!(gib_short(0.03).to_string(), "0.03");
        assert_eq!(gib_short(0.05).to_string(), "0.1");
    }

    #[test]
    fn free_gpus_read_as_english() {
        assert_eq!(gpus_free(3, 4), "3 of the 4 GPUs stay free");
        assert_eq!(gpus_free(1, 2), "1 of the 2 GPUs stays free");
        assert_eq!(gpus_free(0, 1), "no GPU stays free");
    }

    #[test]
    fn figures_compared_in_one_sentence_are_written_apart() {
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        // 1.49M carried against a 1.5M peak: `short` writes both as 1.5M.
        assert_eq!(short(1_492_000.0), short(1_500_000.0));
        assert_eq!(
            short_apart(1_492_000.0, 1_500_000.0),
            pair("1.49M", "1.50M")
        );
        assert_eq!(
            short_apart(1_499_900.0, 1_500_000.0),
            pair("1.4999M", "1.5000M")
        );
        assert_eq!(short_apart(12_340.0, 12_100.0), pair("12.3k", "12.1k"));
        // Figures `short` already tells apart, equal ones and infinities are left alone.
        assert_eq!(short_apart(678_000.0, 1_500_000.0), pair("678k", "1.5M"));
        assert_eq!(short_apart(1.5e6, 1.5e6), pair("1.5M", "1.5M"));
        assert_eq!(short_apart(f64::INFINITY, 1.5e6), pair("-", "1.5M"));
    }

    #[test]
    fn fixed_writes_what_std_writes() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            0.125,
            0.375,
            0.05,
            0.005,
            1e-9,
            9.995,
            99.95,
            0.045,
            1234.5678,
            1e12,
            1.1e12,
            4.35,
            2.675,
            -1.25,
            -0.001,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        for _ in 0..5_000 {
            let r = next();
            // Uniform bits (every magnitude), then decimals near ties (x.yz5) and plain ones.
            values.push(f64::from_bits(r));
            values.push((r % 1_000_000) as f64 / 1000.0 + 0.0005);
            values.push((r % 100_000) as f64 / 100.0);
        }
        for v in values {
            for digits in 0..=4 {
                assert_eq!(
                    fixed(v, digits).to_string(),
                    format!("{v:.digits$}"),
                    "{v:e} at {digits} decimals"
                );
            }
        }
        assert_eq!(format!("[{:>7}]", fixed(41.256, 2)), "[  41.26]");
    }

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
