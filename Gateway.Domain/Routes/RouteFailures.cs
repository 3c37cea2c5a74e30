using Gateway.Domain.Requests;

namespace Gateway.Domain.Routes;

/// <summary>How a route treats an attempt that failed: what the upstream's status means, and whether to try again.</summary>
public static class RouteFailures
{
    /// <summary>Longest Retry-After the gateway waits out on the same target; a longer one moves on to the next target.</summary>
    public static readonly TimeSpan LongestRetryWait = TimeSpan.FromSeconds(10);

    /// <summary>The error class of an upstream's non-success status, and whether the route's policy lets the request move on.</summary>
    public static (string ErrorClass, bool MayMoveOn) OfStatus(int status, RoutePolicy policy) => status switch
    {
        429 => (AttemptErrors.RateLimited, policy.OnRateLimit),
        408 or 504 => (AttemptErrors.Timeout, policy.OnTimeout),
        >= 500 => (AttemptErrors.ServerError, policy.OnServerError),
        // The request's own fault (bad content, refused credential): another target would refuse it too.
        _ => (AttemptErrors.ClientError, false),
    };

    /// <summary>
    /// Whether the same target is tried again: the failure lets the route move on, is not the request's own fault,
    /// the route has an attempt left after this one, and the upstream did not ask to wait longer than
    /// <see cref="LongestRetryWait"/>.
    /// </summary>
    /// <param name="attemptsBefore">Attempts the request made before this one.</param>
    public static bool MayRetry(string? errorClass, bool mayMoveOn, int attemptsBefore, int maxAttempts, TimeSpan? retryAfter) =>
        mayMoveOn && errorClass is not AttemptErrors.ClientError
        && attemptsBefore + 1 < maxAttempts
        && (retryAfter ?? TimeSpan.Zero) <= LongestRetryWait;
}
