using Gateway.Analytics;
using Gateway.Api.Hosting;

namespace Gateway.Api.Analytics;

/// <summary>
/// Exports request and budget events to DuckDB continuously: every <see cref="GatewayOptions.AnalyticsExportInterval"/>,
/// on the one node (or command) holding the export lock. Its state is readable at GET /admin/analytics/status.
/// </summary>
public sealed class AnalyticsExportService(GatewayOptions options, ILogger<AnalyticsExportService> logger) : BackgroundService
{
    public ExportStatus Status { get; private set; } = new(false, 0, 0, null, null, null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.AnalyticsExport) return;
        // The database stays open between rounds while this node exports (EventExporter), and closes when it stops.
        using var exporter = new EventExporter(options.Db, options.Schema, options.AnalyticsFile, keepOpen: true);
        await LeaderLoop.RunAsync(options.Db, ExportLock.ExportLockId(options.Schema), options.AnalyticsExportInterval,
            async (holding, ct) =>
            {
                if (!holding)
                {
                    exporter.Dispose();
                    Status = Status with { Exporting = false };
                    return;
                }
                // The last committed batch and its watermark are in the file: a stop or a crash loses nothing.
                var exported = await exporter.ExportAsync(ct);
                Status = new ExportStatus(true, exporter.LastWatermark, Status.Exported + exported, DateTimeOffset.UtcNow, null, exporter.LastEventAt);
            },
            ex =>
            {
                logger.LogWarning("Analytics export failed, retrying: {Error}", ex.Message);
                Status = Status with { LastError = ex.Message };
            },
            stoppingToken);
    }
}

/// <param name="Exporting">This node holds the export lock.</param>
/// <param name="Watermark">The last event sequence exported.</param>
/// <param name="LastEventAt">When the newest exported event was recorded: under load, now minus this is the export lag.</param>
public sealed record ExportStatus(bool Exporting, long Watermark, long Exported, DateTimeOffset? LastRunAt, string? LastError, DateTimeOffset? LastEventAt);
