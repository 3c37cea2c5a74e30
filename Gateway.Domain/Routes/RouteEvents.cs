namespace Gateway.Domain.Routes;

/// <summary>
/// A route was defined (created, or replaced as a whole): a public name such as <c>smart</c> served by tiers of
/// catalog models. The first tier is the primary; each later tier is a fallback. The targets of one tier are
/// equivalent deployments, balanced by <see cref="RoutePolicy.Balancing"/>.
/// </summary>
public sealed record RouteDefined(Guid RouteId, string Name, IReadOnlyList<RouteTier> Tiers, RoutePolicy Policy) : IControlPlaneEvent;

/// <summary>A route was removed; its name no longer resolves.</summary>
public sealed record RouteRemoved(Guid RouteId, string Name) : IControlPlaneEvent;

public sealed record RouteTier(IReadOnlyList<RouteTarget> Targets);

/// <param name="Model">Public id of a catalog model.</param>
/// <param name="Weight">Share of the tier's traffic under weighted balancing.</param>
public sealed record RouteTarget(string Model, int Weight = 1);

/// <summary>How a route reacts to failures. Times are milliseconds.</summary>
public sealed record RoutePolicy
{
    public static readonly RoutePolicy Default = new();

    /// <summary><c>weighted</c> or <c>least-latency</c> (moving average of each target's time to first byte).</summary>
    public string Balancing { get; init; } = RouteBalancing.Weighted;

    /// <summary>Move on when the upstream answers 429.</summary>
    public bool OnRateLimit { get; init; } = true;

    /// <summary>Move on when the upstream answers 5xx or cannot be reached (refused, reset).</summary>
    public bool OnServerError { get; init; } = true;

    /// <summary>Move on when an attempt exceeds <see cref="AttemptTimeoutMs"/>.</summary>
    public bool OnTimeout { get; init; } = true;

    /// <summary>Answers through this route are cached this long (exact-match response cache); null: the key's or team's setting.</summary>
    public int? CacheTtlSeconds { get; init; }

    /// <summary>Give up on an attempt whose first byte (first token when streaming) takes longer; null = no threshold.</summary>
    public int? FirstTokenTimeoutMs { get; init; }

    /// <summary>Longest one attempt may take to its first byte (first token when streaming).</summary>
    public int AttemptTimeoutMs { get; init; } = 60_000;

    /// <summary>Retries on the same target before moving on (exponential backoff with jitter, Retry-After honoured).</summary>
    public int RetriesPerTarget { get; init; }

    public int BackoffMs { get; init; } = 200;

    /// <summary>Most attempts for one request, over all targets and retries.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Time budget for all attempts of one request, waits included.</summary>
    public int TimeBudgetMs { get; init; } = 120_000;
}

public static class RouteBalancing
{
    public const string Weighted = "weighted";
    public const string LeastLatency = "least-latency";

    public static bool IsKnown(string? value) => value is Weighted or LeastLatency;
}
