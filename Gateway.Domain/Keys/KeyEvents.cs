namespace Gateway.Domain.Keys;

/// <summary>
/// A gateway key was issued to a team. Only the SHA-256 of the secret is kept; <paramref name="Prefix"/>
/// is the first characters of the secret, shown in listings so people can tell keys apart.
/// <paramref name="AllowsRequestProviderKey"/>: requests made with this key may bring their own provider key in a header.
/// </summary>
public sealed record KeyIssued(Guid KeyId, Guid TeamId, string Name, string SecretHash, string Prefix, bool AllowsRequestProviderKey = false)
    : IControlPlaneEvent;

public sealed record KeyRevoked(Guid KeyId, string? Reason) : IControlPlaneEvent;

/// <summary>An admin key was issued (from configuration or generated on first start); only its hash is kept.</summary>
public sealed record AdminKeyIssued(Guid AdminKeyId, string SecretHash, string Prefix, string Origin) : IControlPlaneEvent;
