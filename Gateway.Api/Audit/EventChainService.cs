using Gateway.Analytics;
using Gateway.Api.Hosting;

namespace Gateway.Api.Audit;

/// <summary>
/// Links new events into the tamper-evidence chain every <see cref="GatewayOptions.AuditChainInterval"/>, on the one
/// node (or command) holding the chain lock.
/// </summary>
public sealed class EventChainService(GatewayOptions options, ILogger<EventChainService> logger) : BackgroundService
{
    /// <summary>When this node last caught the chain up with the events; null while another node holds the chain lock.</summary>
    public DateTimeOffset? CaughtUpAt { get; private set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var chain = new EventChainStore(options.Db, options.Schema);
        return LeaderLoop.RunAsync(options.Db, ExportLock.ChainLockId(options.Schema), options.AuditChainInterval,
            async (holding, ct) =>
            {
                if (!holding)
                {
                    CaughtUpAt = null;
                    return;
                }
                await chain.CatchUpAsync(ct);
                CaughtUpAt = DateTimeOffset.UtcNow;
            },
            ex => logger.LogWarning("Linking events into the audit chain failed, retrying: {Error}", ex.Message),
            stoppingToken);
    }
}
