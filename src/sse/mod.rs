//! Placeholder for the sse layer; filled by its issue.
