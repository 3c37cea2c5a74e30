using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Gateway.Domain.Budgets;
using Gateway.Domain.Requests;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Recording;

/// <summary>
/// Group commit for request records. Requests hand their event (and bodies) over and wait; one writer
/// commits everything that queued up while the previous commit was in flight, in one transaction. A
/// request's response completes only after its record is durable, and nothing pending is dropped on a
/// graceful shutdown.
/// </summary>
public sealed class UsageRecorder(IDocumentStore store, GatewayOptions options, IServiceScopeFactory scopes, IMeterFactory meters, ILogger<UsageRecorder> logger) : IHostedService
{
    readonly Histogram<double> commitSeconds = meters.Create(Observability.GatewayMetrics.MeterName).CreateHistogram<double>("gateway.recorder.commit.duration", "s",
        "Duration of each group commit of request records.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024] });
    readonly Histogram<long> commitRecords = meters.Create(Observability.GatewayMetrics.MeterName).CreateHistogram<long>("gateway.recorder.commit.records", "{record}",
        "Request records in each group commit.", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
    readonly CancellationTokenSource stopping = new();
    Task loops = Task.CompletedTask;
    readonly Channel<PendingRecord> queue = Channel.CreateUnbounded<PendingRecord>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    // Records handed over and not yet settled, by request id: a second hand-over of the same id joins the first.
    readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, PendingRecord> inFlight = new();

    long committed;
    long batches;
    long commitTicks;
    long pending;
    readonly SemaphoreSlim flush = new(0);
    readonly RequestStreamAppend append = new(store, options.Schema);
    int FlushAt => Math.Min(options.MaxCommitBatch, options.AsyncLedgerMaxPending);

    /// <summary>Records handed over and not yet committed (with the async ledger: what a crash now would lose).</summary>
    public long Pending => Interlocked.Read(ref pending);

    /// <summary>What the group commit has done since start: the figures that explain the hot path's tail.</summary>
    public RecorderStats Stats()
    {
        var done = Interlocked.Read(ref batches);
        var records = Interlocked.Read(ref committed);
        var ms = TimeSpan.FromTicks(Interlocked.Read(ref commitTicks)).TotalMilliseconds;
        return new RecorderStats(records, done, Interlocked.Read(ref pending),
            done == 0 ? 0 : Math.Round((double)records / done, 2), done == 0 ? 0 : Math.Round(ms / done, 3));
    }

    /// <summary>
    /// Completes once the record is committed to PostgreSQL, with the events that belong to it (budget debits and
    /// thresholds, on the request's stream) and the messages it causes (webhook alerts, through Wolverine's durable
    /// outbox in the same transaction, sent once it commits).
    /// </summary>
    /// <remarks>
    /// Idempotent by request id: a record whose id is already waiting completes with the first one, and one whose id is
    /// already in PostgreSQL (an earlier hand-over, or a commit whose acknowledgement was lost) completes as recorded
    /// without a second stream.
    /// </remarks>
    public Task RecordAsync(RequestCompleted record, RequestBodies? bodies, IReadOnlyList<object>? events = null, IReadOnlyList<object>? messages = null,
        StoredResponse? kept = null)
    {
        var item = new PendingRecord(record, bodies, events, messages, kept);
        var first = inFlight.GetOrAdd(record.RequestId, item);
        if (!ReferenceEquals(first, item)) return first.Task;
        if (!queue.Writer.TryWrite(item))
        {
            inFlight.TryRemove(record.RequestId, out _);
            throw new InvalidOperationException("The usage recorder is shut down; the request cannot be recorded.");
        }
        // An async ledger's window ends early once a full batch, or its limit in memory, is waiting.
        if (Interlocked.Increment(ref pending) >= FlushAt && options.AsyncLedger && flush.CurrentCount == 0) flush.Release();
        return item.Task;
    }

    /// <summary>
    /// A few writers share the queue: while one commit waits on PostgreSQL's fsync the next batch is already
    /// being sent, so a request waits for about one commit, not one and a half.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Not BackgroundService: its ExecuteAsync may never start when the host stops right after starting, and
        // then records queued in between would be lost. These loops always start, and always drain the queue.
        loops = Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.CommitWriters)).Select(_ => Task.Run(() => WriteLoopAsync(stopping.Token))));
        return Task.CompletedTask;
    }

    async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingRecord>(options.MaxCommitBatch);
        var reader = queue.Reader;
        // Not bound to stoppingToken: on shutdown the loop drains what is queued, then ends.
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            // Nobody waits on an async ledger's commit: gather a window's worth of records into one commit. Not on
            // shutdown, which drains at once, and not once a full batch (or the limit in memory) is waiting: under more
            // load than one commit a window carries, waiting would let the records in memory grow without end.
            if (options.AsyncLedger && !stoppingToken.IsCancellationRequested && reader.Count < FlushAt)
            {
                try { await flush.WaitAsync(options.AsyncLedgerWindow, stoppingToken); }
                catch (OperationCanceledException) { }
            }
            while (batch.Count < options.MaxCommitBatch && reader.TryRead(out var next)) batch.Add(next);
            await CommitWithRetryAsync(batch, stoppingToken);
            batch.Clear();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await stopping.CancelAsync();
        await loops.WaitAsync(cancellationToken);
    }

    async Task CommitWithRetryAsync(List<PendingRecord> batch, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // After a failure the outcome of the last commit may be unknown (PostgreSQL crashed after committing,
                // before answering): whatever is already there is recorded, never written twice.
                if (attempt > 1 && await SettleAlreadyRecordedAsync(batch) == 0) return;
                await CommitAsync(batch);
                return;
            }
            catch (Exception ex) when (!IsTransient(ex))
            {
                // Something in the batch itself is refused: commit the records one by one so one bad
                // record cannot hold the others back, and keep a record even if its bodies are refused.
                logger.LogWarning("A batch of {Count} request records was refused ({Error}); committing them one by one", batch.Count, DatabaseFailure.Describe(ex));
                foreach (var item in batch) await CommitAloneAsync(item);
                return;
            }
            catch (Exception ex) when (attempt < 8 || !stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL away: the records stay in memory and their requests keep waiting.
                logger.LogWarning("Commit of {Count} request records failed (attempt {Attempt}), retrying in {Delay}: {Error}",
                    batch.Count, attempt, delay, DatabaseFailure.Describe(ex));
                await Task.Delay(delay, CancellationToken.None);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
            catch (Exception ex)
            {
                logger.LogError("Shutting down with {Count} request records not committed: {Error}", batch.Count, DatabaseFailure.Describe(ex));
                foreach (var item in batch) Settle(item, ex);
                return;
            }
        }
    }

    /// <summary>
    /// Completes (and removes from the batch) every record whose request stream already exists in PostgreSQL.
    /// </summary>
    /// <returns>How many records of the batch are still to be written.</returns>
    async Task<int> SettleAlreadyRecordedAsync(List<PendingRecord> batch)
    {
        var ids = new Guid[batch.Count];
        for (var i = 0; i < batch.Count; i++) ids[i] = batch[i].Record.RequestId;
        await using var session = store.QuerySession();
        var existing = await session.QueryAsync<Guid>($"select id from {options.Schema}.mt_streams where id = any(?)", CancellationToken.None, [ids]);
        if (existing.Count == 0) return batch.Count;
        var found = existing.ToHashSet();
        var recorded = batch.RemoveAll(item =>
        {
            if (!found.Contains(item.Record.RequestId)) return false;
            Settle(item, null);
            return true;
        });
        Interlocked.Add(ref committed, recorded);
        logger.LogInformation("{Count} request records were already committed (a commit whose answer was lost, or a repeated hand-over)", recorded);
        return batch.Count;
    }

    async Task CommitAsync(List<PendingRecord> batch, bool withBodies = true)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var session = store.LightweightSession();
        var streams = new (Guid, IReadOnlyList<object>)[batch.Count];
        var bodies = withBodies ? new List<RequestBodies>(batch.Count) : null;
        List<StoredResponse>? kept = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            // The request and what it cost each budget are one fact: one stream, committed together or not at all.
            object[] events;
            if (item.Events is { Count: > 0 } more)
            {
                events = new object[more.Count + 1];
                for (var j = 0; j < more.Count; j++) events[j + 1] = more[j];
            }
            else events = new object[1];
            events[0] = item.Record;
            streams[i] = (item.Record.RequestId, events);
            if (item.Bodies is not null) bodies?.Add(item.Bodies);
            if (withBodies && item.Kept is not null) (kept ??= []).Add(item.Kept);
        }
        append.Queue(session, streams);
        if (bodies is not null) session.QueueInsert(bodies);
        if (kept is not null) session.QueueInsert(kept);
        if (batch.Exists(i => i.Messages is { Count: > 0 }))
        {
            // Rare (a budget threshold crossed): enlist Wolverine's outbox so the alerts are stored in this transaction.
            await using var scope = scopes.CreateAsyncScope();
            var outbox = scope.ServiceProvider.GetRequiredService<Wolverine.Marten.IMartenOutbox>();
            outbox.Enroll(session);
            foreach (var item in batch)
                if (item.Messages is { } messages)
                    foreach (var message in messages) await outbox.PublishAsync(message);
            await session.SaveChangesAsync(CancellationToken.None);
        }
        else await session.SaveChangesAsync(CancellationToken.None);
        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Interlocked.Add(ref commitTicks, took.Ticks);
        commitSeconds.Record(took.TotalSeconds);
        commitRecords.Record(batch.Count);
        Interlocked.Increment(ref batches);
        Interlocked.Add(ref committed, batch.Count);
        foreach (var item in batch) Settle(item, null);
    }

    /// <summary>The record's wait ends, recorded or failed; its id may be handed over again only after this.</summary>
    void Settle(PendingRecord item, Exception? failure)
    {
        Interlocked.Decrement(ref pending);
        inFlight.TryRemove(new KeyValuePair<Guid, PendingRecord>(item.Record.RequestId, item));
        if (failure is null) item.Complete();
        else item.Fail(failure);
    }

    async Task CommitAloneAsync(PendingRecord item)
    {
        List<PendingRecord> one = [item];
        try
        {
            if (await SettleAlreadyRecordedAsync(one) == 0) return;
            await CommitAsync(one);
        }
        catch (Exception ex) when (!IsTransient(ex) && item.Bodies is not null)
        {
            logger.LogWarning("Bodies of request {RequestId} were refused ({Error}); recording the request without them", item.Record.RequestId, DatabaseFailure.Describe(ex));
            try { await CommitAsync(one, withBodies: false); }
            catch (Exception again) { FailOne(item, again); }
        }
        catch (Exception ex)
        {
            FailOne(item, ex);
        }
    }

    void FailOne(PendingRecord item, Exception ex)
    {
        logger.LogError("Request {RequestId} could not be recorded: {Error}", item.Record.RequestId, DatabaseFailure.Describe(ex));
        Settle(item, ex);
    }

    /// <summary>Connection trouble is worth waiting out; a refused statement is not.</summary>
    static bool IsTransient(Exception ex) => ex switch
    {
        Npgsql.PostgresException pg => pg.IsTransient,
        Npgsql.NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is System.Net.Sockets.SocketException or IOException,
        System.Net.Sockets.SocketException or IOException or TimeoutException => true,
        _ => ex.InnerException is not null && IsTransient(ex.InnerException),
    };

    sealed class PendingRecord(RequestCompleted record, RequestBodies? bodies, IReadOnlyList<object>? events, IReadOnlyList<object>? messages,
        StoredResponse? kept)
        : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public StoredResponse? Kept { get; } = kept;
        public RequestCompleted Record { get; } = record;
        public RequestBodies? Bodies { get; } = bodies;
        public IReadOnlyList<object>? Events { get; } = events;
        public IReadOnlyList<object>? Messages { get; } = messages;
        public void Complete() => TrySetResult();
        public void Fail(Exception ex) => TrySetException(ex);
    }
}

/// <summary>Group-commit figures: records and transactions committed, records waiting, mean batch size and commit time.</summary>
public sealed record RecorderStats(long Recorded, long Commits, long Pending, double MeanBatch, double MeanCommitMs);
