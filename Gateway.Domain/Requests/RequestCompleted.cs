namespace Gateway.Domain.Requests;

/// <summary>
/// One request through the gateway reached its end, successful or not. Version 1 of the request record:
/// facts only, never a secret. Bodies live outside the event table (see RequestBodies).
/// Durations are milliseconds with microsecond precision.
/// </summary>
public sealed record RequestCompleted
{
    public required Guid RequestId { get; init; }
    public required Guid KeyId { get; init; }
    public required Guid TeamId { get; init; }
    /// <summary>The account of the key's team, when it has one.</summary>
    public Guid? AccountId { get; init; }
    /// <summary>The endpoint kind: chat or embeddings.</summary>
    public required string Operation { get; init; }
    public required string ModelAsked { get; init; }
    /// <summary>Public id of the catalog model that served it; null when none did.</summary>
    public string? ModelServed { get; init; }
    public Guid? ProviderId { get; init; }
    /// <summary>Which credential paid for the upstream call (by id, never the secret).</summary>
    public Guid? CredentialId { get; init; }
    /// <summary>Whose credential it was: gateway (the provider's own), team (the team's BYOK) or request (sent with the request).</summary>
    public string? CredentialKind { get; init; }
    /// <summary>The HTTP status the client received.</summary>
    public required int Status { get; init; }
    /// <summary>OpenAI-style error code when the request failed (model_not_found, upstream_error, stream_interrupted…).</summary>
    public string? ErrorCode { get; init; }
    public int? UpstreamStatus { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public long TotalTokens { get; init; }
    /// <summary>Prompt tokens read from the provider's prompt cache (part of <see cref="PromptTokens"/>).</summary>
    public long CachedPromptTokens { get; init; }
    /// <summary>Prompt tokens written to the provider's prompt cache (part of <see cref="PromptTokens"/>).</summary>
    public long CacheCreationTokens { get; init; }
    /// <summary>True when the upstream did not report usage and the tokens were counted by the gateway.</summary>
    public bool UsageEstimated { get; init; }
    public decimal Cost { get; init; }
    public bool Streamed { get; init; }
    public double? UpstreamTtfbMs { get; init; }
    public double? UpstreamMs { get; init; }
    public required double TotalMs { get; init; }
    /// <summary>Time spent in the gateway itself: total minus the upstream call, before the durable commit.</summary>
    public required double OverheadMs { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
    /// <summary>The route the model name resolved to, or null when it named a catalog model directly.</summary>
    public string? Route { get; init; }
    /// <summary>Every upstream attempt in order, with why the gateway moved on; empty when none was made.</summary>
    public IReadOnlyList<Attempt> Attempts { get; init; } = [];
    /// <summary>The budget whose exhaustion sent the request to its cheaper model instead of the one asked for.</summary>
    public Guid? DowngradedBy { get; init; }
    /// <summary>
    /// The W3C trace id of the request's span (32 hex digits) when the gateway traced it: the client's trace when it sent
    /// a <c>traceparent</c>. Added 2026-12-07; absent from earlier records and when tracing is off.
    /// </summary>
    public string? TraceId { get; init; }
    /// <summary>
    /// The API the client called: <c>chat.completions</c>, <c>embeddings</c>, <c>messages</c> or <c>responses</c>. Added
    /// 2026-12-07; absent from earlier records (read those by <see cref="Operation"/>).
    /// </summary>
    public string? ClientApi { get; init; }
    /// <summary>
    /// Served from the gateway's response cache: no provider was called, nothing was spent (<see cref="Cost"/> 0) and
    /// <see cref="CostSaved"/> is what the cached answer cost when it was made. Added 2026-12-07.
    /// </summary>
    public bool CacheHit { get; init; }
    public decimal? CostSaved { get; init; }
}
