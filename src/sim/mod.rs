//! Placeholder for the sim layer; filled by its issue.
