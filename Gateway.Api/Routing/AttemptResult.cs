using Gateway.Domain.Requests;

namespace Gateway.Api.Routing;

/// <summary>
/// How one upstream attempt ended. A served attempt keeps its response for the caller to pass on (a streamed one, the
/// relay that already read up to the first token: see the request path's <c>PrimedStream</c>); a failed one carries
/// what the upstream said, its error class one of <see cref="AttemptErrors"/>.
/// </summary>
public class AttemptResult : IDisposable
{
    /// <summary>The catalog model this attempt went to.</summary>
    public ControlPlane.CatalogModel? Target { get; set; }
    public HttpResponseMessage? Response { get; init; }
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
    public bool CountsAgainstTarget => AttemptErrors.CountsAgainstTarget(ErrorClass);

    public static AttemptResult Failed(string errorClass, string message, int? status = null, bool mayMoveOn = true) =>
        new() { ErrorClass = errorClass, Message = message, Status = status, MayMoveOn = mayMoveOn };

    public virtual void Dispose()
    {
        Response?.Dispose();
        Cancellation?.Dispose();
        Owned?.Dispose();
    }
}
