using Gateway.Analytics;

namespace Gateway.Api.Hosting;

/// <summary>
/// The loop of a job that must run on one node at a time: every interval, try to hold (or keep holding) a PostgreSQL
/// advisory lock, then run a round that knows whether this node holds it. After a failed round the lock is let go
/// (its connection may be the cause) and taken again on the next try. A node that does not hold the lock tries again
/// within <see cref="TakeOverWithin"/> whatever the job's interval, so a job whose node died moves within seconds (the
/// dead node's session, and its lock, end with its connection).
/// </summary>
public static class LeaderLoop
{
    public static readonly TimeSpan TakeOverWithin = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(string postgres, long lockId, TimeSpan interval,
        Func<bool, CancellationToken, Task> round, Action<Exception> failed, CancellationToken ct)
    {
        ExportLock? held = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    held ??= await ExportLock.TryTakeAsync(postgres, ct, lockId);
                    await round(held is not null, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failed(ex);
                    if (held is not null) await held.DisposeAsync();
                    held = null;
                }
                await Task.Delay(held is null && interval > TakeOverWithin ? TakeOverWithin : interval, ct);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: every round commits what it did; the next holder goes on from there.
        }
        finally
        {
            if (held is not null) await held.DisposeAsync();
        }
    }
}
