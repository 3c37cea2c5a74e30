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

/// <summary>An admin key was issued (from configuration or generated on first start); only its hash is kept.</summary>
public sealed record AdminKeyIssued(Guid AdminKeyId, string SecretHash, string Prefix, string Origin) : IControlPlaneEvent;
