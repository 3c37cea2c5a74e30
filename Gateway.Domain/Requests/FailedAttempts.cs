using System.Globalization;
using System.Text;

namespace Gateway.Domain.Requests;

/// <summary>The last attempt of a request that no target served: what the client's error is told from.</summary>
/// <param name="Provider">Name of the provider the attempt went to; null when it went nowhere.</param>
public readonly record struct LastAttempt(string? ErrorClass, int? Status, string? Message, string? Code, TimeSpan? RetryAfter, string? Provider);

/// <summary>An error for the client: its HTTP status, message, <see cref="ErrorTypes">type</see> and code.</summary>
/// <param name="Param">The request field at fault, if one is.</param>
/// <param name="RetryAfterSeconds">The <c>Retry-After</c> to send, if any.</param>
public readonly record struct ClientError(int Status, string Message, string Type, string Code, string? Param = null, long? RetryAfterSeconds = null);

/// <summary>
/// What a client is told when no target served its request: one error, from the last attempt, that names every
/// attempt when there were several (or when a route was asked for).
/// </summary>
public static class FailedAttempts
{
    /// <param name="attempts">The request's attempt trail, in order.</param>
    /// <param name="route">The route asked for by name; null for a plain catalog model.</param>
    /// <param name="singleTarget">A plain catalog model: one target, one attempt, errors as the upstream gave them.</param>
    /// <param name="timeBudgetSpent">The route's time budget ran out (not the gateway's own upstream timeout).</param>
    /// <param name="last">The last attempt; null when no attempt was made.</param>
    public static ClientError Answer(IReadOnlyList<Attempt> attempts, string? route, bool singleTarget, bool timeBudgetSpent, LastAttempt? last)
    {
        var summary = attempts.Count <= 1 && singleTarget ? null : Summary(attempts, route, timeBudgetSpent);
        var error = Of(last);
        return error with { Message = summary + error.Message };
    }

    static ClientError Of(LastAttempt? attempt)
    {
        if (attempt is not { } last) return new(503, "No target of this route is available.", ErrorTypes.Upstream, "no_target_available");
        var suffix = last.Message is { } m && last.ErrorClass is AttemptErrors.RateLimited or AttemptErrors.ServerError or AttemptErrors.ClientError ? $": {m}" : "";
        var named = last.Provider is null ? "The provider" : $"Provider '{last.Provider}'";
        long? retryAfter = last.RetryAfter is { } wait && last.ErrorClass is AttemptErrors.RateLimited or AttemptErrors.ServerError
            ? (long)Math.Ceiling(wait.TotalSeconds)
            : null;
        return (last.ErrorClass, last.Status) switch
        {
            (AttemptErrors.RateLimited, _) => new(429, $"{named} is rate limiting requests{suffix}", ErrorTypes.RateLimit, "rate_limit_exceeded", RetryAfterSeconds: retryAfter),
            (AttemptErrors.ClientError, 401 or 403) => new(502, $"{named} refused the credential (HTTP {last.Status}).", ErrorTypes.Upstream, "upstream_auth_failed"),
            (AttemptErrors.ClientError, { } s) => new(s, $"{named} rejected the request{suffix}", ErrorTypes.InvalidRequest, last.Code ?? "upstream_rejected"),
            (AttemptErrors.ServerError, 503 or 529) => new(503, $"{named} is overloaded or unavailable (HTTP {last.Status}){suffix}", ErrorTypes.Upstream, "upstream_overloaded", RetryAfterSeconds: retryAfter),
            (AttemptErrors.ServerError, { } s) => new(502, $"{named} failed with HTTP {s}{suffix}", ErrorTypes.Upstream, "upstream_error", RetryAfterSeconds: retryAfter),
            (AttemptErrors.Timeout, { } s) => new(504, $"{named} timed out (HTTP {s}){suffix}", ErrorTypes.Upstream, "upstream_timeout"),
            (AttemptErrors.Timeout or AttemptErrors.SlowFirstToken, _) => new(504, last.Message ?? "The provider timed out.", ErrorTypes.Upstream, "upstream_timeout"),
            (AttemptErrors.Unreachable, _) => new(502, last.Message!, ErrorTypes.Upstream, "upstream_unreachable"),
            (AttemptErrors.StreamBroken, _) => new(502, last.Message!, ErrorTypes.Upstream, "stream_interrupted"),
            (AttemptErrors.CircuitOpen, _) => new(503, last.Message! + ".", ErrorTypes.Upstream, "circuit_open"),
            _ => new(503, "No target of this route is available.", ErrorTypes.Upstream, "no_target_available", RetryAfterSeconds: retryAfter),
        };
    }

    /// <summary><c>Route 'smart': all 3 attempts failed (a: timeout; b: server_error 500; c: rate_limited 429). </c></summary>
    static string Summary(IReadOnlyList<Attempt> attempts, string? route, bool timeBudgetSpent)
    {
        var text = new StringBuilder(128);
        if (route is not null) text.Append("Route '").Append(route).Append("': ");
        if (timeBudgetSpent) text.Append("its time budget ran out after ");
        text.Append("all ").Append(attempts.Count.ToString(CultureInfo.InvariantCulture)).Append(" attempts failed (");
        for (var i = 0; i < attempts.Count; i++)
        {
            if (i > 0) text.Append("; ");
            var attempt = attempts[i];
            text.Append(attempt.Model).Append(": ").Append(attempt.ErrorClass);
            if (attempt.Status is { } status) text.Append(' ').Append(status.ToString(CultureInfo.InvariantCulture));
        }
        return text.Append("). ").ToString();
    }
}
