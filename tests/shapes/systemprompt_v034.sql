-- The audited tables in the shape a systemprompt-core v0.34.0 deployment
-- has them (Postgres 15), written for tracetop's tests from the facts in
-- shared/reference/systemprompt-schema.md: the same column types (integer
-- vs bigint, text vs jsonb vs varchar), nullability, defaults, CHECK, UNIQUE
-- and foreign keys. The test harness builds one template from this file and
-- then runs `tracetop migrate` on it, as an operator would.
--
-- Tables are created parents first: users, sessions, contexts, tasks and
-- steps, MCP executions, AI requests, their messages and tool calls, logs.

CREATE TABLE users (
    id text NOT NULL,
    name varchar NOT NULL,
    email varchar NOT NULL,
    full_name varchar,
    display_name varchar,
    status text NOT NULL DEFAULT 'active',
    email_verified boolean NOT NULL DEFAULT false,
    roles text[] NOT NULL DEFAULT ARRAY['user'::text],
    is_bot boolean NOT NULL DEFAULT false,
    is_scanner boolean NOT NULL DEFAULT false,
    avatar_url text,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_name_key UNIQUE (name),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_lowercase CHECK (email::text = lower(btrim(email::text))),
    CONSTRAINT users_status_check CHECK (status IN ('active', 'inactive', 'suspended', 'pending', 'deleted', 'temporary'))
);

CREATE TABLE user_sessions (
    session_id text NOT NULL,
    user_id varchar REFERENCES users (id) ON DELETE SET NULL,
    started_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_activity_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    ended_at timestamptz,
    duration_seconds integer,
    user_type varchar DEFAULT 'registered',
    converted_at timestamptz,
    expires_at timestamptz DEFAULT (CURRENT_TIMESTAMP + interval '7 days'),
    client_id varchar NOT NULL DEFAULT 'sp_web',
    client_type varchar NOT NULL DEFAULT 'firstparty',
    request_count integer NOT NULL DEFAULT 0,
    avg_response_time_ms double precision NOT NULL DEFAULT 0,
    success_rate double precision NOT NULL DEFAULT 1.0,
    error_count integer NOT NULL DEFAULT 0,
    task_count integer NOT NULL DEFAULT 0,
    message_count integer NOT NULL DEFAULT 0,
    ai_request_count integer NOT NULL DEFAULT 0,
    total_tokens_used integer NOT NULL DEFAULT 0,
    total_ai_cost_microdollars bigint NOT NULL DEFAULT 0,
    ip_address text,
    user_agent text,
    device_type varchar,
    browser text,
    os text,
    country text,
    region text,
    city text,
    preferred_locale text,
    referrer_source varchar,
    referrer_url text,
    landing_page text,
    entry_url text,
    utm_source varchar,
    utm_medium varchar,
    utm_campaign varchar,
    utm_content varchar,
    utm_term varchar,
    endpoints_accessed text DEFAULT '[]',
    fingerprint_hash text,
    is_bot boolean NOT NULL DEFAULT false,
    is_ai_crawler boolean NOT NULL DEFAULT false,
    is_scanner boolean NOT NULL DEFAULT false,
    is_behavioral_bot boolean NOT NULL DEFAULT false,
    behavioral_bot_reason text,
    behavioral_bot_score integer NOT NULL DEFAULT 0,
    session_source varchar DEFAULT 'web',
    revoked_at timestamptz,
    CONSTRAINT user_sessions_pkey PRIMARY KEY (session_id),
    CONSTRAINT user_sessions_client_type_check
        CHECK (client_type IN ('cimd', 'firstparty', 'thirdparty', 'system', 'unknown')),
    CONSTRAINT user_sessions_session_source_check
        CHECK (session_source IN ('web', 'api', 'cli', 'oauth', 'mcp', 'bridge', 'unknown')),
    CONSTRAINT user_sessions_user_type_check CHECK (user_type IN ('anon', 'registered'))
);

CREATE TABLE user_contexts (
    context_id text NOT NULL,
    user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id text REFERENCES user_sessions (session_id) ON DELETE SET NULL,
    name text NOT NULL,
    kind text NOT NULL DEFAULT 'user',
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT user_contexts_pkey PRIMARY KEY (context_id)
);

CREATE TABLE agent_tasks (
    task_id text NOT NULL,
    context_id text NOT NULL REFERENCES user_contexts (context_id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'TASK_STATE_SUBMITTED',
    status_timestamp timestamptz,
    user_id text,
    session_id text,
    trace_id text,
    agent_name text,
    started_at timestamptz,
    completed_at timestamptz,
    execution_time_ms integer,
    error_message text,
    metadata jsonb DEFAULT '{}'::jsonb,
    version bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT agent_tasks_pkey PRIMARY KEY (task_id),
    CONSTRAINT agent_tasks_status_check CHECK (status IN (
        'TASK_STATE_PENDING', 'TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING',
        'TASK_STATE_INPUT_REQUIRED', 'TASK_STATE_COMPLETED', 'TASK_STATE_CANCELED',
        'TASK_STATE_FAILED', 'TASK_STATE_REJECTED', 'TASK_STATE_AUTH_REQUIRED',
        'TASK_STATE_UNKNOWN'))
);

-- No foreign key to agent_tasks upstream: steps may arrive first.
CREATE TABLE task_execution_steps (
    step_id text NOT NULL,
    task_id text NOT NULL,
    step_type text NOT NULL,
    title text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    content jsonb NOT NULL DEFAULT '{}'::jsonb,
    started_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at timestamptz,
    duration_ms integer,
    error_message text,
    CONSTRAINT task_execution_steps_pkey PRIMARY KEY (step_id)
);

CREATE TABLE mcp_tool_executions (
    mcp_execution_id text NOT NULL DEFAULT gen_random_uuid(),
    tool_name varchar NOT NULL,
    server_name varchar NOT NULL,
    started_at timestamptz NOT NULL,
    completed_at timestamptz,
    execution_time_ms integer,
    input text NOT NULL,
    output text,
    output_schema text,
    status varchar NOT NULL DEFAULT 'pending',
    error_message text,
    user_id varchar NOT NULL,
    session_id varchar,
    context_id varchar,
    task_id varchar,
    trace_id varchar,
    request_method text,
    request_source text,
    ai_tool_call_id varchar,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT mcp_tool_executions_pkey PRIMARY KEY (mcp_execution_id),
    CONSTRAINT mcp_tool_executions_status_check
        CHECK (status IN ('pending', 'success', 'failed', 'timeout'))
);

-- user_id and context_id carry no foreign key upstream; session_id does.
CREATE TABLE ai_requests (
    id text NOT NULL,
    request_id varchar NOT NULL,
    user_id varchar NOT NULL,
    session_id varchar REFERENCES user_sessions (session_id) ON DELETE SET NULL,
    task_id text,
    context_id varchar NOT NULL,
    gateway_conversation_id varchar,
    provider_request_id varchar,
    trace_id varchar,
    mcp_execution_id varchar,
    provider text,
    model text,
    requested_model text,
    system_prompt_override text,
    route_match text,
    temperature double precision,
    top_p double precision,
    max_tokens integer,
    stop_sequences text,
    tokens_used integer,
    input_tokens integer,
    output_tokens integer,
    cost_microdollars bigint NOT NULL DEFAULT 0,
    latency_ms integer,
    cache_hit boolean NOT NULL DEFAULT false,
    cache_read_tokens integer,
    cache_creation_tokens integer,
    is_streaming boolean NOT NULL DEFAULT false,
    status varchar NOT NULL DEFAULT 'pending',
    error_message text,
    actor_kind text NOT NULL,
    actor_id text NOT NULL,
    synthetic boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at timestamptz,
    CONSTRAINT ai_requests_pkey PRIMARY KEY (id),
    CONSTRAINT ai_requests_request_id_key UNIQUE (request_id),
    CONSTRAINT ai_requests_actor_id_check CHECK (length(actor_id) > 0),
    CONSTRAINT ai_requests_actor_kind_check CHECK (actor_kind IN ('user', 'job', 'mcp')),
    CONSTRAINT ai_requests_provider_model_check
        CHECK (status = 'rejected' OR (provider IS NOT NULL AND model IS NOT NULL))
);

CREATE TABLE ai_request_messages (
    id text NOT NULL DEFAULT gen_random_uuid(),
    request_id varchar NOT NULL REFERENCES ai_requests (id) ON DELETE CASCADE,
    role text NOT NULL,
    content text NOT NULL,
    sequence_number integer NOT NULL,
    name varchar,
    tool_call_id varchar,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT ai_request_messages_pkey PRIMARY KEY (id),
    CONSTRAINT ai_request_messages_request_id_sequence_number_key UNIQUE (request_id, sequence_number),
    CONSTRAINT ai_request_messages_role_check CHECK (role IN ('user', 'assistant', 'system', 'tool'))
);

CREATE TABLE ai_request_tool_calls (
    id text NOT NULL DEFAULT gen_random_uuid(),
    request_id varchar NOT NULL REFERENCES ai_requests (id) ON DELETE CASCADE,
    tool_name varchar NOT NULL,
    tool_input text NOT NULL,
    mcp_execution_id varchar
        REFERENCES mcp_tool_executions (mcp_execution_id) ON DELETE SET NULL,
    ai_tool_call_id varchar,
    sequence_number integer NOT NULL,
    tool_result_payload jsonb,
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT ai_request_tool_calls_pkey PRIMARY KEY (id),
    CONSTRAINT ai_request_tool_calls_request_id_sequence_number_key UNIQUE (request_id, sequence_number)
);

-- Upstream carries the level check twice (two migrations added it); once
-- is the same constraint.
CREATE TABLE logs (
    id text NOT NULL DEFAULT (gen_random_uuid())::text,
    timestamp timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    level varchar NOT NULL,
    module varchar NOT NULL,
    message text NOT NULL,
    metadata text,
    user_id varchar,
    session_id varchar,
    task_id varchar,
    trace_id varchar,
    context_id varchar,
    gateway_conversation_id varchar,
    provider_request_id varchar,
    client_id varchar,
    CONSTRAINT logs_pkey PRIMARY KEY (id),
    CONSTRAINT logs_level_check CHECK (level IN ('ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'))
);
