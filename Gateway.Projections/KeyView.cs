using Gateway.Domain.Keys;
using JasperFx.Events;

namespace Gateway.Projections;

/// <summary>A gateway key as it stands: built inline from its stream, read by the hot path's key view.</summary>
public sealed class KeyView
{
    public Guid Id { get; set; }
    public Guid TeamId { get; set; }
    public string Name { get; set; } = "";
    public string? Owner { get; set; }
    public string SecretHash { get; set; } = "";
    public string Prefix { get; set; } = "";
    /// <summary>The secret replaced by the last rotation, valid until <see cref="PreviousValidUntil"/>.</summary>
    public string? PreviousSecretHash { get; set; }
    public DateTimeOffset? PreviousValidUntil { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public bool AllowsRequestProviderKey { get; set; }
    public List<string>? AllowedModels { get; set; }
    public int? RequestsPerMinute { get; set; }
    public int? TokensPerMinute { get; set; }
    /// <summary>How long the key's answers are cached (exact-match response cache); null: its team's setting.</summary>
    public int? CacheTtlSeconds { get; set; }
    public bool Revoked { get; set; }
    public string? RevokedReason { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset? RotatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public static KeyView Create(IEvent<KeyIssued> e) => new()
    {
        Id = e.Data.KeyId,
        TeamId = e.Data.TeamId,
        Name = e.Data.Name,
        Owner = e.Data.Owner,
        SecretHash = e.Data.SecretHash,
        Prefix = e.Data.Prefix,
        ExpiresAt = e.Data.ExpiresAt,
        AllowsRequestProviderKey = e.Data.AllowsRequestProviderKey,
        IssuedAt = e.At(),
    };

    public void Apply(KeyScopeSet e) =>
        (AllowedModels, RequestsPerMinute, TokensPerMinute) = (e.AllowedModels is null ? null : [.. e.AllowedModels], e.RequestsPerMinute, e.TokensPerMinute);

    public void Apply(KeyResponseCacheSet e) => CacheTtlSeconds = e.TtlSeconds;

    public void Apply(IEvent<KeyRotated> e)
    {
        (PreviousSecretHash, PreviousValidUntil) = (SecretHash, e.Data.PreviousValidUntil);
        (SecretHash, Prefix, RotatedAt) = (e.Data.SecretHash, e.Data.Prefix, e.At());
    }

    public void Apply(KeyExpirySet e) => ExpiresAt = e.ExpiresAt;

    public void Apply(IEvent<KeyRevoked> e)
    {
        Revoked = true;
        RevokedReason = e.Data.Reason;
        RevokedAt = e.At();
    }
}
