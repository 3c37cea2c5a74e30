using Gateway.Domain.Requests;
using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Gateway.Projections;

/// <summary>
/// Bodies live in a plain table (text columns, no JSON parsing, no upsert function): written in the same
/// transaction as the request's event but costing the commit next to nothing, and droppable on their own.
/// </summary>
public static class RequestBodiesTable
{
    public const string Name = "request_bodies";

    public static void AddRequestBodiesTable(this StoreOptions opts)
    {
        var table = new Table(new PostgresqlObjectName(opts.DatabaseSchemaName, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("request_id").AsPrimaryKey();
        // Who made the request: erasure by key and retention by team find their rows without reading events.
        table.AddColumn<Guid>("key_id").AddIndex();
        table.AddColumn<Guid>("team_id").AddIndex();
        table.AddColumn<string>("request").NotNull();
        table.AddColumn<bool>("request_truncated").NotNull();
        table.AddColumn<string>("response").NotNull();
        table.AddColumn<bool>("response_truncated").NotNull();
        table.AddColumn<DateTimeOffset>("stored_at").NotNull();
        table.ModifyColumn("stored_at").AddIndex();
        opts.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>
    /// Queues the inserts in the session's unit of work, so they commit with the events: one statement for the whole
    /// batch (a group commit's bodies), not one per request.
    /// </summary>
    public static void QueueInsert(this IDocumentSession session, IReadOnlyList<RequestBodies> rows)
    {
        if (rows.Count == 0) return;
        var ids = new Guid[rows.Count];
        var keys = new Guid[rows.Count];
        var teams = new Guid[rows.Count];
        var requests = new string[rows.Count];
        var requestCut = new bool[rows.Count];
        var responses = new string[rows.Count];
        var responseCut = new bool[rows.Count];
        var stored = new DateTimeOffset[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            (ids[i], keys[i], teams[i], requests[i], requestCut[i], responses[i], responseCut[i], stored[i]) =
                (r.RequestId, r.KeyId, r.TeamId, r.Request, r.RequestTruncated, r.Response, r.ResponseTruncated, r.StoredAt);
        }
        session.QueueSqlCommand(
            $"""
            insert into {session.DocumentStore.Options.DatabaseSchemaName}.{Name} (request_id, key_id, team_id, request, request_truncated, response, response_truncated, stored_at)
            select * from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::boolean[], ?::text[], ?::boolean[], ?::timestamptz[])
            """,
            ids, keys, teams, requests, requestCut, responses, responseCut, stored);
    }

    public static async Task<RequestBodies?> LoadAsync(IQuerySession session, Guid requestId, CancellationToken ct)
    {
        var sql = $"select key_id, team_id, request, request_truncated, response, response_truncated, stored_at from {session.DocumentStore.Options.DatabaseSchemaName}.{Name} where request_id = @id";
        await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)session.Connection!);
        command.Parameters.AddWithValue("id", requestId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new RequestBodies(requestId, reader.IsDBNull(0) ? Guid.Empty : reader.GetGuid(0), reader.IsDBNull(1) ? Guid.Empty : reader.GetGuid(1),
            reader.GetString(2), reader.GetBoolean(3), reader.GetString(4), reader.GetBoolean(5), reader.GetFieldValue<DateTimeOffset>(6));
    }
}
