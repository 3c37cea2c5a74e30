using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using DuckDB.NET.Data;
using Npgsql;

namespace Gateway.Analytics;

/// <summary>
/// Copies request and budget events from the Marten event store into DuckDB in batches, in event sequence order.
/// Each batch's rows and the new watermark (the last sequence exported) are committed in one DuckDB transaction, so a
/// crash or a restart neither loses nor duplicates a row. Only events up to Marten's high-water mark are read: it stops
/// at a gap in the sequence (an append still committing) until the gap fills, or until Marten's stale-sequence
/// threshold (3 s) counts it as an append that rolled back — the same rule Marten's own async projections follow.
/// </summary>
/// <remarks>
/// With <paramref name="keepOpen"/> (the gateway's continuous export) the DuckDB database stays open between rounds:
/// opening it, and the checkpoint that closing it forces, cost more than a round's appends. DuckDB then checkpoints by
/// itself as its log grows. A process that wants to read the file leaves a note beside it
/// (<see cref="AnalyticsSchema.AskToRead"/>); the next round closes the database and keeps it closed until the round
/// after, which the reader waits for.
/// </remarks>
public sealed class EventExporter(string postgres, string schema, string duckDbPath, int batchSize = 100_000, bool keepOpen = false) : IDisposable
{
    readonly EventRows rows = new();
    DuckDBConnection? held;

    /// <summary>The watermark after the last export round.</summary>
    public long LastWatermark { get; private set; }

    /// <summary>The event time of the last event exported (for the export lag: now minus this, under load).</summary>
    public DateTimeOffset? LastEventAt { get; private set; }

    /// <summary>Test seam: runs after a batch is appended and before it commits (a crash there must lose nothing).</summary>
    internal Action<long>? BeforeCommit { get; set; }

    /// <summary>Runs after each batch is durable in the DuckDB file, with its watermark and its number of events.</summary>
    public Action<long, int>? Committed { get; set; }

    /// <summary>Exports everything up to the high-water mark; returns how many events were exported.</summary>
    public async Task<long> ExportAsync(CancellationToken ct = default)
    {
        var duck = held ?? AnalyticsSchema.Open(duckDbPath);
        held = null;
        var keep = false;
        try
        {
            long exported = 0;
            while (!ct.IsCancellationRequested)
            {
                var watermark = LastWatermark = AnalyticsSchema.Watermark(duck);
                var highWater = await HighWaterMarkAsync(ct);
                if (highWater <= watermark) break;
                exported += await ExportRangeAsync(duck, watermark, highWater, ct);
                AnalyticsSchema.CompactProgress(duck);
                LastWatermark = AnalyticsSchema.Watermark(duck);
            }
            keep = keepOpen && !AnalyticsSchema.ReaderAsked(duckDbPath);
            return exported;
        }
        finally
        {
            // After a failure the database is closed too: the next round starts from what the file holds.
            if (keep) held = duck;
            else duck.Dispose();
        }
    }

    /// <summary>Closes the database held between rounds (checkpointing it); the next round opens it again.</summary>
    public void Dispose()
    {
        held?.Dispose();
        held = null;
    }

    /// <summary>Drops every exported row and the watermark, then exports from the first event.</summary>
    public async Task<long> RebuildAsync(CancellationToken ct = default)
    {
        using (var duck = AnalyticsSchema.Open(duckDbPath))
        using (var command = duck.CreateCommand())
        {
            command.CommandText = $"begin; {string.Concat(AnalyticsSchema.Tables.Select(t => $"delete from {t}; "))}delete from export_progress; commit;";
            command.ExecuteNonQuery();
        }
        return await ExportAsync(ct);
    }

    async Task<long> HighWaterMarkAsync(CancellationToken ct)
    {
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync(ct);
        return await HighWaterMark.ReadAsync(pg, schema, ct);
    }

    /// <summary>
    /// Exports the sequence range (watermark, highWater]. It is cut into slices of consecutive sequence numbers that
    /// several connections read in parallel (PostgreSQL turning jsonb into text, and receiving it, are the slowest
    /// steps); the slices are appended in sequence order, and every time at least a batch of events has been appended
    /// the rows and the end of the last whole slice are committed together. A batch commits in the background while
    /// the next one appends on a second connection to the same DuckDB database; batches commit strictly in order, and
    /// a failed commit rolls back the batch after it too.
    /// </summary>
    async Task<long> ExportRangeAsync(DuckDBConnection duck, long watermark, long highWater, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sliceSize = Math.Min(batchSize, MaxSlice);
        var slices = Channel.CreateBounded<Task<Slice>>(new BoundedChannelOptions(SlicesAhead) { SingleReader = true, SingleWriter = true });
        var readers = new SemaphoreSlim(Readers);
        var planning = Task.Run(async () =>
        {
            try
            {
                for (var from = watermark; from < highWater; from += sliceSize)
                {
                    await readers.WaitAsync(stop.Token);
                    var (start, end) = (from, Math.Min(from + sliceSize, highWater));
                    await slices.Writer.WriteAsync(Task.Run(async () =>
                    {
                        try { return await ReadSliceAsync(start, end, stop.Token); }
                        finally { readers.Release(); }
                    }, stop.Token), stop.Token);
                }
                slices.Writer.Complete();
            }
            catch (Exception ex)
            {
                slices.Writer.Complete(ex);
            }
        }, stop.Token);

        // DuckDB.NET shares one database between the connections a process opens to the same file.
        using var spare = new DuckDBConnection(duck.ConnectionString);
        spare.Open();
        DuckDBConnection[] connections = [duck, spare];
        var turn = 0;
        long exported = 0;
        Batch? batch = null;
        Task<int>? committing = null;
        try
        {
            var last = watermark;
            await foreach (var next in slices.Reader.ReadAllAsync(stop.Token))
            {
                using var slice = await next;
                batch ??= new Batch(connections[turn++ % 2], rows);
                batch.Append(slice);
                if (slice.Events.Length > 0) LastEventAt = slice.Events[^1].At;
                last = slice.End;
                if (batch.Events < batchSize && last < highWater) continue;
                batch.Seal(last);
                if (committing is not null) exported += await committing; // the batch before commits first
                var sealedBatch = batch;
                batch = null;
                committing = Task.Run(() => sealedBatch.Commit(BeforeCommit, Committed), CancellationToken.None);
                if (last >= highWater) break;
            }
            if (committing is not null) exported += await committing;
            committing = null;
        }
        finally
        {
            // After a failure the open transaction rolls back: the rows since the last commit are not kept and the
            // watermark still points before them. A commit still running is let finish before its connection closes.
            if (committing is not null)
                try { await committing; } catch (Exception) { }
            batch?.Dispose();
            stop.Cancel();
            try { await planning; } catch (OperationCanceledException) { }
            // Let slices still being read finish or cancel before their connections go back to the pool.
            while (slices.Reader.TryRead(out var abandoned))
                try { (await abandoned).Dispose(); } catch (Exception) { }
        }
        return exported;
    }

    /// <summary>Reads the request and budget events with end &gt;= seq_id &gt; start, their JSON kept as raw UTF-8.</summary>
    async Task<Slice> ReadSliceAsync(long start, long end, CancellationToken ct)
    {
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select seq_id, type, timestamp, data from {schema}.mt_events where seq_id > $1 and seq_id <= $2 " +
            "and type in ('request_completed', 'budget_debited') order by seq_id", pg);
        command.Parameters.AddWithValue(start);
        command.Parameters.AddWithValue(end);
        var slice = new Slice(end);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            var seq = reader.GetInt64(0);
            var isRequest = reader.GetString(1) == "request_completed";
            var at = reader.GetFieldValue<DateTimeOffset>(2);
            // jsonb in binary is a version byte, then the document's UTF-8 text.
            await using var json = await reader.GetStreamAsync(3, ct);
            json.ReadByte();
            slice.Add(seq, at, isRequest, json);
        }
        return slice;
    }

    /// <summary>
    /// At most this many sequence numbers per slice, so several readers share even a small batch, and a slice's JSON
    /// (about 1 KB a request event) fits the 1 MB buffer it starts with.
    /// </summary>
    const int MaxSlice = 1_024;

    /// <summary>Connections reading slices at once: PostgreSQL's jsonb output runs on one core per connection.</summary>
    static readonly int Readers = Math.Clamp(Environment.ProcessorCount, 2, 4);

    /// <summary>Slices read ahead of the appender (bounded memory).</summary>
    static readonly int SlicesAhead = Readers * 2;

    /// <summary>The most slices alive at once: read ahead, being read, and the one being appended.</summary>
    static readonly int SlicesAlive = SlicesAhead + Readers + 1;

    /// <summary>One DuckDB transaction: the rows of whole slices, then the watermark at the end of the last of them.</summary>
    sealed class Batch(DuckDBConnection duck, EventRows rows) : IDisposable
    {
        readonly DuckDBTransaction transaction = duck.BeginTransaction();
        DuckDBAppender? requests = duck.CreateAppender("requests");
        DuckDBAppender? attempts = duck.CreateAppender("attempts");
        DuckDBAppender? debits = duck.CreateAppender("budget_debits");

        public int Events { get; private set; }

        /// <summary>Appends the rows of each event of the slice, read straight from its JSON.</summary>
        public void Append(Slice slice)
        {
            foreach (ref readonly var e in slice.Events)
                if (e.IsRequest) rows.AppendRequest(requests!, attempts!, e.Seq, slice.Buffer, e.Offset, e.Length);
                else rows.AppendDebits(debits!, e.Seq, e.At.UtcDateTime, slice.Buffer, e.Offset, e.Length);
            Events += slice.Events.Length;
        }

        long watermark = -1;

        /// <summary>Flushes the appenders' rows into the transaction; the batch then ends at <paramref name="end"/>.</summary>
        public void Seal(long end)
        {
            CloseAppenders();
            watermark = end;
        }

        /// <summary>Records the watermark beside the rows and commits them together; rolls back if anything fails.</summary>
        public int Commit(Action<long>? beforeCommit, Action<long, int>? committed)
        {
            try
            {
                beforeCommit?.Invoke(watermark);
                using (var progress = duck.CreateCommand())
                {
                    progress.CommandText = $"insert into export_progress values ({watermark}, now())";
                    progress.ExecuteNonQuery();
                }
                transaction.Commit();
                committed?.Invoke(watermark, Events);
                return Events;
            }
            finally
            {
                Dispose();
            }
        }

        void CloseAppenders()
        {
            requests?.Dispose();
            attempts?.Dispose();
            debits?.Dispose();
            requests = attempts = debits = null;
        }

        /// <summary>
        /// Ends the batch; a transaction not committed rolls back. Nothing here may throw: it runs on failure paths, where
        /// an appender that cannot flush or a transaction that a failed COMMIT already ended has nothing left to keep.
        /// </summary>
        public void Dispose()
        {
            try { CloseAppenders(); } catch (DuckDBException) { }
            try { transaction.Dispose(); } catch (DuckDBException) { }
        }
    }

    /// <summary>
    /// The events of one slice of sequence numbers: their JSON side by side in one pooled buffer, so thousands of
    /// events waiting for the appender are a few arrays for the garbage collector rather than thousands of objects.
    /// </summary>
    sealed class Slice(long end) : IDisposable
    {
        // A pool of its own, holding a few arrays per size: the shared pool keeps up to 32 per size and core for as long
        // as memory is plentiful, and megabyte slices left there held ~90 MB of the gateway's heap.
        static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(64 << 20, SlicesAlive);
        static readonly ArrayPool<Event> EventArrays = ArrayPool<Event>.Create(1 << 20, SlicesAlive);

        byte[] buffer = Buffers.Rent(1 << 20);
        int used;
        // Pooled too: a slice holds thousands of events, and a list growing to that size lands each of its arrays on
        // the large object heap, which only a full collection empties.
        Event[] events = EventArrays.Rent(1024);
        int count;

        public long End { get; } = end;
        public ReadOnlySpan<Event> Events => events.AsSpan(0, count);

        public void Add(long seq, DateTimeOffset at, bool isRequest, Stream json)
        {
            var start = used;
            while (true)
            {
                if (used == buffer.Length) buffer = Grown(Buffers, buffer, used);
                var read = json.Read(buffer, used, buffer.Length - used);
                if (read == 0) break;
                used += read;
            }
            if (count == events.Length) events = Grown(EventArrays, events, count);
            events[count++] = new Event(seq, at, isRequest, start, used - start);
        }

        public byte[] Buffer => buffer;

        static T[] Grown<T>(ArrayPool<T> pool, T[] array, int used)
        {
            var bigger = pool.Rent(array.Length * 2);
            array.AsSpan(0, used).CopyTo(bigger);
            pool.Return(array);
            return bigger;
        }

        public void Dispose()
        {
            Buffers.Return(buffer);
            EventArrays.Return(events);
        }
    }

    readonly record struct Event(long Seq, DateTimeOffset At, bool IsRequest, int Offset, int Length);
}
