using Gateway.Analytics;
using Gateway.Api.Hosting;
using Npgsql;

namespace Gateway.Api.Audit;

/// <summary>
/// Keeps the event table's hot partition bounded: on the one node holding the archive lock, every <see cref="GatewayOptions.ArchiveInterval"/>, the request
/// streams older than <see cref="GatewayOptions.ArchiveRequestsAfter"/> are archived with Marten's own
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

    /// <summary>Archives the request streams begun before <paramref name="before"/>, a batch per transaction.</summary>
    /// <returns>How many streams were archived.</returns>
    public async Task<int> ArchiveAsync(DateTimeOffset before, CancellationToken ct)
    {
        var schema = options.Schema;
        // A request stream starts with its record; it is archived once the chain and every async projection passed it.
        var sql = $"""
            with safe as (
                select least(
                    (select coalesce(max(seq_id), 0) from {schema}.{Gateway.Projections.EventChainTable.Name}),
                    (select coalesce(min(last_seq_id), 0) from {schema}.mt_event_progression)) as seq),
            batch as (
                select s.id from {schema}.mt_streams s, safe
                where s.is_archived = false and s.type is null and s.timestamp < $1
                  and exists (select 1 from {schema}.mt_events e where e.stream_id = s.id and e.version = 1 and e.type = 'request_completed' and e.is_archived = false)
                  and not exists (select 1 from {schema}.mt_events e where e.stream_id = s.id and e.is_archived = false and e.seq_id > safe.seq)
                limit 2000)
            select count({schema}.mt_archive_stream(id)) from batch
            """;
        var total = 0;
        await using var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync(ct);
        while (!ct.IsCancellationRequested)
        {
            await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = before } }, CommandTimeout = 300 };
            var archived = Convert.ToInt32(await command.ExecuteScalarAsync(ct));
            total += archived;
            if (archived < 2000) break;
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
