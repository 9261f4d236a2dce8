//! The costs view's drift caption: when re-pricing the window at the
//! console's price table finds stored costs that differ, or requests on
//! models without a price, the by-model pane's title says so in a few
//! words (`By model · drift +$0.28 in 8 req · 5 unpriced`); the detail is
//! `tracetop analytics costs --reprice`.

use crate::query::RepriceReport;

/// The by-model pane's title for this re-price (plain `By model` when
/// there is nothing to say or no re-price).
pub fn model_title(drift: Option<&RepriceReport>) -> String {
    let mut title = String::from("By model");
    let Some(r) = drift else {
        return title;
    };
    if r.has_drift() {
        let d = r.drift_microdollars;
        let sign = if d.get() > 0 { "+" } else { "" };
        title.push_str(&format!(
            " · drift {sign}{d} in {} req",
            crate::tui::views::fmt_count(r.drifted_requests)
        ));
    }
    if r.unpriced_request_count > 0 {
        title.push_str(&format!(
            " · {} unpriced",
            crate::tui::views::fmt_count(r.unpriced_request_count)
        ));
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Microdollars;
    use crate::prices::RateCard;

    fn report(drifted: i64, drift: i64, unpriced: i64) -> RepriceReport {
        let mut r = RepriceReport::assemble(&RateCard::default(), Vec::new(), Vec::new());
        r.drifted_requests = drifted;
        r.drift_microdollars = Microdollars(drift);
        r.unpriced_request_count = unpriced;
        r
    }

    #[test]
    fn says_drift_and_unpriced_only_when_there_is_some() {
        assert_eq!(model_title(None), "By model");
        assert_eq!(model_title(Some(&report(0, 0, 0))), "By model");
        assert_eq!(
            model_title(Some(&report(8, 277_915, 5))),
            "By model · drift +$0.28 in 8 req · 5 unpriced"
        );
        assert_eq!(
            model_title(Some(&report(2, -4_200, 0))),
            "By model · drift -$0.004200 in 2 req"
        );
        assert_eq!(model_title(Some(&report(0, 0, 3))), "By model · 3 unpriced");
    }
}
