//! How reports count: the platform's own definitions (clean traffic,
//! synthetic rows out of costs) by default, with opt-ins that count
//! everything. Passed with each report question, so `serve` answers every
//! client by its own choice.

use serde::{Deserialize, Serialize};

/// What a report counts besides clean, real traffic.
///
/// * `include_bots = false`: session, user and traffic figures leave out
///   every session flagged `is_bot`, `is_ai_crawler`, `is_scanner` or
///   `is_behavioral_bot` (the bot figures are reported beside the totals).
/// * `include_synthetic = false`: cost figures leave out `synthetic` AI
///   requests (and say how many were left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Counting {
    #[serde(default)]
    pub include_bots: bool,
    #[serde(default)]
    pub include_synthetic: bool,
}

impl Counting {
    /// The platform's own definitions: clean traffic, no synthetic rows.
    pub const PLATFORM: Counting = Counting {
        include_bots: false,
        include_synthetic: false,
    };

    /// Count bots and synthetic rows too.
    pub const EVERYTHING: Counting = Counting {
        include_bots: true,
        include_synthetic: true,
    };
}

/// Longest a session counts for: the platform ends a session after this
/// much inactivity, so `ended_at − started_at` beyond it is idle time.
pub const SESSION_DURATION_CAP_SECONDS: i64 = 30 * 60;
