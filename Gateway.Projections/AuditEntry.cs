using System.Text.Json;
using Gateway.Domain;
using JasperFx.Events;
using Marten.Events.Projections;

namespace Gateway.Projections;

/// <summary>
/// One change to the gateway's configuration — keys, teams, budgets, catalog and prices, providers, routes, admin
/// keys — with who made it, from where, why and when. Before and after are rebuilt from the entity's own events
/// when read (see GET /admin/audit), so they cannot disagree with the ledger.
/// </summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }
    public long Sequence { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>key, admin-key, team, provider, model, route or budget.</summary>
    public string Entity { get; set; } = "";
    public Guid EntityId { get; set; }
    /// <summary>The entity's stream version after this change.</summary>
    public long Version { get; set; }
    /// <summary>The event's name, e.g. KeyRevoked or ModelPriceChanged.</summary>
    public string Change { get; set; } = "";
    /// <summary>The event itself (facts only, never a secret).</summary>
    public string Details { get; set; } = "{}";
    public string? Actor { get; set; }
    public string? ActorId { get; set; }
    public string? Role { get; set; }
    public string? Source { get; set; }
    public string? Reason { get; set; }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string EntityOf(Type eventType) => eventType.Namespace switch
    {
        "Gateway.Domain.Keys" => eventType.Name.StartsWith("AdminKey", StringComparison.Ordinal) ? "admin-key" : "key",
        "Gateway.Domain.Teams" => "team",
        "Gateway.Domain.Accounts" => "account",
        "Gateway.Domain.Providers" => "provider",
        "Gateway.Domain.Catalog" => "model",
        "Gateway.Domain.Routes" => "route",
        "Gateway.Domain.Budgets" => "budget",
        "Gateway.Domain.Requests" => "erasure",
        _ => eventType.Name,
    };

    public static AuditEntry From(IEvent e) => new()
    {
        Id = e.Id,
        Sequence = e.Sequence,
        // With quick appends the database assigns the timestamp; an inline projection may see it unset.
        At = e.Timestamp == default ? DateTimeOffset.UtcNow : e.Timestamp,
        Entity = EntityOf(e.EventType),
        EntityId = e.StreamId,
        Version = e.Version,
        Change = e.EventType.Name,
        Details = JsonSerializer.Serialize(e.Data, e.EventType, Json),
        Actor = Header(e, "actor"),
        ActorId = Header(e, "actorId"),
        Role = Header(e, "role"),
        Source = Header(e, "source"),
        Reason = Header(e, "reason"),
    };

    static string? Header(IEvent e, string name) => e.Headers is { } headers && headers.TryGetValue(name, out var value) ? value?.ToString() : null;
}

/// <summary>Writes an <see cref="AuditEntry"/> for every control-plane event (asynchronously, seconds behind the change at most).</summary>
public sealed partial class AuditProjection : EventProjection
{
    /// <summary>
    /// The concrete control-plane event types. Marten's daemon fetches only the event types a projection names, unless
    /// one of them is an interface: then it reads every event in the store (request events by the million, each
    /// deserialized) to keep the few control-plane ones.
    /// </summary>
    public static readonly Type[] EventTypes = typeof(IControlPlaneEvent).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IControlPlaneEvent).IsAssignableFrom(t))
        .ToArray();

    public AuditProjection()
    {
        IncludedEventTypes.Remove(typeof(IControlPlaneEvent));
        IncludedEventTypes.AddRange(EventTypes);
    }

    public AuditEntry Create(IEvent<IControlPlaneEvent> e) => AuditEntry.From(e);
}
