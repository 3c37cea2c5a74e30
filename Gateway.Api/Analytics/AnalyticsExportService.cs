using Gateway.Analytics;

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
        var exporter = new EventExporter(options.Db, options.Schema, options.AnalyticsFile);
        ExportLock? held = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    held ??= await ExportLock.TryTakeAsync(options.Db, stoppingToken);
                    if (held is not null)
                    {
                        var exported = await exporter.ExportAsync(stoppingToken);
                        Status = new ExportStatus(true, exporter.LastWatermark, Status.Exported + exported, DateTimeOffset.UtcNow, null, exporter.LastEventAt);
                    }
                    else Status = Status with { Exporting = false };
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Analytics export failed, retrying: {Error}", ex.Message);
                    Status = Status with { LastError = ex.Message };
                    if (held is not null) await held.DisposeAsync();
                    held = null;
                }
                await Task.Delay(options.AnalyticsExportInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the last committed batch and its watermark are in the file; the next start goes on from there.
        }
        finally
        {
            if (held is not null) await held.DisposeAsync();
        }
    }
}

/// <param name="Exporting">This node holds the export lock.</param>
/// <param name="Watermark">The last event sequence exported.</param>
/// <param name="LastEventAt">When the newest exported event was recorded: under load, now minus this is the export lag.</param>
public sealed record ExportStatus(bool Exporting, long Watermark, long Exported, DateTimeOffset? LastRunAt, string? LastError, DateTimeOffset? LastEventAt);
