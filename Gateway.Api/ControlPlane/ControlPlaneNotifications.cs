using Npgsql;

namespace Gateway.Api.ControlPlane;

/// <summary>
/// Control-plane changes reach every node within about a second: a transaction that appends a control-plane event
/// also sends <c>pg_notify</c> on the schema's channel (delivered only if it commits), and every node LISTENs on it and
/// reloads its views. The periodic refresh stays as the fallback for a notification lost while a node's listening
/// connection was down. A node skips its own notifications: it reloaded after its own commit already.
/// </summary>
public sealed class ControlPlaneNotifications(ControlPlaneViews views, Budgets.BudgetLeaseKeeper leases, Fleet.NodeIdentity node,
    GatewayOptions options, ILogger<ControlPlaneNotifications> logger) : BackgroundService
{
    /// <summary>This node, as named in the notifications it sends (per host: a test process may run several).</summary>
    public string NodeId { get; } = node.Id.ToString("N");

    public static string Channel(string schema) => $"{schema}_control_plane";

    readonly SemaphoreSlim changed = new(0);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), ReloadAsync(stoppingToken));

    async Task ListenAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.Db)
                {
                    Pooling = false, KeepAlive = 15, ApplicationName = "gateway-control-plane-listener",
                }.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                var shortage = Budgets.BudgetLeases.ShortageChannel(options.Schema);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == shortage)
                    {
                        // "<node>:<budget>": a node short of a budget asks the others for what they hold of it.
                        if (!e.Payload.StartsWith(NodeId, StringComparison.Ordinal) && Guid.TryParse(e.Payload.AsSpan(e.Payload.IndexOf(':') + 1), out var budget))
                            leases.Asked(budget);
                        return;
                    }
                    if (e.Payload != NodeId) changed.Release();
                };
                await using (var listen = new NpgsqlCommand($"listen \"{Channel(options.Schema)}\"; listen \"{shortage}\"", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                // Whatever changed while this node was not listening: one reload now.
                changed.Release();
                delay = TimeSpan.FromMilliseconds(250);
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Listening for control-plane changes failed, retrying in {Delay}: {Error}", delay, ex.Message);
                try { await Task.Delay(delay, stoppingToken); }
                catch (OperationCanceledException) { return; }
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    async Task ReloadAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await changed.WaitAsync(stoppingToken);
                while (changed.CurrentCount > 0) await changed.WaitAsync(stoppingToken); // a burst of changes: one reload
                await views.ReloadAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Reloading after another node's control-plane change failed; the periodic refresh will apply it: {Error}", ex.Message);
            }
        }
    }
}
