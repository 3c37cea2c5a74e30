using Gateway.Domain.Requests;
using Gateway.Projections;
using Marten;
using Npgsql;

namespace Gateway.Api.Audit;

/// <summary>
/// Removes request and response bodies — the only place personal data from prompts and answers is kept — for one
/// request, one key, or past a team's retention period. The removal and its <see cref="RequestBodiesErased"/> event
/// commit together; the request records (tokens, cost, model, time, key) are not touched, so totals and the hash
/// chain stay as they were.
/// </summary>
public static class BodyErasure
{
    /// <summary>At most this many requests' bodies per erasure event (a retention sweep goes on in the next round).</summary>
    const int MaxPerErasure = 10_000;

    public static Task<int> EraseRequestAsync(IDocumentSession session, Guid requestId, CancellationToken ct) =>
        EraseAsync(session, "request_id = $1", [requestId], ids => new RequestBodiesErased(Guid.CreateVersion7(), "request", requestId, null, null, null, ids), ct);

    /// <summary>Every body of the key's requests, in rounds of at most <see cref="MaxPerErasure"/> (one event each).</summary>
    public static async Task<int> EraseKeyAsync(IDocumentSession session, Guid keyId, CancellationToken ct)
    {
        var where = $"(key_id = $1 or (key_id is null and request_id in ({RequestsWhere(session, "keyId")})))";
        int erased = 0, round;
        do erased += round = await EraseAsync(session, where, [keyId], ids => new RequestBodiesErased(Guid.CreateVersion7(), "key", null, keyId, null, null, ids), ct);
        while (round > 0);
        return erased;
    }

    /// <summary>Removes the bodies of every team with a retention period that were stored before it began; returns how many.</summary>
    public static async Task<int> SweepAsync(IDocumentSession session, DateTimeOffset now, CancellationToken ct)
    {
        var teams = await session.Query<TeamView>().Where(t => t.BodyRetentionDays != null).ToListAsync(ct);
        var erased = 0;
        foreach (var team in teams)
        {
            var before = now.AddDays(-team.BodyRetentionDays!.Value);
            session.SetHeader("source", "retention");
            session.SetHeader("reason", $"older than the team's retention of {team.BodyRetentionDays} days");
            erased += await EraseAsync(session, $"(team_id = $1 or (team_id is null and request_id in ({RequestsWhere(session, "teamId")}))) and stored_at < $2", [team.Id, before],
                ids => new RequestBodiesErased(Guid.CreateVersion7(), "retention", null, null, team.Id, before, ids), ct);
        }
        return erased;
    }

    /// <summary>
    /// Bodies stored before their rows carried the key and team (older gateways) are found through the request events.
    /// </summary>
    static string RequestsWhere(IDocumentSession session, string field) =>
        $"select stream_id from {session.DocumentStore.Options.DatabaseSchemaName}.mt_events where type = 'request_completed' and data->>'{field}' = $1::text";

    static async Task<int> EraseAsync(IDocumentSession session, string where, object[] args, Func<int, RequestBodiesErased> erasure, CancellationToken ct)
    {
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        var table = $"{schema}.{RequestBodiesTable.Name}";
        // A Responses conversation kept with store is a body too: same key, team and time columns, same rules.
        var conversations = $"{schema}.{StoredResponsesTable.Name}";
        var ids = new List<Guid>();
        await using (var select = new NpgsqlCommand(
            $"select request_id from {table} where {where} union select request_id from {conversations} where {where} limit {MaxPerErasure}",
            (NpgsqlConnection)session.Connection!))
        {
            foreach (var a in args) select.Parameters.AddWithValue(a);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        }
        if (ids.Count == 0) return 0;
        // The rows found, exactly, and the event saying so: one transaction.
        session.QueueSqlCommand($"delete from {table} where request_id = any(?)", ids.ToArray());
        session.QueueSqlCommand($"delete from {conversations} where request_id = any(?)", ids.ToArray());
        var e = erasure(ids.Count);
        session.Events.StartStream(e.ErasureId, e);
        await session.SaveChangesAsync(ct);
        return ids.Count;
    }
}
