//! Log answers: the filtered search and the per-level summary of the same
//! matches.

use super::*;

impl Store {
    /// The log lines the filter keeps (in no order; its limit not applied).
    fn matching_logs<'a>(&'a self, filter: &'a LogFilter) -> Vec<&'a LogRecord> {
        let pattern = filter.pattern.as_deref().map(str::to_lowercase);
        let keep = |l: &&LogRecord| {
            in_window(&filter.window, l.timestamp)
                && filter
                    .level
                    .as_deref()
                    .is_none_or(|lv| lv.split(',').any(|one| l.level.eq_ignore_ascii_case(one)))
                && filter.module.as_deref().is_none_or(|m| l.module == m)
                && filter
                    .trace_id
                    .as_ref()
                    .is_none_or(|t| l.trace_id.as_ref() == Some(t))
                && pattern
                    .as_deref()
                    .is_none_or(|p| contains_ci(&l.message, p))
        };
        match &filter.trace_id {
            Some(t) => self
                .logs
                .lookup(log_ix::TRACE, t.as_str())
                .filter(keep)
                .collect(),
            None => self.logs.iter().filter(keep).collect(),
        }
    }

    pub(in crate::live) fn log_search(&self, filter: &LogFilter) -> Vec<LogRecord> {
        let mut rows: Vec<LogRecord> = self.matching_logs(filter).into_iter().cloned().collect();
        rows.sort_by(|a, b| b.timestamp.cmp(&a.timestamp).then_with(|| b.id.cmp(&a.id)));
        take(rows, filter.limit)
    }

    pub(in crate::live) fn log_summary(&self, filter: &LogFilter) -> LogSummary {
        let mut total = 0i64;
        let mut levels: BTreeMap<&str, i64> = BTreeMap::new();
        let mut modules: BTreeMap<&str, i64> = BTreeMap::new();
        let mut first_at: Option<Timestamp> = None;
        let mut last_at: Option<Timestamp> = None;
        for l in self.matching_logs(filter) {
            total += 1;
            *levels.entry(l.level.as_str()).or_default() += 1;
            *modules.entry(l.module.as_str()).or_default() += 1;
            first_at = Some(first_at.map_or(l.timestamp, |t| t.min(l.timestamp)));
            last_at = Some(last_at.map_or(l.timestamp, |t| t.max(l.timestamp)));
        }
        const SEVERITY: [&str; 5] = ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"];
        let rank = |level: &str| {
            SEVERITY
                .iter()
                .position(|s| s.eq_ignore_ascii_case(level))
                .unwrap_or(SEVERITY.len())
        };
        let mut by_level: Vec<LevelCount> = levels
            .into_iter()
            .map(|(level, count)| LevelCount {
                level: level.to_string(),
                count,
            })
            .collect();
        by_level.sort_by(|a, b| {
            rank(&a.level)
                .cmp(&rank(&b.level))
                .then_with(|| a.level.cmp(&b.level))
        });
        let mut top_modules: Vec<ModuleCount> = modules
            .into_iter()
            .map(|(module, count)| ModuleCount {
                module: module.to_string(),
                count,
            })
            .collect();
        top_modules.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.module.cmp(&b.module)));
        top_modules.truncate(10);
        LogSummary {
            total,
            by_level,
            top_modules,
            first_at,
            last_at,
        }
    }
}
