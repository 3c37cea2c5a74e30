using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Gateway.Api.ControlPlane;

namespace Gateway.Api.Limits;

/// <summary>
/// Requests-per-minute and tokens-per-minute limits of keys and teams: sliding one-minute windows
/// (System.Threading.RateLimiting) in memory, per node. Tokens are the request's estimate — prompt tokens counted
/// with the tokenizer plus its max_tokens — since the real count is only known after the call.
/// </summary>
public sealed class RateLimits
{
    readonly ConcurrentDictionary<(Guid Owner, bool Tokens, int Limit), RateLimiter> limiters = new();

    /// <summary>Null when every limit lets the request through; else which limit refused it and when to come back.</summary>
    public RateLimitRefusal? TryAcquire(GatewayKey key, Func<long> estimatedTokens)
    {
        if (Refuse(key.Id, "key", false, key.RequestsPerMinute, 1) is { } keyRequests) return keyRequests;
        if (Refuse(key.TeamId, "team", false, key.TeamRequestsPerMinute, 1) is { } teamRequests) return teamRequests;
        if (key.TokensPerMinute is null && key.TeamTokensPerMinute is null) return null;
        var tokens = estimatedTokens();
        return Refuse(key.Id, "key", true, key.TokensPerMinute, tokens) ?? Refuse(key.TeamId, "team", true, key.TeamTokensPerMinute, tokens);
    }

    RateLimitRefusal? Refuse(Guid owner, string scope, bool tokens, int? limit, long count)
    {
        if (limit is not { } perMinute) return null;
        if (count > perMinute) return new RateLimitRefusal(scope, tokens, perMinute, count, TimeSpan.FromMinutes(1));
        var limiter = limiters.GetOrAdd((owner, tokens, perMinute), static k => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = k.Limit,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        using var lease = limiter.AttemptAcquire((int)count);
        if (lease.IsAcquired) return null;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(10);
        return new RateLimitRefusal(scope, tokens, perMinute, count, retryAfter);
    }
}

/// <param name="Scope">key or team.</param>
/// <param name="Tokens">True for the tokens-per-minute limit, false for requests per minute.</param>
public sealed record RateLimitRefusal(string Scope, bool Tokens, int Limit, long Requested, TimeSpan RetryAfter)
{
    public string Message => Tokens
        ? $"Rate limit reached for this {Scope} on tokens per minute: limit {Limit}, this request needs up to {Requested} (prompt and max_tokens). Try again in {Math.Ceiling(RetryAfter.TotalSeconds)} s."
        : $"Rate limit reached for this {Scope} on requests per minute: limit {Limit}. Try again in {Math.Ceiling(RetryAfter.TotalSeconds)} s.";
}
