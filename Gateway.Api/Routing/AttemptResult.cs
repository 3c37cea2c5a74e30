using Gateway.Api.OpenAi;

namespace Gateway.Api.Routing;

/// <summary>
/// How one upstream attempt ended. A served attempt keeps its response (and, for streams, the relay that already
/// read up to the first token) for the caller to pass on; a failed one carries what the upstream said.
/// </summary>
public sealed class AttemptResult : IDisposable
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

    /// <summary>The catalog model this attempt went to.</summary>
    public ControlPlane.CatalogModel? Target { get; set; }
    public HttpResponseMessage? Response { get; init; }
    internal StreamRelay? Relay { get; init; }
    public CancellationTokenSource? Cancellation { get; init; }
    /// <summary>What must outlive the answer (the request body buffer, which the upstream may still be reading).</summary>
    public IDisposable? Owned { get; set; }
    public int? Status { get; init; }
    public string? ErrorClass { get; init; }
    public string? Message { get; init; }
    public string? Code { get; init; }
    public TimeSpan? RetryAfter { get; init; }
    /// <summary>Index of this attempt in the request's trail.</summary>
    public int TrailIndex { get; set; } = -1;
    /// <summary>The route allows another attempt (on this target or the next) after this failure.</summary>
    public bool MayMoveOn { get; init; }
    /// <summary>The route allows trying this same target again after this failure.</summary>
    public bool CanRetry { get; set; }

    public bool Served => ErrorClass is null;

    /// <summary>Failures that say the target is unhealthy (not rate limits, not the request's own fault).</summary>
    public bool CountsAgainstTarget => ErrorClass is ServerError or Unreachable or Timeout or SlowFirstToken or StreamBroken;

    public static AttemptResult Failed(string errorClass, string message, int? status = null, bool mayMoveOn = true) =>
        new() { ErrorClass = errorClass, Message = message, Status = status, MayMoveOn = mayMoveOn };

    public void Dispose()
    {
        Relay?.Dispose();
        Response?.Dispose();
        Cancellation?.Dispose();
        Owned?.Dispose();
    }
}
