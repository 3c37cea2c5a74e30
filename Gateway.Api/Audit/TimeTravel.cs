using System.Text.Json;
using Gateway.Domain.Budgets;
using Gateway.Domain.Requests;
using Gateway.Projections;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace Gateway.Api.Audit;

/// <summary>A key as it stood at an instant, and what that meant: active, revoked or expired; with its team as it stood.</summary>
public sealed record KeyAt(DateTimeOffset At, string Status, KeyView Key, TeamView? Team);

/// <summary>A budget as it stood at an instant: its settings, the period containing the instant, and the money in it.</summary>
/// <param name="SpentUsd">Debits recorded in that period up to the instant.</param>
/// <param name="ReservedUsd">Requests in flight at the instant (started before it, settled after), at the amount they settled for:
/// the reservation estimate itself is working memory, never recorded.</param>
public sealed record BudgetAt(DateTimeOffset At, BudgetView Budget, DateTimeOffset? PeriodStart, DateTimeOffset? PeriodEnd,
    decimal SpentUsd, decimal ReservedUsd, int RequestsInFlight, decimal? RemainingUsd);

/// <summary>One event of an entity's history, who made it and why, and the entity's state right after it.</summary>
public sealed record HistoryEntry(long Version, long Sequence, DateTimeOffset At, string Change, JsonElement Details,
    string? Actor, string? Role, string? Source, string? Reason, object? StateAfter);

/// <summary>A key that could call a model at an instant.</summary>
public sealed record KeyCaller(Guid KeyId, string Name, string? Owner, Guid TeamId, string? Team, DateTimeOffset? ExpiresAt);

/// <summary>One request in a key's history, with what it cost.</summary>
public sealed record KeyRequest(Guid RequestId, DateTimeOffset StartedAt, string ModelAsked, string? ModelServed, int Status,
    long PromptTokens, long CompletionTokens, decimal Cost);

/// <summary>
/// Compliance questions about the past, answered by folding the events up to an instant (never from the document
/// tables, which hold only the present and could be edited).
/// </summary>
public static class TimeTravel
{

    /// <summary>The entity as it stood at <paramref name="at"/>; null when it did not exist yet.</summary>
    public static async Task<object?> StateAtAsync(IQuerySession session, string entity, Guid id, DateTimeOffset at, CancellationToken ct) =>
        await IsAsync(session, entity, id, ct) ? await FoldAtAsync(session, entity, id, Utc(at), ct) : null;

    static async Task<object?> FoldAtAsync(IQuerySession session, string entity, Guid id, DateTimeOffset at, CancellationToken ct) => entity switch
    {
        "key" => await KeyAtAsync(session, id, at, ct),
        "budget" => await BudgetAtAsync(session, id, at, ct),
        _ => await FoldAsync(session, entity, id, 0, at, ct),
    };

    /// <summary>The entity folded from its stream up to a version (0: all) and an instant (null: now).</summary>
    static async Task<object?> FoldAsync(IQuerySession session, string entity, Guid id, long version, DateTimeOffset? at, CancellationToken ct) => entity switch
    {
        "key" => await session.Events.AggregateStreamAsync<KeyView>(id, version, at, token: ct),
        "budget" => await session.Events.AggregateStreamAsync<BudgetView>(id, version, at, token: ct),
        "team" => await session.Events.AggregateStreamAsync<TeamView>(id, version, at, token: ct),
        "account" => await session.Events.AggregateStreamAsync<AccountView>(id, version, at, token: ct),
        "model" => await session.Events.AggregateStreamAsync<ModelView>(id, version, at, token: ct),
        "route" => await session.Events.AggregateStreamAsync<RouteView>(id, version, at, token: ct),
        "provider" => await session.Events.AggregateStreamAsync<ProviderView>(id, version, at, token: ct),
        "admin-key" => await session.Events.AggregateStreamAsync<AdminKeyView>(id, version, at, token: ct),
        _ => throw new ArgumentOutOfRangeException(nameof(entity), entity, $"Unknown entity; one of {string.Join(", ", Entities)}."),
    };

    /// <summary>The event that starts a stream of each kind: a stream of another kind is not that entity.</summary>
    static readonly Dictionary<string, string> FirstEvents = new()
    {
        ["key"] = "key_issued", ["team"] = "team_created", ["account"] = "account_created", ["budget"] = "budget_set",
        ["model"] = "model_added", ["route"] = "route_defined", ["provider"] = "provider_registered", ["admin-key"] = "admin_key_issued",
    };

    public static readonly string[] Entities = [.. FirstEvents.Keys];

    /// <summary>True when the stream exists and is of that kind (a team's id asked for as a key is no key).</summary>
    public static async Task<bool> IsAsync(IQuerySession session, string entity, Guid id, CancellationToken ct)
    {
        if (!FirstEvents.TryGetValue(entity, out var first)) return false;
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        var types = await session.AdvancedSql.QueryAsync<string>($"select type from {schema}.mt_events where stream_id = ? order by version limit 1", ct, id);
        return types.Count == 1 && types[0] == first;
    }

    /// <summary>Instants reach PostgreSQL as UTC (timestamptz parameters refuse other offsets).</summary>
    static DateTimeOffset Utc(DateTimeOffset at) => at.ToUniversalTime();

    /// <summary><paramref name="at"/> moved by whole days, held within the representable range.</summary>
    static DateTimeOffset Plus(DateTimeOffset at, int days) =>
        days > 0 && at > DateTimeOffset.MaxValue.AddDays(-days) ? DateTimeOffset.MaxValue
        : days < 0 && at < DateTimeOffset.MinValue.AddDays(-days) ? DateTimeOffset.MinValue
        : at.AddDays(days);

    /// <summary>The entity at a version of its stream (the state right after that event).</summary>
    public static Task<object?> StateAtVersionAsync(IQuerySession session, string entity, Guid id, long version, CancellationToken ct) =>
        FoldAsync(session, entity, id, version, null, ct);

    public static async Task<KeyAt?> KeyAtAsync(IQuerySession session, Guid id, DateTimeOffset at, CancellationToken ct)
    {
        at = Utc(at);
        var key = await session.Events.AggregateStreamAsync<KeyView>(id, timestamp: at, token: ct);
        if (key is null) return null;
        var team = await session.Events.AggregateStreamAsync<TeamView>(key.TeamId, timestamp: at, token: ct);
        var status = key.Revoked ? "revoked" : key.ExpiresAt is { } expires && expires <= at ? "expired" : "active";
        return new KeyAt(at, status, key, team);
    }

    public static async Task<BudgetAt?> BudgetAtAsync(IQuerySession session, Guid id, DateTimeOffset at, CancellationToken ct)
    {
        at = Utc(at);
        var budget = await session.Events.AggregateStreamAsync<BudgetView>(id, timestamp: at, token: ct);
        if (budget is null) return null;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(budget.TimeZone);
        var start = BudgetPeriods.StartOf(budget.Period, zone, at);
        var end = BudgetPeriods.EndOf(budget.Period, zone, at);
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        var containing = JsonSerializer.Serialize(new[] { new { budgetId = id } });
        // Debits recorded up to the instant (a request settles after it starts: look a day before the period for ones
        // that started in it), and debits settled after the instant by requests that had started before it.
        var rows = new List<(string Debit, string Request, DateTimeOffset RecordedAt)>();
        await using (var command = new NpgsqlCommand($"""
            select d.data::text, r.data::text, d.timestamp from {schema}.mt_events d
              join {schema}.mt_events r on r.stream_id = d.stream_id and r.type = 'request_completed'
            where d.type = 'budget_debited' and d.data->'budgets' @> $1::jsonb and d.timestamp >= $2 and d.timestamp <= $3
            """, (NpgsqlConnection)session.Connection!))
        {
            command.Parameters.AddWithValue(containing);
            command.Parameters.AddWithValue(Plus(start, -1));
            command.Parameters.AddWithValue(Plus(at, 1));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }
        decimal spent = 0, reserved = 0;
        var inFlight = 0;
        foreach (var (debitJson, requestJson, recordedAt) in rows)
        {
            var debit = JsonSerializer.Deserialize<BudgetDebited>(debitJson, Json)!;
            if (!debit.Budgets.Any(c => c.BudgetId == id && c.PeriodStart == start)) continue;
            if (recordedAt <= at)
            {
                spent += debit.Amount;
                continue;
            }
            // Settled after the instant: in flight then if it had started (its duration back from when it was recorded).
            var request = JsonSerializer.Deserialize<RequestCompleted>(requestJson, Json)!;
            if (recordedAt - (request.CompletedAt - request.StartedAt) <= at)
            {
                reserved += debit.Amount;
                inFlight++;
            }
        }
        return new BudgetAt(at, budget, start == DateTimeOffset.MinValue ? null : start, end, spent, reserved, inFlight,
            budget.Removed ? null : budget.LimitUsd - spent - reserved);
    }

    /// <summary>Every event of the entity's stream in order, with its actor and reason, and the state after each.</summary>
    public static async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(IQuerySession session, string entity, Guid id, CancellationToken ct)
    {
        if (!await IsAsync(session, entity, id, ct)) return [];
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        var history = new List<HistoryEntry>(events.Count);
        foreach (var e in events)
            history.Add(new HistoryEntry(e.Version, e.Sequence, e.Timestamp, e.EventType.Name, JsonSerializer.SerializeToElement(e.Data, e.EventType, Json),
                Header(e, "actor"), Header(e, "role"), Header(e, "source"), Header(e, "reason"),
                await StateAtVersionAsync(session, entity, id, e.Version, ct)));
        return history;
    }

    /// <summary>
    /// The keys that could call a catalog model at an instant: issued, not revoked or expired then, the model enabled
    /// then, and allowed by the key's and its team's scopes as they stood.
    /// </summary>
    public static async Task<(ModelView? Model, IReadOnlyList<KeyCaller> Keys)> CallersAsync(IQuerySession session, string model, DateTimeOffset at, CancellationToken ct)
    {
        at = Utc(at);
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        var modelIds = await session.AdvancedSql.QueryAsync<Guid>(
            $"select stream_id from {schema}.mt_events where type = 'model_added' and data->>'publicId' = ? and timestamp <= ? order by seq_id desc limit 1", ct, model, at);
        if (modelIds.Count == 0) return (null, []);
        var catalog = await session.Events.AggregateStreamAsync<ModelView>(modelIds[0], timestamp: at, token: ct);
        if (catalog is null || !catalog.Enabled) return (catalog, []);
        var keyIds = await session.AdvancedSql.QueryAsync<Guid>(
            $"select stream_id from {schema}.mt_events where type = 'key_issued' and timestamp <= ? order by seq_id", ct, at);
        var callers = new List<KeyCaller>();
        foreach (var keyId in keyIds)
        {
            var key = await KeyAtAsync(session, keyId, at, ct);
            if (key is not { Status: "active", Key: not null }) continue;
            if (key.Key.AllowedModels is { } mine && !mine.Contains(model)) continue;
            if (key.Team?.AllowedModels is { } teams && !teams.Contains(model)) continue;
            callers.Add(new KeyCaller(keyId, key.Key.Name, key.Key.Owner, key.Key.TeamId, key.Team?.Name, key.Key.ExpiresAt));
        }
        return (catalog, callers);
    }

    /// <summary>Every request a key made that started in [from, to), with its cost, oldest first.</summary>
    public static async Task<IReadOnlyList<KeyRequest>> RequestsOfKeyAsync(IQuerySession session, Guid keyId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        (from, to) = (Utc(from), Utc(to));
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        // The event is recorded when the request ends, by the database's clock, and StartedAt is the node's: a day's
        // margin either side, then the exact filter on StartedAt.
        var rows = await session.AdvancedSql.QueryAsync<string>(
            $"select data::text from {schema}.mt_events where type = 'request_completed' and data->>'keyId' = ? and timestamp >= ? and timestamp < ? order by seq_id",
            ct, keyId.ToString(), Plus(from, -1), Plus(to, 1));
        return rows.Select(json => JsonSerializer.Deserialize<RequestCompleted>(json, Json)!)
            .Where(r => r.StartedAt >= from && r.StartedAt < to)
            .OrderBy(r => r.StartedAt)
            .Select(r => new KeyRequest(r.RequestId, r.StartedAt, r.ModelAsked, r.ModelServed, r.Status, r.PromptTokens, r.CompletionTokens, r.Cost))
            .ToList();
    }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    static string? Header(IEvent e, string name) => e.Headers is { } headers && headers.TryGetValue(name, out var value) ? value?.ToString() : null;
}
