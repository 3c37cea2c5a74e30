using System.Text.Json;
using DuckDB.NET.Data;
using Gateway.Domain.Budgets;
using Gateway.Domain.Requests;
using Npgsql;

namespace Gateway.Analytics;

/// <summary>
/// Copies request and budget events from the Marten event store into DuckDB in batches, in event sequence order.
/// Each batch's rows and the new watermark (the last sequence exported) are committed in one DuckDB transaction, so a
/// crash or a restart neither loses nor duplicates a row. Only events below Marten's high-water mark are read: a
/// lower sequence still committing elsewhere is never skipped.
/// </summary>
public sealed class EventExporter(string postgres, string schema, string duckDbPath, int batchSize = 50_000)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The watermark after the last export round.</summary>
    public long LastWatermark { get; private set; }

    /// <summary>The event time of the last event exported (for the export lag: now minus this, under load).</summary>
    public DateTimeOffset? LastEventAt { get; private set; }

    /// <summary>Test seam: runs after a batch is appended and before it commits (a crash there must lose nothing).</summary>
    internal Action<long>? BeforeCommit { get; set; }

    /// <summary>Exports everything up to the high-water mark; returns how many events were exported.</summary>
    public async Task<long> ExportAsync(CancellationToken ct = default)
    {
        using var duck = AnalyticsSchema.Open(duckDbPath);
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync(ct);
        long exported = 0;
        while (!ct.IsCancellationRequested)
        {
            var watermark = LastWatermark = AnalyticsSchema.Watermark(duck);
            var highWater = await HighWaterMarkAsync(pg, ct);
            if (highWater <= watermark) break;
            var count = await ExportBatchAsync(pg, duck, watermark, highWater, ct);
            exported += count;
            LastWatermark = AnalyticsSchema.Watermark(duck);
            if (count == 0) break;
        }
        return exported;
    }

    /// <summary>Drops every exported row and the watermark, then exports from the first event.</summary>
    public async Task<long> RebuildAsync(CancellationToken ct = default)
    {
        using (var duck = AnalyticsSchema.Open(duckDbPath))
        using (var command = duck.CreateCommand())
        {
            command.CommandText = "begin; delete from requests; delete from budget_debits; update export_state set last_seq = 0, updated_at = now(); commit;";
            command.ExecuteNonQuery();
        }
        return await ExportAsync(ct);
    }

    async Task<long> HighWaterMarkAsync(NpgsqlConnection pg, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select coalesce((select last_seq_id from {schema}.mt_event_progression where name = 'HighWaterMark'), 0)", pg);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    async Task<int> ExportBatchAsync(NpgsqlConnection pg, DuckDBConnection duck, long watermark, long highWater, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select seq_id, type, data, timestamp from {schema}.mt_events where seq_id > $1 and seq_id <= $2 " +
            "and type in ('request_completed', 'budget_debited') order by seq_id limit $3", pg);
        command.Parameters.AddWithValue(watermark);
        command.Parameters.AddWithValue(highWater);
        command.Parameters.AddWithValue(batchSize);

        using var transaction = duck.BeginTransaction();
        // Reading (PostgreSQL, JSON) and appending (DuckDB) overlap: a reader task hands chunks of decoded events over.
        var chunks = System.Threading.Channels.Channel.CreateBounded<List<Decoded>>(new System.Threading.Channels.BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(async () =>
        {
            try
            {
                await using var reader = await command.ExecuteReaderAsync(ct);
                var chunk = new List<Decoded>(ChunkSize);
                while (await reader.ReadAsync(ct))
                {
                    var seq = reader.GetInt64(0);
                    var type = reader.GetString(1);
                    var at = reader.GetFieldValue<DateTimeOffset>(3);
                    object data = type == "request_completed"
                        ? JsonSerializer.Deserialize<RequestCompleted>(reader.GetString(2), Json)!
                        : JsonSerializer.Deserialize<BudgetDebited>(reader.GetString(2), Json)!;
                    chunk.Add(new Decoded(seq, at, data));
                    if (chunk.Count == ChunkSize)
                    {
                        await chunks.Writer.WriteAsync(chunk, ct);
                        chunk = new List<Decoded>(ChunkSize);
                    }
                }
                if (chunk.Count > 0) await chunks.Writer.WriteAsync(chunk, ct);
                chunks.Writer.Complete();
            }
            catch (Exception ex)
            {
                chunks.Writer.Complete(ex);
            }
        }, ct);

        var count = 0;
        var last = watermark;
        using (var requests = duck.CreateAppender("requests"))
        using (var debits = duck.CreateAppender("budget_debits"))
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(ct))
                foreach (var e in chunk)
                {
                    if (e.Data is RequestCompleted request) AppendRequest(requests, e.Seq, request);
                    else AppendDebits(debits, e.Seq, e.At, (BudgetDebited)e.Data);
                    LastEventAt = e.At;
                    last = e.Seq;
                    count++;
                }
        }
        await reading;
        // Nothing of interest in this range (other event types only): still move past it.
        if (count < batchSize) last = Math.Max(last, highWater);
        BeforeCommit?.Invoke(last);
        using (var update = duck.CreateCommand())
        {
            update.CommandText = $"update export_state set last_seq = {last}, updated_at = now() where id = 1";
            update.ExecuteNonQuery();
        }
        transaction.Commit();
        return count;
    }

    const int ChunkSize = 2_000;

    readonly record struct Decoded(long Seq, DateTimeOffset At, object Data);

    static void AppendRequest(DuckDBAppender appender, long seq, RequestCompleted r)
    {
        var fellBack = false;
        foreach (var attempt in r.Attempts) fellBack |= attempt.Outcome == "fell_back";
        var row = appender.CreateRow();
        row.AppendValue(seq).AppendValue(r.StartedAt.UtcDateTime).AppendValue(r.RequestId.ToString()).AppendValue(r.AccountId?.ToString())
            .AppendValue(r.TeamId.ToString()).AppendValue(r.KeyId.ToString())
            .AppendValue(r.Route).AppendValue(r.ModelAsked).AppendValue(r.ModelServed).AppendValue(r.ProviderId?.ToString()).AppendValue(r.CredentialKind)
            .AppendValue(r.Status).AppendValue(r.ErrorCode).AppendValue(r.Attempts.Count).AppendValue(fellBack).AppendValue(r.Streamed)
            .AppendValue(r.PromptTokens).AppendValue(r.CompletionTokens).AppendValue(r.CachedPromptTokens).AppendValue(r.UsageEstimated)
            .AppendValue(r.Cost).AppendValue(r.UpstreamTtfbMs).AppendValue(r.UpstreamMs).AppendValue(r.OverheadMs).AppendValue(r.TotalMs)
            .EndRow();
    }

    static void AppendDebits(DuckDBAppender appender, long seq, DateTimeOffset at, BudgetDebited d)
    {
        foreach (var charge in d.Budgets)
            appender.CreateRow().AppendValue(seq).AppendValue(at.UtcDateTime).AppendValue(d.RequestId.ToString()).AppendValue(charge.BudgetId.ToString())
                .AppendValue(charge.PeriodStart.UtcDateTime).AppendValue(d.Amount).EndRow();
    }
}
