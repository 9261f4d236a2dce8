//! Money as integer microdollars (one millionth of a US dollar).
//!
//! Sums stay integers (checked: an overflow is an error, never a wrap) and are
//! formatted only at presentation: `$1,234.56` for amounts of a cent or more,
//! `$0.004200` (six decimals) below a cent so small costs stay visible.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in microdollars.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Microdollars(pub i64);

impl Microdollars {
    /// Zero dollars.
    pub const ZERO: Microdollars = Microdollars(0);

    /// From whole dollars.
    pub fn from_dollars(dollars: i64) -> Option<Self> {
        dollars.checked_mul(1_000_000).map(Microdollars)
    }

    /// Checked addition.
    pub fn checked_add(self, other: Microdollars) -> Option<Microdollars> {
        self.0.checked_add(other.0).map(Microdollars)
    }

    /// Checked sum of an iterator; `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Microdollars>>(items: I) -> Option<Microdollars> {
        items
            .into_iter()
            .try_fold(Microdollars::ZERO, |acc, x| acc.checked_add(x))
    }

    /// Integer average (rounded half away from zero), zero for no items.
    pub fn average(total: Microdollars, count: i64) -> Microdollars {
        Microdollars(crate::query::int_avg(total.0, count))
    }

    /// The raw microdollar count.
    pub fn get(self) -> i64 {
        self.0
    }

    /// Dollars as a float, for charts only (never for sums).
    pub fn as_dollars_f64(self) -> f64 {
        self.0 as f64 / 1_000_000.0
    }
}

impl fmt::Display for Microdollars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let negative = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let sign = if negative { "-" } else { "" };
        if abs != 0 && abs < 10_000 {
            // below one cent: six decimals so $0.0042 does not read as $0.00
            return write!(f, "{sign}${}.{:06}", abs / 1_000_000, abs % 1_000_000);
        }
        // round half up to cents
        let cents = (abs + 5_000) / 10_000;
        let dollars = cents / 100;
        let rem = cents % 100;
        write!(f, "{sign}${}.{:02}", group_thousands(dollars), rem)
    }
}

impl Microdollars {
    /// Decimals that show this amount with at least two significant
    /// digits: 2 from one cent up, up to 6 below.
    pub fn decimals_needed(self) -> u32 {
        let abs = self.0.unsigned_abs();
        if abs == 0 || abs >= 10_000 {
            2
        } else {
            (6 - abs.ilog10() + 1).min(6)
        }
    }

    /// The decimals one money column uses so every amount in it is read
    /// the same way: the most any of them needs.
    pub fn column_decimals(amounts: impl IntoIterator<Item = Microdollars>) -> u32 {
        amounts
            .into_iter()
            .map(Microdollars::decimals_needed)
            .max()
            .unwrap_or(2)
    }

    /// `$1,234.56` with exactly `decimals` (2 to 6) decimals, rounded half
    /// up.
    pub fn with_decimals(self, decimals: u32) -> String {
        let decimals = decimals.clamp(2, 6);
        let negative = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let unit = 10u64.pow(6 - decimals);
        let scaled = (abs + unit / 2) / unit;
        let per_dollar = 10u64.pow(decimals);
        format!(
            "{}${}.{:0width$}",
            if negative { "-" } else { "" },
            group_thousands(scaled / per_dollar),
            scaled % per_dollar,
            width = decimals as usize
        )
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl sqlx::Type<sqlx::Postgres> for Microdollars {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <i64 as sqlx::Type<sqlx::Postgres>>::type_info()
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Postgres> for Microdollars {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Microdollars(<i64 as sqlx::Decode<sqlx::Postgres>>::decode(
            value,
        )?))
    }
}

impl sqlx::Encode<'_, sqlx::Postgres> for Microdollars {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <i64 as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(&self.0, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dollars_with_grouping() {
        assert_eq!(Microdollars(1_234_560_000).to_string(), "$1,234.56");
        assert_eq!(Microdollars(1_000_000_000_000).to_string(), "$1,000,000.00");
        assert_eq!(Microdollars(0).to_string(), "$0.00");
        assert_eq!(Microdollars(10_000).to_string(), "$0.01");
        assert_eq!(Microdollars(999_999).to_string(), "$1.00");
    }

    #[test]
    fn formats_sub_cent_with_six_decimals() {
        assert_eq!(Microdollars(4_200).to_string(), "$0.004200");
        assert_eq!(Microdollars(1).to_string(), "$0.000001");
        assert_eq!(Microdollars(-4_200).to_string(), "-$0.004200");
    }

    #[test]
    fn a_money_column_has_one_precision() {
        let column = [Microdollars(40_000), Microdollars(7_200), Microdollars(0)];
        let d = Microdollars::column_decimals(column);
        assert_eq!(d, 4);
        let shown: Vec<String> = column.iter().map(|m| m.with_decimals(d)).collect();
        assert_eq!(shown, ["$0.0400", "$0.0072", "$0.0000"]);
        assert_eq!(Microdollars(1).decimals_needed(), 6);
        assert_eq!(Microdollars(1_234_567_891).with_decimals(2), "$1,234.57");
        assert_eq!(Microdollars(999).with_decimals(5), "$0.00100");
        assert_eq!(Microdollars(-4_200).with_decimals(4), "-$0.0042");
    }

    #[test]
    fn checked_sum_detects_overflow() {
        assert_eq!(
            Microdollars::checked_sum([Microdollars(1), Microdollars(2)]),
            Some(Microdollars(3))
        );
        assert_eq!(
            Microdollars::checked_sum([Microdollars(i64::MAX), Microdollars(1)]),
            None
        );
    }
}
