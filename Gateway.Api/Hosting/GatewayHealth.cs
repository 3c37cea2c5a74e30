using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Api.Hosting;

/// <summary>
/// <c>/readyz</c> (and <c>/health</c>): ready to serve — PostgreSQL answers, the control-plane views are loaded and the
/// group commit is not backed up (200, or 503 naming the failing check). <c>/healthz</c> (and <c>/health/live</c>): the
/// process is up, whatever the database does (for a liveness probe that must not restart a gateway because PostgreSQL
/// is down). All are open, without a key, and say nothing secret.
/// </summary>
public static class GatewayHealth
{
    public static IServiceCollection AddGatewayHealth(this IServiceCollection services)
    {
        services.AddSingleton<PostgresHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgresql", timeout: PostgresHealthCheck.Timeout + TimeSpan.FromSeconds(1))
            .AddCheck<ViewsLoadedCheck>("views")
            .AddCheck<RecorderBacklogCheck>("recorder");
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder app)
    {
        foreach (var ready in new[] { "/readyz", "/health" })
            app.MapHealthChecks(ready, new HealthCheckOptions { ResponseWriter = WriteAsync }).ExcludeFromDescription();
        foreach (var live in new[] { "/healthz", "/health/live" })
            app.MapHealthChecks(live, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).ExcludeFromDescription();
        return app;
    }

    static Task WriteAsync(HttpContext ctx, HealthReport report)
    {
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(ctx.Response.Body, new
        {
            status = Word(report.Status),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = Word(e.Value.Status),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        }, JsonSerializerOptions.Web, ctx.RequestAborted);
    }

    static string Word(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
