using System.Buffers;
using System.Text.Json;
using Gateway.Projections;
using Npgsql;

namespace Gateway.Api.Responses;

/// <summary>The chat messages of a stored conversation up to one response, oldest first (a JSON array).</summary>
public sealed record StoredConversation(Guid Id, JsonElement Messages);

/// <summary>
/// Reads what is kept of Responses API requests (<see cref="StoredResponsesTable"/>). A team sees only its own: a
/// response of another team is "not found", as one that never existed.
/// </summary>
public sealed class ResponseStore(GatewayOptions options)
{
    string Table => $"{options.Schema}.{StoredResponsesTable.Name}";

    /// <summary>The conversation up to response <paramref name="id"/>: each response's messages, following <c>previous_id</c> back.</summary>
    public async Task<StoredConversation?> ConversationAsync(Guid id, Guid teamId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"""
            with recursive chain as (
                select request_id, previous_id, messages, 0 as depth from {Table} where request_id = $1 and team_id = $2
                union all
                select r.request_id, r.previous_id, r.messages, c.depth + 1
                from {Table} r join chain c on r.request_id = c.previous_id
                where r.team_id = $2 and c.depth < 10000)
            select messages from chain order by depth desc
            """, connection) { Parameters = { new() { Value = id }, new() { Value = teamId } } };
        await using var reader = await command.ExecuteReaderAsync(ct);
        var all = new ArrayBufferWriter<byte>(4096);
        var found = false;
        using (var json = new Utf8JsonWriter(all))
        {
            json.WriteStartArray();
            while (await reader.ReadAsync(ct))
            {
                found = true;
                using var turn = JsonDocument.Parse(reader.GetString(0));
                foreach (var message in turn.RootElement.EnumerateArray()) message.WriteTo(json);
            }
            json.WriteEndArray();
        }
        return found ? new StoredConversation(id, JsonSerializer.Deserialize<JsonElement>(all.WrittenSpan)) : null;
    }

    /// <summary>A stored response object, or null.</summary>
    public Task<string?> ResponseAsync(Guid id, Guid teamId, CancellationToken ct) => ColumnAsync("response", id, teamId, ct);

    /// <summary>A stored response's input items (a JSON array), or null.</summary>
    public Task<string?> InputItemsAsync(Guid id, Guid teamId, CancellationToken ct) => ColumnAsync("input_items", id, teamId, ct);

    /// <returns>Whether there was one to delete.</returns>
    public async Task<bool> DeleteAsync(Guid id, Guid teamId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"delete from {Table} where request_id = $1 and team_id = $2", connection)
        {
            Parameters = { new() { Value = id }, new() { Value = teamId } },
        };
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    async Task<string?> ColumnAsync(string column, Guid id, Guid teamId, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select {column} from {Table} where request_id = $1 and team_id = $2", connection)
        {
            Parameters = { new() { Value = id }, new() { Value = teamId } },
        };
        return await command.ExecuteScalarAsync(ct) as string;
    }
}
