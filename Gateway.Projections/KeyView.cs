using Gateway.Domain.Keys;
using JasperFx.Events;

namespace Gateway.Projections;

/// <summary>A gateway key as it stands: built inline from its stream, read by the hot path's key view.</summary>
public sealed class KeyView
{
    public Guid Id { get; set; }
    public Guid TeamId { get; set; }
    public string Name { get; set; } = "";
    public string SecretHash { get; set; } = "";
    public string Prefix { get; set; } = "";
    public bool AllowsRequestProviderKey { get; set; }
    public bool Revoked { get; set; }
    public string? RevokedReason { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public static KeyView Create(IEvent<KeyIssued> e) => new()
    {
        Id = e.Data.KeyId,
        TeamId = e.Data.TeamId,
        Name = e.Data.Name,
        SecretHash = e.Data.SecretHash,
        Prefix = e.Data.Prefix,
        AllowsRequestProviderKey = e.Data.AllowsRequestProviderKey,
        IssuedAt = e.Timestamp,
    };

    public void Apply(IEvent<KeyRevoked> e)
    {
        Revoked = true;
        RevokedReason = e.Data.Reason;
        RevokedAt = e.Timestamp;
    }
}
