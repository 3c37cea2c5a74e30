namespace Gateway.Domain.Keys;

/// <summary>
/// A gateway key was issued to a team. Only the SHA-256 of the secret is kept; <paramref name="Prefix"/>
/// is the first characters of the secret, shown in listings so people can tell keys apart.
/// <paramref name="AllowsRequestProviderKey"/>: requests made with this key may bring their own provider key in a header.
/// <paramref name="Owner"/> is free text (a person or service); past <paramref name="ExpiresAt"/> the key is refused.
/// </summary>
public sealed record KeyIssued(Guid KeyId, Guid TeamId, string Name, string SecretHash, string Prefix, bool AllowsRequestProviderKey = false,
    string? Owner = null, DateTimeOffset? ExpiresAt = null) : IControlPlaneEvent;

/// <summary>
/// What a key may do: the models or routes it may call (null = all) and its rate limits (null = none).
/// Replaces the key's previous scope as a whole.
/// </summary>
public sealed record KeyScopeSet(Guid KeyId, IReadOnlyList<string>? AllowedModels, int? RequestsPerMinute, int? TokensPerMinute) : IControlPlaneEvent;

/// <summary>
/// A key was rotated: a new secret (only its hash kept) replaces the old one, which stays valid until
/// <paramref name="PreviousValidUntil"/> so clients can switch over.
/// </summary>
public sealed record KeyRotated(Guid KeyId, string SecretHash, string Prefix, DateTimeOffset PreviousValidUntil) : IControlPlaneEvent;

/// <summary>A key's expiry was set, moved or removed (null).</summary>
public sealed record KeyExpirySet(Guid KeyId, DateTimeOffset? ExpiresAt) : IControlPlaneEvent;

public sealed record KeyRevoked(Guid KeyId, string? Reason) : IControlPlaneEvent;

/// <summary>
/// An admin key was issued (from configuration, generated on first start, or by an admin); only its hash is kept.
/// <paramref name="Role"/> is admin, key-manager (of <paramref name="TeamId"/>), finance or auditor; <paramref name="Name"/>
/// names its holder, the actor recorded on every change made with it.
/// </summary>
public sealed record AdminKeyIssued(Guid AdminKeyId, string SecretHash, string Prefix, string Origin,
    string Role = AdminRoles.Admin, string? Name = null, Guid? TeamId = null) : IControlPlaneEvent;

/// <summary>An admin key was revoked.</summary>
public sealed record AdminKeyRevoked(Guid AdminKeyId, string? Reason) : IControlPlaneEvent;

public static class AdminRoles
{
    /// <summary>Everything.</summary>
    public const string Admin = "admin";
    /// <summary>The keys of one team: issue, revoke, rotate, scope, expiry.</summary>
    public const string KeyManager = "key-manager";
    /// <summary>Costs, read-only: budgets, usage, models and prices, requests.</summary>
    public const string Finance = "finance";
    /// <summary>History, read-only: every read, the audit trail included.</summary>
    public const string Auditor = "auditor";

    public static bool IsKnown(string? role) => role is Admin or KeyManager or Finance or Auditor;
}

/// <summary>
/// The key's answers are cached for <paramref name="TtlSeconds"/> (exact-match response cache, docs/caching.md); null
/// turns it off for the key (its team's setting then applies).
/// </summary>
public sealed record KeyResponseCacheSet(Guid KeyId, int? TtlSeconds) : IControlPlaneEvent;
