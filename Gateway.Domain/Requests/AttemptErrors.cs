namespace Gateway.Domain.Requests;

/// <summary>Why an upstream attempt did not serve: the values of <see cref="Attempt.ErrorClass"/>.</summary>
public static class AttemptErrors
{
    public const string RateLimited = "rate_limited";
    public const string ServerError = "server_error";
    public const string Unreachable = "unreachable";
    public const string Timeout = "timeout";
    public const string SlowFirstToken = "slow_first_token";
    public const string StreamBroken = "stream_broken";
    public const string CircuitOpen = "circuit_open";
    public const string ClientError = "client_error";
    public const string Disabled = "disabled";
    public const string Unsupported = "unsupported";

    /// <summary>Failures that say the target is unhealthy (not rate limits, not the request's own fault): they trip its breaker.</summary>
    public static bool CountsAgainstTarget(string? errorClass) =>
        errorClass is ServerError or Unreachable or Timeout or SlowFirstToken or StreamBroken;
}
