using System.Threading.Channels;
using Gateway.Domain.Requests;
using Marten;

namespace Gateway.Api.Recording;

/// <summary>
/// Group commit for request records. Requests hand their event (and bodies) over and wait; one writer
/// commits everything that queued up while the previous commit was in flight, in one transaction. A
/// request's response completes only after its record is durable, and nothing pending is dropped on a
/// graceful shutdown.
/// </summary>
public sealed class UsageRecorder(IDocumentStore store, GatewayOptions options, ILogger<UsageRecorder> logger) : BackgroundService
{
    readonly Channel<PendingRecord> queue = Channel.CreateUnbounded<PendingRecord>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    long committed;

    /// <summary>Records committed since start.</summary>
    public long Committed => Interlocked.Read(ref committed);

    /// <summary>Completes once the record is committed to PostgreSQL.</summary>
    public Task RecordAsync(RequestCompleted record, RequestBodies? bodies)
    {
        var pending = new PendingRecord(record, bodies);
        if (!queue.Writer.TryWrite(pending))
            throw new InvalidOperationException("The usage recorder is shut down; the request cannot be recorded.");
        return pending.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingRecord>(options.MaxCommitBatch);
        var reader = queue.Reader;
        // Not bound to stoppingToken: on shutdown the loop drains what is queued, then ends.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < options.MaxCommitBatch && reader.TryRead(out var next)) batch.Add(next);
            await CommitWithRetryAsync(batch, stoppingToken);
            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    async Task CommitWithRetryAsync(List<PendingRecord> batch, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var session = store.LightweightSession();
                foreach (var pending in batch)
                {
                    session.Events.StartStream(pending.Record.RequestId, pending.Record);
                    if (pending.Bodies is not null) session.Store(pending.Bodies);
                }
                await session.SaveChangesAsync(CancellationToken.None);
                Interlocked.Add(ref committed, batch.Count);
                foreach (var pending in batch) pending.Complete();
                return;
            }
            catch (Exception ex) when (attempt < 8 || !stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL away: the records stay in memory and their requests keep waiting.
                logger.LogWarning("Commit of {Count} request records failed (attempt {Attempt}), retrying in {Delay}: {Error}",
                    batch.Count, attempt, delay, ex.Message);
                await Task.Delay(delay, CancellationToken.None);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
            catch (Exception ex)
            {
                logger.LogError("Shutting down with {Count} request records not committed: {Error}", batch.Count, ex.Message);
                foreach (var pending in batch) pending.Fail(ex);
                return;
            }
        }
    }

    sealed class PendingRecord(RequestCompleted record, RequestBodies? bodies)
        : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public RequestCompleted Record { get; } = record;
        public RequestBodies? Bodies { get; } = bodies;
        public void Complete() => TrySetResult();
        public void Fail(Exception ex) => TrySetException(ex);
    }
}
