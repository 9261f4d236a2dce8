//! One tool call of a run: the MCP execution it causes (success, failure,
//! timeout, a slow server), its logs and step, and the summary the model
//! reads back in the next round.

use super::*;

impl TraceBuilder {
    /// Run tool `spec` (the `index`-th call of request `request_uuid`);
    /// the failure line when it did not succeed.
    pub(super) fn run_tool(
        &mut self,
        rng: &mut SimRng,
        plan: &RunPlan<'_>,
        state: &mut RunState,
        request_uuid: &AiRequestId,
        index: usize,
        spec: &'static ToolSpec,
    ) -> Option<String> {
        let mut failure = None;
        let exec_id = McpExecutionId(rng.uuid());
        let call_id = match plan.model.provider {
            "anthropic" => format!("toolu_01{}", rng.base62(22)),
            _ => format!("call_{}", rng.base62(24)),
        };
        let input = tool_input(rng, spec);
        self.w.tool_calls.push(ToolCallRecord {
            request_id: request_uuid.clone(),
            tool_name: spec.tool.to_string(),
            tool_input: input.clone(),
            mcp_execution_id: Some(exec_id.clone()),
            ai_tool_call_id: Some(call_id.clone()),
            sequence_number: index as i32,
        });
        let started = state.t;
        let slow = plan
            .cond
            .slow_servers
            .iter()
            .any(|s| s.server == spec.server && started >= s.start && started < s.end);
        let roll = if plan.incident { 0.0 } else { rng.unit() };
        let (status, mut duration, error) = if roll > 0.98 {
            (
                "timeout",
                30_000,
                Some("tool execution timed out after 30000 ms".to_string()),
            )
        } else if roll > 0.94 {
            (
                "failed",
                (rng.lognormal(spec.median_ms, 0.5) as i64).max(2),
                Some(tool_error(rng, spec)),
            )
        } else {
            (
                "success",
                (rng.lognormal(spec.median_ms, 0.7) as i64).max(1),
                None,
            )
        };
        if slow && status != "timeout" {
            duration = rng.range(5_000, 20_000);
        }
        let output = match status {
            "success" if plan.kind == TraceKind::BigPayload => Some(big_payload()),
            "success" => Some(tool_output(rng, spec)),
            _ => None,
        };
        let completed = started + ms(duration);
        self.log(
            rng,
            started,
            "DEBUG",
            MOD_MCP,
            format!(
                "calling tool {}/{} execution={}",
                spec.server, spec.tool, exec_id
            ),
            None,
        );
        match status {
            "success" => self.log(
                rng,
                completed,
                "INFO",
                MOD_MCP,
                format!(
                    "tool {}/{} succeeded in {} ms",
                    spec.server, spec.tool, duration
                ),
                None,
            ),
            _ => self.log(
                rng,
                completed,
                "ERROR",
                MOD_MCP,
                format!(
                    "tool {}/{} {}: {}",
                    spec.server,
                    spec.tool,
                    status,
                    error.as_deref().unwrap_or("")
                ),
                None,
            ),
        }
        if duration >= 5_000 {
            self.log(
                rng,
                completed,
                "WARN",
                MOD_MCP,
                format!(
                    "slow tool execution {}/{} took {} ms",
                    spec.server, spec.tool, duration
                ),
                None,
            );
        }
        let summary = match (&output, &error) {
            (Some(o), _) if o.len() > 4_000 => {
                format!("[tool output truncated: {} bytes]", o.len())
            }
            (Some(o), _) => o.clone(),
            (None, Some(e)) => format!("error: {e}"),
            (None, None) => String::new(),
        };
        state.context_tokens = (state.context_tokens + (summary.len() / 4) as i64).min(190_000);
        self.step(
            rng,
            "tool_execution",
            format!("{}/{}", spec.server, spec.tool),
            if status == "success" {
                "completed"
            } else {
                "failed"
            },
            json!({"tool": spec.tool, "server": spec.server, "mcp_execution_id": exec_id}),
            started,
            duration,
            error.clone(),
        );
        if status != "success" {
            failure = Some(format!(
                "tool {} {}: {}",
                spec.tool,
                status,
                error.as_deref().unwrap_or("")
            ));
        }
        self.w.mcp_executions.push(McpExecutionRecord {
            mcp_execution_id: exec_id,
            tool_name: spec.tool.to_string(),
            server_name: spec.server.to_string(),
            started_at: started,
            completed_at: Some(completed),
            execution_time_ms: Some(duration as i32),
            input,
            output,
            status: status.to_string(),
            error_message: error,
            user_id: Some(self.actor.user_id.clone()),
            session_id: Some(self.actor.session_id.clone()),
            context_id: Some(self.actor.context_id.clone()),
            task_id: Some(self.task_id.clone()),
            trace_id: Some(self.trace_id.clone()),
            created_at: started,
        });
        state.previous.push(ToolResult {
            tool: spec.tool,
            call_id,
            summary,
        });
        state.t = completed + ms(rng.range(3, 30));
        failure
    }
}
