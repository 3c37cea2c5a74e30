namespace Gateway.Domain.Teams;

/// <summary>
/// A team brought its own key for a provider (BYOK): its keys' requests to that provider use it instead of the
/// gateway's. The secret is kept encrypted elsewhere, referenced only by <paramref name="CredentialId"/>.
/// </summary>
public sealed record TeamCredentialRegistered(Guid TeamId, Guid ProviderId, Guid CredentialId) : IControlPlaneEvent;

/// <summary>The team's own key for a provider was removed; its requests use the gateway's credential again.</summary>
public sealed record TeamCredentialRemoved(Guid TeamId, Guid ProviderId, Guid CredentialId) : IControlPlaneEvent;
