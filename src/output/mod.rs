//! Placeholder for the output layer; filled by its issue.
