using Gateway.Api.ControlPlane;
using Gateway.Api.Recording;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Api.Hosting;

/// <summary>The control-plane views have been read from PostgreSQL at least once: keys, models and routes are known.</summary>
public sealed class ViewsLoadedCheck(ControlPlaneViews views) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(ReferenceEquals(views.Current, ControlPlaneSnapshot.Empty)
            ? HealthCheckResult.Unhealthy("The control-plane views have not been loaded yet.")
            : HealthCheckResult.Healthy());
}

/// <summary>The group commit keeps up: no more than <c>Gateway:ReadyMaxPendingRecords</c> request records wait for their commit.</summary>
public sealed class RecorderBacklogCheck(UsageRecorder recorder, GatewayOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var pending = recorder.Pending;
        return Task.FromResult(pending > options.ReadyMaxPendingRecords
            ? HealthCheckResult.Unhealthy($"{pending} request records wait for their commit (limit {options.ReadyMaxPendingRecords}).")
            : HealthCheckResult.Healthy());
    }
}
