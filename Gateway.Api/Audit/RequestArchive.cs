using Gateway.Analytics;
using Gateway.Api.Hosting;
using Npgsql;

namespace Gateway.Api.Audit;

/// <summary>
/// Keeps the event table's hot partition bounded: on the one node holding the archive lock, every <see cref="GatewayOptions.ArchiveInterval"/>, the request
/// streams recorded more than <see cref="GatewayOptions.ArchiveRequestsAfter"/> ago are archived with Marten's own
/// <c>mt_archive_stream</c>, which moves their rows to the archived partition of <c>mt_events</c> and
/// <c>mt_streams</c> (see <see cref="EventPartitioning"/>). Nothing is deleted: the gateway's own reads (export,
/// chain, reconciliation, audit) read the whole table. Only streams already linked into the audit chain and passed by
/// every asynchronous projection are archived.
/// </summary>
public sealed class RequestArchive(GatewayOptions options, TimeProvider time, ILogger<RequestArchive> logger) : BackgroundService
{
    public static long LockId(string schema) => ExportLock.IdFor("request-archive", schema);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.ArchiveRequestsAfter is not { } after) return Task.CompletedTask;
        return LeaderLoop.RunAsync(options.Db, LockId(options.Schema), options.ArchiveInterval,
            async (holding, ct) =>
            {
                if (holding && await ArchiveAsync(time.GetUtcNow() - after, ct) is > 0 and var archived)
                    logger.LogInformation("Archived {Count} request streams older than {After}.", archived, after);
            },
            ex => logger.LogWarning("Archiving request streams failed, retrying: {Error}", ex.Message),
            stoppingToken);
    }

    const int Batch = 2000;

    /// <summary>
    /// Every record up to here is archived: the next round starts after it (on a table without partitions, archived rows
    /// stay in the same index, and reading past them again every round would grow with history).
    /// </summary>
    long resumeAfter;

    /// <summary>Archives the request streams recorded before <paramref name="before"/>, a batch per transaction.</summary>
    /// <returns>How many streams were archived.</returns>
    public async Task<int> ArchiveAsync(DateTimeOffset before, CancellationToken ct)
    {
        var schema = options.Schema;
        await using var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync(ct);
        // Archived once the chain and every asynchronous projection have passed them.
        await using var safeQuery = new NpgsqlCommand($"""
            select least((select coalesce(max(seq_id), 0) from {schema}.{Gateway.Projections.EventChainTable.Name}),
                         (select coalesce(min(last_seq_id), 0) from {schema}.mt_event_progression))
            """, connection);
        var safe = Convert.ToInt64(await safeQuery.ExecuteScalarAsync(ct));
        // The hot partition's records in sequence order (its primary key), from the oldest, until the first one recorded
        // at or after the cutoff: each round reads what it archives and one batch at most beyond it.
        await using var next = new NpgsqlCommand($"""
            select seq_id, stream_id, timestamp from {schema}.mt_events
            where is_archived = false and seq_id > $1 and seq_id <= $2 and version = 1 and type = 'request_completed'
            order by seq_id limit {Batch}
            """, connection);
        // A request stream is written whole in one append (Recording/RequestStreamAppend): none of its events may lie past the safe point.
        await using var archive = new NpgsqlCommand($"""
            select count({schema}.mt_archive_stream(id)) from unnest($1::uuid[]) id
            where not exists (select 1 from {schema}.mt_events e where e.stream_id = id and e.seq_id > $2)
            """, connection);
        var total = 0;
        var cursor = resumeAfter;
        var complete = true;
        while (!ct.IsCancellationRequested)
        {
            var streams = new List<Guid>(Batch);
            var read = 0;
            var reachedCutoff = false;
            next.Parameters.Clear();
            next.Parameters.Add(new() { Value = cursor });
            next.Parameters.Add(new() { Value = safe });
            await using (var reader = await next.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                {
                    read++;
                    if (reader.GetFieldValue<DateTimeOffset>(2) >= before)
                    {
                        reachedCutoff = true;
                        break;
                    }
                    cursor = reader.GetInt64(0);
                    streams.Add(reader.GetGuid(1));
                }
            if (streams.Count > 0)
            {
                archive.Parameters.Clear();
                archive.Parameters.Add(new() { Value = streams.ToArray() });
                archive.Parameters.Add(new() { Value = safe });
                var archived = Convert.ToInt32(await archive.ExecuteScalarAsync(ct));
                total += archived;
                complete &= archived == streams.Count;
                if (complete) resumeAfter = cursor;
            }
            if (reachedCutoff || read < Batch) break;
        }
        return total;
    }
}

/// <summary>
/// Whether the event table is partitioned into hot and archived rows (Marten's archived-stream partitioning). A new
/// database gets the partitions; an existing one created without them keeps its plain tables, since this Marten
/// version rebuilds a table to partition it (marten#3791): archiving there marks rows without moving them.
/// </summary>
public static class EventPartitioning
{
    public static bool Decide(string connectionString, string schema)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(
            "select c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = 'mt_events'",
            connection) { Parameters = { new() { Value = schema } } };
        return command.ExecuteScalar() is not string kind || kind == "p";
    }
}
