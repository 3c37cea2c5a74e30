using System.Security.Cryptography;
using System.Text;
using Gateway.Api.Observability;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Api.Hosting;

/// <summary>
/// OpenTelemetry for the gateway: its meter always (Prometheus text at <c>/metrics</c>, OTLP push when an endpoint is
/// configured through the standard <c>OTEL_*</c> variables), its spans when tracing is on.
/// </summary>
public static class GatewayTelemetry
{
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, GatewayOptions options, IConfiguration config)
    {
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<GatewayGauges>();
        var otlp = !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var otlpTraces = otlp || !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
        var otlpMetrics = otlp || !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(config["OTEL_SERVICE_NAME"] ?? "ai-gateway"));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(GatewayMetrics.MeterName);
            // No cached answer between scrapes: a scrape is rare and cheap, and must see what just happened.
            if (options.Metrics) metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
            if (otlpMetrics) metrics.AddOtlpExporter();
        });
        if (options.Tracing ?? otlpTraces)
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(GatewayTracing.SourceName);
                if (options.TraceDatabase) tracing.AddSource("Npgsql");
                if (otlpTraces) tracing.AddOtlpExporter();
            });
        return services;
    }

    /// <summary><c>GET /metrics</c>, behind a bearer token when <c>Gateway:MetricsToken</c> is set.</summary>
    public static IApplicationBuilder UseGatewayMetrics(this IApplicationBuilder app, GatewayOptions options)
    {
        // The gauges read in-memory state at each collection, for /metrics and OTLP alike.
        app.ApplicationServices.GetRequiredService<GatewayGauges>();
        if (!options.Metrics) return app;
        var expected = options.MetricsToken is { Length: > 0 } token ? Encoding.UTF8.GetBytes("Bearer " + token) : null;
        return app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: null, path: "/metrics",
            configureBranchedPipeline: branch => branch.Use(async (ctx, next) =>
            {
                if (expected is not null && !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(ctx.Request.Headers.Authorization.ToString()), expected))
                {
                    ctx.Response.StatusCode = 401;
                    ctx.Response.Headers.WWWAuthenticate = "Bearer";
                    return;
                }
                await next(ctx);
            }), optionsName: null);
    }
}
