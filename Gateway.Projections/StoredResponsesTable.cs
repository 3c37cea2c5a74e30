using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Gateway.Projections;

/// <summary>
/// What is kept of a Responses API request made with <c>store</c>: its own chat messages (input and answer, so a later
/// request naming it as <c>previous_response_id</c> continues the conversation on any provider), its input items and its
/// response object. Bodies, not events: kept in their own table, under the bodies' retention and erasure.
/// </summary>
public sealed record StoredResponse(Guid ResponseId, Guid? PreviousId, string Messages, string InputItems, string Response)
{
    public Guid KeyId { get; init; }
    public Guid TeamId { get; init; }
    public DateTimeOffset StoredAt { get; init; }
}

public static class StoredResponsesTable
{
    public const string Name = "stored_responses";

    public static void AddStoredResponsesTable(this StoreOptions opts)
    {
        var table = new Table(new PostgresqlObjectName(opts.DatabaseSchemaName, Name, SchemaUtils.IdentifierUsage.General));
        // request_id: the response is the request, and erasure and retention find both tables' rows with one condition.
        table.AddColumn<Guid>("request_id").AsPrimaryKey();
        table.AddColumn<Guid>("previous_id");
        table.AddColumn<Guid>("key_id").AddIndex();
        table.AddColumn<Guid>("team_id").AddIndex();
        table.AddColumn<string>("messages").NotNull();
        table.AddColumn<string>("input_items").NotNull();
        table.AddColumn<string>("response").NotNull();
        table.AddColumn<DateTimeOffset>("stored_at").NotNull();
        table.ModifyColumn("stored_at").AddIndex();
        opts.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>Queues the inserts in the session's unit of work: they commit with the requests' records, in one statement.</summary>
    public static void QueueInsert(this IDocumentSession session, IReadOnlyList<StoredResponse> rows)
    {
        if (rows.Count == 0) return;
        var ids = new Guid[rows.Count];
        var previous = new Guid?[rows.Count];
        var keys = new Guid[rows.Count];
        var teams = new Guid[rows.Count];
        var messages = new string[rows.Count];
        var items = new string[rows.Count];
        var responses = new string[rows.Count];
        var stored = new DateTimeOffset[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            (ids[i], previous[i], keys[i], teams[i], messages[i], items[i], responses[i], stored[i]) =
                (r.ResponseId, r.PreviousId, r.KeyId, r.TeamId, r.Messages, r.InputItems, r.Response, r.StoredAt);
        }
        session.QueueSqlCommand(
            $"""
            insert into {session.DocumentStore.Options.DatabaseSchemaName}.{Name} (request_id, previous_id, key_id, team_id, messages, input_items, response, stored_at)
            select * from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::timestamptz[])
            """,
            ids, previous, keys, teams, messages, items, responses, stored);
    }
}
