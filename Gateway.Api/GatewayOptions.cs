namespace Gateway.Api;

/// <summary>
/// Everything the gateway reads from configuration. Environment variables use the GATEWAY_ names
/// shown in the README; <see cref="Bind"/> maps them so appsettings and env agree.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>Npgsql connection string (GATEWAY_DB).</summary>
    public string Db { get; set; } = "";
    /// <summary>Folder for local state such as the generated master key (GATEWAY_DATA).</summary>
    public string? Data { get; set; }
    public int Port { get; set; } = 8080;
    public string? AdminKey { get; set; }
    /// <summary>Base64 of 32 bytes; encrypts provider keys at rest (GATEWAY_MASTER_KEY).</summary>
    public string? MasterKey { get; set; }
    public bool Demo { get; set; }
    public string? DemoMockUrl { get; set; }
    public string? DemoKey { get; set; }
    /// <summary>Marten schema name for all gateway tables.</summary>
    public string Schema { get; set; } = "gateway";
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;
    /// <summary>The whole request body must arrive within this time; a stalled or endless body gets 408.</summary>
    public TimeSpan RequestBodyTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public long MaxUpstreamResponseBytes { get; set; } = 32 * 1024 * 1024;
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan UpstreamConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Circuit breaker per target: share of failed attempts (5xx, unreachable, timeouts; not 429) that opens it…</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;
    /// <summary>…once at least this many attempts were seen in the sampling window…</summary>
    public int BreakerMinimumThroughput { get; set; } = 5;
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>…for this long; then one probe request decides whether it closes.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Export request and budget events to DuckDB continuously (one exporter across nodes).</summary>
    public bool AnalyticsExport { get; set; } = true;
    /// <summary>How often new events are linked into the tamper-evidence chain (docs/audit.md).</summary>
    public TimeSpan AuditChainInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// Request streams older than this are archived: moved to the archived partition of the event table, so the hot
    /// partition holds this long of requests (docs/scaling.md). Null: never.
    /// </summary>
    public TimeSpan? ArchiveRequestsAfter { get; set; } = TimeSpan.FromDays(30);
    /// <summary>How often the leader looks for request streams to archive.</summary>
    public TimeSpan ArchiveInterval { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>How often request bodies past their team's retention period are removed.</summary>
    public TimeSpan BodyRetentionSweepInterval { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan AnalyticsExportInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Dashboard cookies always Secure (set it when a proxy in front ends TLS); otherwise Secure over HTTPS only.</summary>
    public bool SecureCookies { get; set; }
    /// <summary>The DuckDB file; default analytics.duckdb in the data folder (GATEWAY_DATA), else in the temp folder.</summary>
    public string? AnalyticsPath { get; set; }
    public string AnalyticsFile => AnalyticsPath ?? Path.Combine(Data ?? Path.GetTempPath(), "analytics.duckdb");
    /// <summary>
    /// Let budget webhooks target loopback, private, link-local and unique-local addresses (refused by default, when a
    /// budget is set and again when each delivery connects). For receivers inside the gateway's own network.
    /// </summary>
    public bool AllowPrivateWebhooks { get; set; }
    /// <summary>Output tokens a budget reservation assumes when a request gives no max_tokens.</summary>
    public int BudgetMaxOutputTokens { get; set; } = 4096;
    /// <summary>max_tokens sent to upstreams that require one (Anthropic) when the client gave none.</summary>
    public int AnthropicDefaultMaxTokens { get; set; } = 4096;
    /// <summary>Bodies are kept up to this size each; longer ones are cut and marked truncated.</summary>
    public int MaxStoredBodyBytes { get; set; } = 1024 * 1024;
    /// <summary>Memory the response cache may hold on this node (answers' sizes); the oldest quarter goes when it is full.</summary>
    public long ResponseCacheMaxBytes { get; set; } = 256L * 1024 * 1024;
    public bool StoreBodies { get; set; } = true;
    /// <summary>Run the async projection daemon on this node (leader-elected across nodes). Off for pure proxy nodes.</summary>
    public bool ProjectionDaemon { get; set; } = true;
    /// <summary>Largest number of request records committed in one transaction.</summary>
    public int MaxCommitBatch { get; set; } = 512;
    /// <summary>How many group commits may be in flight at once.</summary>
    public int CommitWriters { get; set; } = 1;
    /// <summary>
    /// <c>durable</c> (default): a response completes once its record is committed. <c>async</c>: it completes without
    /// waiting; records are group-committed within <see cref="AsyncLedgerWindow"/>, drained on a graceful stop, and
    /// a crash loses those still in memory (docs/configuration.md).
    /// </summary>
    public string Ledger { get; set; } = LedgerModes.Durable;
    /// <summary>With <c>Ledger=async</c>: how long the group commit gathers records before committing them.</summary>
    public TimeSpan AsyncLedgerWindow { get; set; } = TimeSpan.FromMilliseconds(50);
    /// <summary>
    /// With <c>Ledger=async</c>: the most records held in memory before responses wait for their commit again, which
    /// bounds both the memory and what a crash can lose.
    /// </summary>
    public int AsyncLedgerMaxPending { get; set; } = 2_000;
    public bool AsyncLedger => string.Equals(Ledger, LedgerModes.Async, StringComparison.OrdinalIgnoreCase);
    /// <summary>How often the in-memory control-plane views re-read PostgreSQL, to follow other nodes' changes.</summary>
    public TimeSpan ControlPlaneRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Prometheus text at <c>GET /metrics</c> (docs/observability.md).</summary>
    public bool Metrics { get; set; } = true;
    /// <summary>When set, <c>/metrics</c> answers only <c>Authorization: Bearer</c> with this token.</summary>
    public string? MetricsToken { get; set; }
    /// <summary>Per-key and per-team labels on request metrics: one series per key, so off unless asked for.</summary>
    public bool MetricsPerKeyLabels { get; set; }
    /// <summary>
    /// Spans for /v1 requests and their upstream attempts. Null (default): on when an OTLP endpoint is configured
    /// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>).
    /// </summary>
    public bool? Tracing { get; set; }
    /// <summary>Npgsql's own spans (each database command) under the request's trace, when tracing.</summary>
    public bool TraceDatabase { get; set; }
    /// <summary><c>text</c> (default) or <c>json</c>: one JSON object per console line, with the request id and trace id.</summary>
    public string LogFormat { get; set; } = "text";
    public bool JsonLogs => string.Equals(LogFormat, "json", StringComparison.OrdinalIgnoreCase);
    /// <summary>
    /// A node that has not said it is alive for this long loses its budget leases: the expiry sweep gives what they held
    /// unspent back to the budgets (docs/scaling.md).
    /// </summary>
    public TimeSpan BudgetLeaseTtl { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>How often a node says it is alive, closes idle leases and gives back what they hold; and how often the sweep runs.</summary>
    public TimeSpan BudgetLeaseTick { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Beyond what its waiting requests need, a node takes a slice of a budget worth this long of its recent spending.</summary>
    public TimeSpan BudgetLeaseHorizon { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>A lease nothing was reserved from for this long goes back.</summary>
    public TimeSpan BudgetLeaseIdle { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>A lease is closed and a new one opened after this long (it bounds what the expiry sweep reads).</summary>
    public TimeSpan BudgetLeaseRotation { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>A node short of a budget that other nodes hold waits this long for them to give it back before asking again.</summary>
    public TimeSpan BudgetLeaseShortageWait { get; set; } = TimeSpan.FromMilliseconds(150);
    /// <summary>
    /// The window of the requests- and tokens-per-minute limits (a minute; shorter only to test them): the limit holds
    /// over any window of this length aligned to its sixths, across every node.
    /// </summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary><c>/readyz</c> turns 503 when more request records than this wait for their commit.</summary>
    public int ReadyMaxPendingRecords { get; set; } = 10_000;

    public static GatewayOptions Bind(IConfiguration config)
    {
        var options = new GatewayOptions();
        config.GetSection("Gateway").Bind(options);
        options.Db = config["GATEWAY_DB"] ?? options.Db;
        options.Data = config["GATEWAY_DATA"] ?? options.Data;
        if (int.TryParse(config["GATEWAY_PORT"], out var port)) options.Port = port;
        options.AdminKey = config["GATEWAY_ADMIN_KEY"] ?? options.AdminKey;
        options.MasterKey = config["GATEWAY_MASTER_KEY"] ?? options.MasterKey;
        options.Demo = config["GATEWAY_DEMO"] is { } demo ? demo is "1" or "true" : options.Demo;
        options.DemoMockUrl = config["GATEWAY_DEMO_MOCK_URL"] ?? options.DemoMockUrl;
        options.DemoKey = config["GATEWAY_DEMO_KEY"] ?? options.DemoKey;
        if (string.IsNullOrWhiteSpace(options.Db))
            throw new InvalidOperationException("GATEWAY_DB is not set: give it an Npgsql connection string, or start with ./gateway run.");
        return options;
    }
}

public static class LedgerModes
{
    public const string Durable = "durable";
    public const string Async = "async";
}
