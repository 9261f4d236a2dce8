//! Placeholder for the anomaly layer; filled by its issue.
