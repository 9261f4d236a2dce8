//! The simulated platform's fixed cast: models (with latency shapes),
//! agents (their models, tools and prompts), MCP servers and tools, and the
//! pools of names, user agents, countries, pages and sentences that make rows
//! read like a real deployment.

/// A model the gateway routes to.
#[derive(Debug)]
pub(crate) struct ModelSpec {
    pub provider: &'static str,
    pub model: &'static str,
    /// Median time to first byte, ms.
    pub base_latency_ms: f64,
    /// Extra ms per output token.
    pub ms_per_output_token: f64,
}

pub(crate) const MODELS: &[ModelSpec] = &[
    ModelSpec {
        provider: "anthropic",
        model: "claude-opus-4-1",
        base_latency_ms: 1400.0,
        ms_per_output_token: 14.0,
    },
    ModelSpec {
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        base_latency_ms: 700.0,
        ms_per_output_token: 7.0,
    },
    ModelSpec {
        provider: "anthropic",
        model: "claude-haiku-4-5",
        base_latency_ms: 350.0,
        ms_per_output_token: 3.0,
    },
    ModelSpec {
        provider: "openai",
        model: "gpt-4.1",
        base_latency_ms: 600.0,
        ms_per_output_token: 6.0,
    },
    ModelSpec {
        provider: "openai",
        model: "gpt-4o",
        base_latency_ms: 500.0,
        ms_per_output_token: 5.0,
    },
    ModelSpec {
        provider: "openai",
        model: "gpt-4o-mini",
        base_latency_ms: 300.0,
        ms_per_output_token: 2.5,
    },
    ModelSpec {
        provider: "gemini",
        model: "gemini-2.5-pro",
        base_latency_ms: 900.0,
        ms_per_output_token: 6.5,
    },
    ModelSpec {
        provider: "gemini",
        model: "gemini-2.5-flash",
        base_latency_ms: 280.0,
        ms_per_output_token: 2.0,
    },
];

/// Look a model up by name.
pub(crate) fn model(name: &str) -> &'static ModelSpec {
    MODELS
        .iter()
        .find(|m| m.model == name)
        .unwrap_or(&MODELS[1])
}

/// An MCP tool on a server.
#[derive(Debug)]
pub(crate) struct ToolSpec {
    pub server: &'static str,
    pub tool: &'static str,
    /// Median execution time, ms.
    pub median_ms: f64,
}

pub(crate) const TOOLS: &[ToolSpec] = &[
    ToolSpec {
        server: "github",
        tool: "search_code",
        median_ms: 420.0,
    },
    ToolSpec {
        server: "github",
        tool: "get_file_contents",
        median_ms: 180.0,
    },
    ToolSpec {
        server: "github",
        tool: "get_pull_request_diff",
        median_ms: 260.0,
    },
    ToolSpec {
        server: "github",
        tool: "create_issue",
        median_ms: 340.0,
    },
    ToolSpec {
        server: "postgres",
        tool: "query",
        median_ms: 95.0,
    },
    ToolSpec {
        server: "postgres",
        tool: "list_tables",
        median_ms: 30.0,
    },
    ToolSpec {
        server: "postgres",
        tool: "describe_table",
        median_ms: 40.0,
    },
    ToolSpec {
        server: "filesystem",
        tool: "read_file",
        median_ms: 12.0,
    },
    ToolSpec {
        server: "filesystem",
        tool: "write_file",
        median_ms: 18.0,
    },
    ToolSpec {
        server: "filesystem",
        tool: "list_directory",
        median_ms: 8.0,
    },
    ToolSpec {
        server: "slack",
        tool: "post_message",
        median_ms: 310.0,
    },
    ToolSpec {
        server: "slack",
        tool: "search_messages",
        median_ms: 520.0,
    },
    ToolSpec {
        server: "vault",
        tool: "get_secret",
        median_ms: 45.0,
    },
    ToolSpec {
        server: "vault",
        tool: "get_api_token",
        median_ms: 60.0,
    },
    ToolSpec {
        server: "web",
        tool: "web_search",
        median_ms: 900.0,
    },
    ToolSpec {
        server: "web",
        tool: "fetch_url",
        median_ms: 650.0,
    },
];

/// Look a tool up by name.
pub(crate) fn tool(name: &str) -> &'static ToolSpec {
    TOOLS.iter().find(|t| t.tool == name).unwrap_or(&TOOLS[0])
}

/// An agent: what it runs on and what it does.
#[derive(Debug)]
pub(crate) struct AgentSpec {
    pub name: &'static str,
    pub models: &'static [(&'static str, u32)],
    pub tools: &'static [(&'static str, u32)],
    pub system_prompt: &'static str,
    pub asks: &'static [&'static str],
}

pub(crate) const AGENTS: &[(AgentSpec, u32)] = &[
    (
        AgentSpec {
            name: "research-agent",
            models: &[
                ("claude-sonnet-4-5", 5),
                ("gpt-4.1", 3),
                ("gemini-2.5-pro", 2),
                ("claude-opus-4-1", 1),
            ],
            tools: &[("web_search", 5), ("fetch_url", 4), ("read_file", 1)],
            system_prompt: "You are a research assistant. Cite sources, prefer primary documents, and say when evidence is thin.",
            asks: &[
                "Summarise the latest guidance on {topic} and list the primary sources.",
                "Compare three approaches to {topic} and recommend one for a team of five.",
                "What changed in {topic} over the last year? Keep it under 300 words.",
            ],
        },
        30,
    ),
    (
        AgentSpec {
            name: "support-agent",
            models: &[
                ("claude-haiku-4-5", 5),
                ("gpt-4o-mini", 4),
                ("gemini-2.5-flash", 3),
            ],
            tools: &[
                ("search_messages", 4),
                ("query", 3),
                ("post_message", 3),
                ("get_api_token", 1),
            ],
            system_prompt: "You are the customer support agent. Be concise, never promise refunds, escalate billing disputes.",
            asks: &[
                "Customer says their {topic} export has been stuck for two hours. What do we tell them?",
                "Draft a reply to the ticket about {topic} failing after the upgrade.",
                "Is the {topic} outage from this morning resolved? Check the incident channel.",
            ],
        },
        30,
    ),
    (
        AgentSpec {
            name: "code-reviewer",
            models: &[
                ("claude-sonnet-4-5", 6),
                ("claude-opus-4-1", 2),
                ("gpt-4.1", 3),
            ],
            tools: &[
                ("get_pull_request_diff", 5),
                ("get_file_contents", 5),
                ("search_code", 3),
                ("create_issue", 1),
            ],
            system_prompt: "You review pull requests. Point at the exact line, explain the risk, suggest the fix.",
            asks: &[
                "Review PR #{n} ({topic}) and flag anything risky.",
                "Does PR #{n} handle errors in the {topic} path correctly?",
                "Check whether PR #{n} needs a migration for {topic}.",
            ],
        },
        20,
    ),
    (
        AgentSpec {
            name: "data-analyst",
            models: &[
                ("gpt-4o", 5),
                ("claude-sonnet-4-5", 3),
                ("gemini-2.5-pro", 2),
            ],
            tools: &[
                ("query", 6),
                ("describe_table", 3),
                ("list_tables", 2),
                ("write_file", 1),
            ],
            system_prompt: "You are a data analyst with read access to the warehouse. Show the SQL you ran and the numbers it returned.",
            asks: &[
                "How many active customers used {topic} last week, by plan?",
                "Chart weekly revenue from {topic} for the last quarter.",
                "Find the top 10 accounts by {topic} usage and their growth.",
            ],
        },
        15,
    ),
    (
        AgentSpec {
            name: "ops-agent",
            models: &[("claude-haiku-4-5", 4), ("gpt-4o-mini", 3)],
            tools: &[
                ("get_secret", 2),
                ("list_directory", 3),
                ("read_file", 3),
                ("post_message", 2),
            ],
            system_prompt: "You are the on-call operations assistant. Read-only unless the operator confirms a change.",
            asks: &[
                "Rotate the {topic} credentials and tell #ops when done.",
                "Why did the {topic} deploy fail last night? Check the logs.",
                "Check disk usage on the {topic} hosts.",
            ],
        },
        5,
    ),
];

/// Look an agent up by name.
pub(crate) fn agent(name: &str) -> &'static AgentSpec {
    AGENTS
        .iter()
        .map(|(a, _)| a)
        .find(|a| a.name == name)
        .unwrap_or(&AGENTS[0].0)
}

pub(crate) const TOPICS: &[&str] = &[
    "billing",
    "SSO login",
    "webhooks",
    "rate limiting",
    "the search index",
    "CSV import",
    "the mobile app",
    "data retention",
    "invoice PDFs",
    "the GraphQL API",
    "onboarding emails",
    "the Postgres upgrade",
    "audit logs",
    "usage quotas",
    "the Kafka consumer",
    "OAuth scopes",
];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Alan",
    "Barbara",
    "Ken",
    "Frances",
    "Dennis",
    "Radia",
    "Edsger",
    "Katherine",
    "Guido",
    "Hedy",
    "Niklaus",
    "Sophie",
    "Tim",
    "Joan",
    "Yukihiro",
    "Anita",
    "Bjarne",
    "Shafi",
    "Leslie",
    "Jean",
    "Donald",
    "Carla",
    "Rob",
    "Mei",
    "Arjun",
    "Fatima",
    "Lucas",
    "Ingrid",
    "Tomás",
    "Amara",
    "Kenji",
    "Olga",
    "Priya",
    "Mateo",
    "Zanele",
    "Henrik",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Turing",
    "Liskov",
    "Thompson",
    "Allen",
    "Ritchie",
    "Perlman",
    "Dijkstra",
    "Johnson",
    "van Rossum",
    "Lamarr",
    "Wirth",
    "Wilson",
    "Berners-Lee",
    "Clarke",
    "Matsumoto",
    "Borg",
    "Stroustrup",
    "Goldwasser",
    "Lamport",
    "Sammet",
    "Knuth",
    "Meyer",
    "Pike",
    "Chen",
    "Patel",
    "Haddad",
    "Silva",
    "Nilsson",
    "García",
    "Okafor",
    "Sato",
    "Ivanova",
    "Raman",
    "Rossi",
    "Dlamini",
    "Larsen",
];

pub(crate) const EMAIL_DOMAINS: &[&str] = &[
    "acme.io",
    "globex.com",
    "initech.dev",
    "umbrella.co",
    "hooli.xyz",
    "stark.industries",
    "example.org",
];

pub(crate) const COUNTRIES: &[(&str, u32)] = &[
    ("US", 32),
    ("GB", 10),
    ("DE", 9),
    ("FR", 6),
    ("IN", 9),
    ("BR", 5),
    ("JP", 4),
    ("CA", 5),
    ("NL", 4),
    ("AU", 3),
    ("SE", 2),
    ("ES", 3),
    ("PL", 2),
    ("SG", 2),
];

/// (device_type, browser, os, user agent)
/// (device_type, browser, os, user agent)
pub(crate) type Browser = (&'static str, &'static str, &'static str, &'static str);

pub(crate) const BROWSERS: &[(Browser, u32)] = &[
    (
        (
            "desktop",
            "Chrome",
            "Windows",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        ),
        30,
    ),
    (
        (
            "desktop",
            "Chrome",
            "macOS",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        ),
        22,
    ),
    (
        (
            "desktop",
            "Safari",
            "macOS",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        ),
        10,
    ),
    (
        (
            "desktop",
            "Firefox",
            "Linux",
            "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
        ),
        9,
    ),
    (
        (
            "desktop",
            "Edge",
            "Windows",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        ),
        7,
    ),
    (
        (
            "mobile",
            "Safari",
            "iOS",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        ),
        12,
    ),
    (
        (
            "mobile",
            "Chrome",
            "Android",
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        ),
        7,
    ),
    (
        (
            "tablet",
            "Safari",
            "iPadOS",
            "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        ),
        3,
    ),
];

pub(crate) const CLI_AGENTS: &[&str] = &[
    "systemprompt-cli/0.9.3 (linux x86_64)",
    "systemprompt-cli/0.9.3 (macos aarch64)",
    "systemprompt-cli/0.9.1 (windows x86_64)",
];
pub(crate) const API_AGENTS: &[&str] = &[
    "python-httpx/0.27.2",
    "node-fetch/3.3.2",
    "Go-http-client/2.0",
    "curl/8.5.0",
];

pub(crate) const CRAWLERS: &[&str] = &[
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
];

pub(crate) const SCANNERS: &[(&str, &str)] = &[
    ("Mozilla/5.0 zgrab/0.x", "/.env"),
    (
        "sqlmap/1.8.2#stable (https://sqlmap.org)",
        "/api/v1/users?id=1%27%20OR%201=1",
    ),
    (
        "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))",
        "/.git/config",
    ),
    ("python-requests/2.31.0", "/wp-login.php"),
    (
        "Mozilla/5.0 (compatible; CensysInspect/1.1)",
        "/phpmyadmin/",
    ),
];

pub(crate) const REFERRERS: &[(Option<&str>, u32)] = &[
    (None, 30),
    (Some("google"), 25),
    (Some("github.com"), 12),
    (Some("news.ycombinator.com"), 6),
    (Some("linkedin"), 5),
    (Some("x.com"), 4),
    (Some("newsletter"), 6),
    (Some("bing"), 3),
    (Some("docs"), 9),
];

pub(crate) const LANDING_PAGES: &[(&str, u32)] = &[
    ("/", 20),
    ("/app/chat", 25),
    ("/docs/getting-started", 10),
    ("/pricing", 7),
    ("/agents", 10),
    ("/blog/tracing-every-ai-action", 6),
    ("/docs/mcp/servers", 6),
    ("/app/contexts", 10),
    ("/login", 6),
];

pub(crate) const CRAWL_PAGES: &[&str] = &[
    "/",
    "/pricing",
    "/blog/tracing-every-ai-action",
    "/docs/getting-started",
    "/sitemap.xml",
    "/robots.txt",
];

pub(crate) const REPLIES: &[&str] = &[
    "Here is what I found. The short answer is yes, with two caveats about {topic}.",
    "I checked the sources. Three of them agree on {topic}; the fourth is outdated (2023).",
    "Done. I posted a summary of {topic} and linked the thread.",
    "The numbers look consistent: {topic} grew 14% week over week, mostly from enterprise plans.",
    "I found two problems with {topic}: an unchecked error on line 88 and a missing index.",
    "Nothing to worry about for {topic}; the failure was a transient timeout and the retry succeeded.",
];

pub(crate) const TOOL_INTROS: &[&str] = &[
    "Let me look that up.",
    "I'll check the relevant data first.",
    "I need more context before answering.",
    "Fetching the details now.",
];
