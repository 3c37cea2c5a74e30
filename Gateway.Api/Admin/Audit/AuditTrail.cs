using System.Text.Json;
using Gateway.Projections;
using Marten;
using Wolverine.Http;

namespace Gateway.Api.Admin.Audit;

/// <summary>One change on the audit trail, with the entity's state before and after it, rebuilt from its events.</summary>
public sealed record AuditRecord(
    Guid Id, long Sequence, DateTimeOffset At, string Entity, Guid EntityId, long Version, string Change, JsonElement Details,
    string? Actor, string? ActorId, string? Role, string? Source, string? Reason, object? Before, object? After);

public static class AuditTrailEndpoint
{
    /// <summary>
    /// The audit trail: every change to keys, teams, budgets, catalog and prices, providers, routes and admin keys,
    /// newest first; filtered by entity (kind and/or id), actor and time range.
    /// </summary>
    [WolverineGet("/admin/audit", OperationId = "auditTrail")]
    [Tags("audit")]
    public static async Task<IReadOnlyList<AuditRecord>> Get(
        string? entity, Guid? entityId, string? actor, DateTimeOffset? from, DateTimeOffset? to, int? limit, IQuerySession session, CancellationToken ct)
    {
        var query = session.Query<AuditEntry>().AsQueryable();
        if (!string.IsNullOrEmpty(entity)) query = query.Where(a => a.Entity == entity);
        if (entityId is { } id) query = query.Where(a => a.EntityId == id);
        if (!string.IsNullOrEmpty(actor)) query = query.Where(a => a.Actor == actor);
        if (from is { } start) query = query.Where(a => a.At >= start);
        if (to is { } end) query = query.Where(a => a.At < end);
        var entries = await query.OrderByDescending(a => a.Sequence).Take(Math.Clamp(limit ?? 100, 1, 1000)).ToListAsync(ct);

        var records = new List<AuditRecord>(entries.Count);
        foreach (var e in entries)
        {
            var before = e.Version > 1 ? await StateAsync(session, e.Entity, e.EntityId, e.Version - 1, ct) : null;
            var after = await StateAsync(session, e.Entity, e.EntityId, e.Version, ct);
            records.Add(new AuditRecord(e.Id, e.Sequence, e.At, e.Entity, e.EntityId, e.Version, e.Change, JsonDocument.Parse(e.Details).RootElement,
                e.Actor, e.ActorId, e.Role, e.Source, e.Reason, before, after));
        }
        return records;
    }

    /// <summary>The entity as it stood at a version of its stream, folded from its events (not read from a table that could be edited).</summary>
    static Task<object?> StateAsync(IQuerySession session, string entity, Guid id, long version, CancellationToken ct) =>
        Gateway.Api.Audit.TimeTravel.Entities.Contains(entity) ? Gateway.Api.Audit.TimeTravel.StateAtVersionAsync(session, entity, id, version, ct) : Task.FromResult<object?>(null);
}
