using Gateway.Api.Audit;
using Marten;
using Wolverine.Http;

namespace Gateway.Api.Admin.Audit;

/// <summary>The auditor's questions about the past (admin and auditor roles), folded from the events.</summary>
public static class HistoryEndpoints
{
    /// <summary>An entity (key, team, account, budget, model, route, provider, admin-key) as it stood at an instant.</summary>
    [WolverineGet("/admin/history/{entity}/{id}/at", OperationId = "stateAt")]
    [Tags("audit")]
    public static async Task<IResult> StateAt(string entity, Guid id, DateTimeOffset? time, IQuerySession session, CancellationToken ct)
    {
        if (!TimeTravel.Entities.Contains(entity)) return Results.Problem(AdminProblems.Invalid("entity", $"One of {string.Join(", ", TimeTravel.Entities)}."));
        if (time is not { } at) return Results.Problem(AdminProblems.Invalid("time", "An ISO 8601 instant is required, e.g. ?time=2026-11-28T10:00:00Z."));
        var state = await TimeTravel.StateAtAsync(session, entity, id, at, ct);
        return state is null ? Results.Problem(AdminProblems.NotFound($"No {entity} {id} existed at {at:O}.")) : Results.Ok(state);
    }

    /// <summary>Every change of an entity in order: who, when, why, and its state after each.</summary>
    [WolverineGet("/admin/history/{entity}/{id}", OperationId = "history")]
    [Tags("audit")]
    public static async Task<IResult> History(string entity, Guid id, IQuerySession session, CancellationToken ct)
    {
        if (!TimeTravel.Entities.Contains(entity)) return Results.Problem(AdminProblems.Invalid("entity", $"One of {string.Join(", ", TimeTravel.Entities)}."));
        var history = await TimeTravel.HistoryAsync(session, entity, id, ct);
        return history.Count == 0 ? Results.Problem(AdminProblems.NotFound($"No {entity} {id}.")) : Results.Ok(history);
    }
}

/// <summary>Which keys could call a model at an instant.</summary>
public static class CallersEndpoint
{
    [WolverineGet("/admin/history/callers", OperationId = "callersAt")]
    [Tags("audit")]
    public static async Task<IResult> Get(string? model, DateTimeOffset? time, IQuerySession session, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(model)) return Results.Problem(AdminProblems.Invalid("model", "A catalog model id is required, e.g. ?model=openai/gpt-4o-mini."));
        var at = time ?? DateTimeOffset.UtcNow;
        var (catalog, keys) = await TimeTravel.CallersAsync(session, model, at, ct);
        if (catalog is null) return Results.Problem(AdminProblems.NotFound($"No catalog model {model} existed at {at:O}."));
        return Results.Ok(new { at, model = catalog.PublicId, enabled = catalog.Enabled, keys });
    }
}

/// <summary>Every request a key made in a period, with its cost.</summary>
public static class KeyRequestsEndpoint
{
    [WolverineGet("/admin/history/key/{id}/requests", OperationId = "keyRequests")]
    [Tags("audit")]
    public static async Task<IResult> Get(Guid id, DateTimeOffset? from, DateTimeOffset? to, IQuerySession session, CancellationToken ct)
    {
        var requests = await TimeTravel.RequestsOfKeyAsync(session, id, from ?? DateTimeOffset.MinValue, to ?? DateTimeOffset.MaxValue, ct);
        return Results.Ok(new { keyId = id, from, to, count = requests.Count, costUsd = requests.Sum(r => r.Cost), requests });
    }
}
