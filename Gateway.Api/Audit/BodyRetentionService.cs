using Gateway.Api.Hosting;
using Marten;

namespace Gateway.Api.Audit;

/// <summary>
/// Every <see cref="GatewayOptions.BodyRetentionSweepInterval"/>, on the one node holding the retention lock, removes
/// the bodies that outlived their team's retention period (see <see cref="BodyErasure"/>).
/// </summary>
public sealed class BodyRetentionService(GatewayOptions options, IDocumentStore store, TimeProvider time, ILogger<BodyRetentionService> logger)
    : BackgroundService
{
    /// <summary>One sweep, now (also what the loop runs).</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var erased = 0;
        int round;
        do
        {
            await using var session = store.LightweightSession();
            erased += round = await BodyErasure.SweepAsync(session, time.GetUtcNow(), ct);
        }
        while (round > 0 && !ct.IsCancellationRequested);
        return erased;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        LeaderLoop.RunAsync(options.Db, Gateway.Analytics.ExportLock.BodyRetentionLockId(options.Schema), options.BodyRetentionSweepInterval,
            async (holding, ct) =>
            {
                if (holding && await SweepAsync(ct) is > 0 and var erased)
                    logger.LogInformation("Retention: erased the bodies of {Count} requests.", erased);
            },
            ex => logger.LogWarning("Body retention sweep failed, retrying: {Error}", ex.Message),
            stoppingToken);
}
