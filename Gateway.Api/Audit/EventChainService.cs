using Gateway.Analytics;

namespace Gateway.Api.Audit;

/// <summary>
/// Links new events into the tamper-evidence chain every <see cref="GatewayOptions.AuditChainInterval"/>, on the one
/// node (or command) holding the chain lock.
/// </summary>
public sealed class EventChainService(GatewayOptions options, ILogger<EventChainService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var chain = new EventChainStore(options.Db, options.Schema);
        ExportLock? held = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    held ??= await ExportLock.TryTakeAsync(options.Db, stoppingToken, ExportLock.ChainLockId);
                    if (held is not null) await chain.CatchUpAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Linking events into the audit chain failed, retrying: {Error}", ex.Message);
                    if (held is not null) await held.DisposeAsync();
                    held = null;
                }
                await Task.Delay(options.AuditChainInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: every link written is committed; the next writer goes on from the head.
        }
        finally
        {
            if (held is not null) await held.DisposeAsync();
        }
    }
}
