namespace Gateway.Domain.Providers;

/// <summary>
/// A provider was registered. Its API key is kept encrypted elsewhere, referenced only by <paramref name="CredentialId"/>.
/// <paramref name="ApiVersion"/> is the API version some kinds put on every call (Azure's api-version); null otherwise.
/// <paramref name="ResponsesApi"/> says whether the upstream serves OpenAI's Responses API (added later: null in older
/// events and when not said, which means the kind's default, <see cref="ResponsesSupport"/>).
/// </summary>
public sealed record ProviderRegistered(Guid ProviderId, string Name, string Kind, string BaseUrl, Guid? CredentialId, string? ApiVersion = null,
    bool? ResponsesApi = null) : IControlPlaneEvent;

/// <summary>A provider's API key was replaced; the secret itself never enters an event.</summary>
public sealed record ProviderCredentialReplaced(Guid ProviderId, Guid? CredentialId) : IControlPlaneEvent;
