//! Exact decimal text → integer conversion for prices.
//!
//! A price arrives as decimal text (`"3.00"` dollars per million tokens, or
//! LiteLLM's `3e-06` dollars per token, which serde reads into an `f64`
//! and Rust prints back as its shortest round-trip decimal,
//! `0.000003`). [`scaled`] multiplies that text by a power of ten without
//! ever going through binary floating point, and rounds half up what is
//! left below the unit: the price table's unit is one microdollar per
//! million tokens (10⁻¹² $ per token), so any price written with at most
//! twelve decimals per token (six per million tokens) converts exactly.

/// `text × 10^shift` as an integer, rounded half up; `None` when `text` is
/// not a plain non-negative decimal (`12`, `0.5`, `1.25e-6`, `3E+2`) or the
/// result does not fit in an `i64`.
pub fn scaled(text: &str, shift: i32) -> Option<i64> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole
        .bytes()
        .chain(fraction.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits: String = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    // value = digits × 10^(exponent − len(fraction)); times 10^shift
    let power = exponent.checked_sub(i32::try_from(fraction.len()).ok()?)? + shift;
    if digits.is_empty() {
        return Some(0);
    }
    if digits.len() > 38 {
        return None;
    }
    let n: u128 = digits.parse().ok()?;
    let value = if power >= 0 {
        n.checked_mul(10u128.checked_pow(u32::try_from(power).ok()?)?)?
    } else {
        let down = u32::try_from(-power).ok()?;
        if down > 38 {
            0
        } else {
            let divisor = 10u128.pow(down);
            n / divisor + u128::from(n % divisor * 2 >= divisor)
        }
    };
    i64::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::scaled;

    #[test]
    fn dollars_per_million_to_microdollars() {
        assert_eq!(scaled("3", 6), Some(3_000_000));
        assert_eq!(scaled("3.00", 6), Some(3_000_000));
        assert_eq!(scaled("0.075", 6), Some(75_000));
        assert_eq!(scaled(".5", 6), Some(500_000));
        assert_eq!(scaled("1.", 6), Some(1_000_000));
    }

    #[test]
    fn dollars_per_token_to_microdollars_per_million() {
        assert_eq!(scaled("3e-06", 12), Some(3_000_000));
        assert_eq!(scaled("0.000003", 12), Some(3_000_000));
        assert_eq!(scaled("1.5E-7", 12), Some(150_000));
        assert_eq!(scaled("3.75e-08", 12), Some(37_500));
        assert_eq!(scaled("0", 12), Some(0));
        assert_eq!(scaled("0.0", 12), Some(0));
        assert_eq!(scaled("2e+0", 12), Some(2_000_000_000_000));
    }

    #[test]
    fn rounds_half_up_below_the_unit() {
        // 1.2345e-12 $/token = 1.2345 µ$/Mtok → 1; 1.5e-12 → 2; 2.4999e-12 → 2
        assert_eq!(scaled("1.2345e-12", 12), Some(1));
        assert_eq!(scaled("1.5e-12", 12), Some(2));
        assert_eq!(scaled("2.4999e-12", 12), Some(2));
        assert_eq!(scaled("4e-13", 12), Some(0));
        assert_eq!(scaled("5e-13", 12), Some(1));
        assert_eq!(scaled("1e-60", 12), Some(0));
    }

    #[test]
    fn refuses_what_is_not_a_plain_decimal() {
        for bad in [
            "", ".", "-1", "1,5", "abc", "1e", "NaN", "inf", "1.2.3", "0x10",
        ] {
            assert_eq!(scaled(bad, 6), None, "{bad:?}");
        }
        assert_eq!(scaled("1e30", 6), None);
    }
}
