//! Placeholder for the live layer; filled by its issue.
