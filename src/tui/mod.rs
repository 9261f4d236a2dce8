//! Placeholder for the tui layer; filled by its issue.
