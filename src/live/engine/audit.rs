//! The audit lookup: an id or prefix resolved over requests, MCP
//! executions, tool calls, traces, tasks and contexts into one record or the
//! candidates.

use super::*;

impl Store {
    fn audit_request(&self, row: &RequestRow) -> AuditRequest {
        let mut ids: BTreeSet<&str> = BTreeSet::new();
        if let Some(id) = &row.record.mcp_execution_id {
            ids.insert(id.as_str());
        }
        for call in &row.tool_calls {
            if let Some(id) = &call.mcp_execution_id {
                ids.insert(id.as_str());
            }
        }
        let mut mcp_executions: Vec<McpExecutionRecord> = ids
            .into_iter()
            .filter_map(|id| self.mcp.get(id))
            .cloned()
            .collect();
        mcp_executions.sort_by(|a, b| {
            a.started_at
                .cmp(&b.started_at)
                .then_with(|| a.mcp_execution_id.cmp(&b.mcp_execution_id))
        });
        AuditRequest {
            request: row.record.clone(),
            messages: row.messages.clone(),
            tool_calls: row.tool_calls.clone(),
            mcp_executions,
        }
    }

    fn audit_record(&self, kind: IdKind, id: &str) -> AuditRecord {
        let mut rows: Vec<&RequestRow> = match kind {
            IdKind::Request => self.requests.get(id).into_iter().collect(),
            IdKind::Task => self.requests.lookup(request_ix::TASK, id).collect(),
            IdKind::Trace => self.requests.lookup(request_ix::TRACE, id).collect(),
        };
        rows.sort_by(|a, b| {
            a.record
                .created_at
                .cmp(&b.record.created_at)
                .then_with(|| a.record.id.cmp(&b.record.id))
        });
        let (task, task_id, trace_id) = match kind {
            IdKind::Request => {
                let task_id = rows.first().and_then(|r| r.record.task_id.clone());
                let task = task_id
                    .as_ref()
                    .and_then(|t| self.tasks.get(t.as_str()))
                    .cloned();
                let trace_id = task
                    .as_ref()
                    .and_then(|t| t.trace_id.clone())
                    .or_else(|| rows.first().and_then(|r| r.record.trace_id.clone()));
                (task, task_id, trace_id)
            }
            IdKind::Task => {
                let task = self.tasks.get(id).cloned();
                let trace_id = task
                    .as_ref()
                    .and_then(|t| t.trace_id.clone())
                    .or_else(|| rows.iter().find_map(|r| r.record.trace_id.clone()));
                (task, Some(TaskId::new(id)), trace_id)
            }
            IdKind::Trace => {
                let task = self.earliest_task_of_trace(id).cloned();
                let task_id = task.as_ref().map(|t| t.task_id.clone());
                (task, task_id, Some(TraceId::new(id)))
            }
        };
        AuditRecord {
            matched_kind: kind,
            matched_id: id.to_string(),
            trace_id,
            task_id,
            request_ids: rows.iter().map(|r| r.record.id.clone()).collect(),
            task,
            requests: rows.iter().map(|r| self.audit_request(r)).collect(),
        }
    }

    /// Every (kind, id) whose id starts with `prefix`, with its creation
    /// time: a request's `created_at`; a task's earliest `created_at` over
    /// its `agent_tasks` row and the requests naming it; a trace's earliest
    /// `created_at` over its requests, tasks and MCP executions.
    fn audit_candidates(&self, prefix: &str) -> BTreeMap<(IdKind, String), Timestamp> {
        let mut out: BTreeMap<(IdKind, String), Timestamp> = BTreeMap::new();
        let mut note = |kind: IdKind, id: &str, at: Timestamp| {
            out.entry((kind, id.to_string()))
                .and_modify(|t| *t = (*t).min(at))
                .or_insert(at);
        };
        for r in self.requests.with_id_prefix(prefix) {
            note(IdKind::Request, r.record.id.as_str(), r.record.created_at);
        }
        for t in self.tasks.with_id_prefix(prefix) {
            note(IdKind::Task, t.task_id.as_str(), t.created_at);
        }
        let task_keys: Vec<&str> = self
            .requests
            .keys_with_prefix(request_ix::TASK, prefix)
            .collect();

        for key in task_keys {
            for r in self.requests.lookup(request_ix::TASK, key) {
                note(IdKind::Task, key, r.record.created_at);
            }
        }
        let mut traces: BTreeSet<&str> = BTreeSet::new();
        traces.extend(self.requests.keys_with_prefix(request_ix::TRACE, prefix));
        traces.extend(self.tasks.keys_with_prefix(task_ix::TRACE, prefix));
        traces.extend(self.mcp.keys_with_prefix(mcp_ix::TRACE, prefix));
        for trace in traces {
            for r in self.requests.lookup(request_ix::TRACE, trace) {
                note(IdKind::Trace, trace, r.record.created_at);
            }
            for t in self.tasks.lookup(task_ix::TRACE, trace) {
                note(IdKind::Trace, trace, t.created_at);
            }
            for m in self.mcp.lookup(mcp_ix::TRACE, trace) {
                note(IdKind::Trace, trace, m.created_at);
            }
        }
        out
    }

    /// Prefix resolution: trimmed; fewer than [`MIN_AUDIT_PREFIX`]
    /// characters is an input error; `%`, `_`, `\` are literal. An id equal
    /// to the prefix wins when it is the only such (kind, id) (several exact
    /// matches of different kinds are ambiguous); otherwise one candidate
    /// is found; several are ambiguous
    /// (newest `created_at` first, then kind, then id; at most
    /// [`MAX_AUDIT_CANDIDATES`]); none is not found.
    pub(in crate::live) fn audit_lookup(&self, prefix: &str) -> Result<AuditResolution> {
        let prefix = prefix.trim();
        if prefix.chars().count() < MIN_AUDIT_PREFIX {
            return Err(Error::input(format!(
                "audit prefix {prefix:?} is too short: give at least {MIN_AUDIT_PREFIX} characters of a request, task or trace id"
            )));
        }
        let candidates = self.audit_candidates(prefix);
        let exact: Vec<&(IdKind, String)> =
            candidates.keys().filter(|(_, id)| id == prefix).collect();
        if let [(kind, id)] = exact.as_slice() {
            return Ok(AuditResolution::Found(Box::new(
                self.audit_record(*kind, id),
            )));
        }
        // several exact matches of different kinds: ambiguous, never a guess
        let count = if exact.is_empty() {
            candidates.len()
        } else {
            candidates.len().max(2)
        };
        match count {
            0 => Err(Error::not_found(format!(
                "no request, task or trace id starts with {prefix:?}; check the id"
            ))),
            1 => {
                let (kind, id) = candidates
                    .keys()
                    .next()
                    .cloned()
                    .unwrap_or((IdKind::Request, String::new()));
                Ok(AuditResolution::Found(Box::new(
                    self.audit_record(kind, &id),
                )))
            }
            _ => {
                let mut list: Vec<AuditCandidate> = candidates
                    .into_iter()
                    .map(|((kind, id), created_at)| AuditCandidate {
                        kind,
                        id,
                        created_at,
                    })
                    .collect();
                list.sort_by(|a, b| {
                    b.created_at
                        .cmp(&a.created_at)
                        .then(a.kind.cmp(&b.kind))
                        .then_with(|| a.id.cmp(&b.id))
                });
                list.truncate(MAX_AUDIT_CANDIDATES);
                Ok(AuditResolution::Ambiguous {
                    prefix: prefix.to_string(),
                    candidates: list,
                })
            }
        }
    }
}
