namespace Gateway.Domain.Requests;

/// <summary>
/// One upstream attempt of a request, as carried in its record's attempt trail.
/// </summary>
/// <param name="Model">Public id of the catalog model tried.</param>
/// <param name="Status">The upstream's HTTP status, or null when none came (refused, timed out, circuit open).</param>
/// <param name="ErrorClass">Null for the attempt that served; else rate_limited, server_error, unreachable, timeout,
/// slow_first_token, circuit_open, stream_broken, client_error.</param>
/// <param name="Outcome">served, retried (same target again), fell_back (next target), or failed (the client got this error).</param>
public sealed record Attempt(string Model, Guid ProviderId, int? Status, string? ErrorClass, double LatencyMs, string Outcome);
