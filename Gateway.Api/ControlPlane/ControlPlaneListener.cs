using Gateway.Domain;
using Marten;
using Marten.Services;

namespace Gateway.Api.ControlPlane;

/// <summary>Reloads the in-memory views right after a commit that changed keys, catalog or providers.</summary>
public sealed class ControlPlaneListener(IServiceProvider services) : DocumentSessionListenerBase
{
    /// <summary>A transaction with a control-plane event tells the other nodes, on commit (<see cref="ControlPlaneNotifications"/>).</summary>
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (ChangesControlPlane(session.PendingChanges.Streams().SelectMany(stream => stream.Events)))
            session.QueueSqlCommand("select pg_notify(?, ?)",
                ControlPlaneNotifications.Channel(session.DocumentStore.Options.DatabaseSchemaName),
                services.GetRequiredService<ControlPlaneNotifications>().NodeId);
        return Task.CompletedTask;
    }

    static bool ChangesControlPlane(IEnumerable<JasperFx.Events.IEvent> events)
    {
        foreach (var e in events)
            if (e.Data is IControlPlaneEvent) return true;
        return false;
    }

    public override async Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (!ChangesControlPlane(commit.GetEvents())) return;
        try
        {
            await services.GetRequiredService<ControlPlaneViews>().ReloadAsync(token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The change is committed; the periodic refresh will pick it up. Failing the caller would tell it otherwise.
            services.GetRequiredService<ILogger<ControlPlaneListener>>().LogWarning(
                "The control plane could not be reloaded after a change ({Error}); the next periodic refresh will apply it", ex.Message);
        }
    }
}

/// <summary>Loads the views at start-up and re-reads them periodically to follow other nodes.</summary>
public sealed class ControlPlaneRefresher(ControlPlaneViews views, GatewayOptions options, ILogger<ControlPlaneRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.ControlPlaneRefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await views.ReloadAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                // Serving goes on from the last good snapshot while PostgreSQL is away.
                logger.LogWarning("Control-plane refresh failed, serving from the last snapshot: {Error}", ex.Message);
            }
        }
    }
}
