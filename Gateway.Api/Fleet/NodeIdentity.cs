namespace Gateway.Api.Fleet;

/// <summary>This gateway process among the fleet's nodes: named in its leases and heartbeats, and in its notifications.</summary>
public sealed class NodeIdentity(TimeProvider time)
{
    public Guid Id { get; } = Guid.CreateVersion7();
    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();
}
