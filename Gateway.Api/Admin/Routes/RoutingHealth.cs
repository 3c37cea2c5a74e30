using Gateway.Api.ControlPlane;
using Gateway.Api.Routing;
using Polly.CircuitBreaker;
using Wolverine.Http;

namespace Gateway.Api.Admin.Routes;

/// <summary>One model's circuit breaker on this node: closed (in rotation), open (skipped), half-open (one probe let through).</summary>
public sealed record TargetState(string Model, string State, double? AverageLatencyMs);

public static class RoutingHealthEndpoint
{
    /// <summary>Every enabled model's circuit-breaker state and moving-average latency, as this node sees them.</summary>
    [WolverineGet("/admin/routing/health", OperationId = "routingHealth")]
    [Tags("routes")]
    public static IReadOnlyList<TargetState> Get(ControlPlaneViews views, TargetHealth health) =>
        views.Current.EnabledModels.OrderBy(m => m.PublicId, StringComparer.Ordinal).Select(m => health.Known(m.Id) is { } target
            ? new TargetState(m.PublicId, Name(target.Circuit), target.AverageLatency == TimeSpan.Zero ? null : target.AverageLatency.TotalMilliseconds)
            : new TargetState(m.PublicId, "closed", null)).ToList();

    static string Name(CircuitState state) => state switch
    {
        CircuitState.Open or CircuitState.Isolated => "open",
        CircuitState.HalfOpen => "half-open",
        _ => "closed",
    };
}
