namespace Gateway.Domain.Catalog;

/// <summary>
/// A model entered the catalog under a public id such as <c>openai/gpt-4o</c>, served by
/// <paramref name="UpstreamModel"/> on a provider, at a price in USD per million tokens.
/// </summary>
public sealed record ModelAdded(
    Guid ModelId,
    string PublicId,
    Guid ProviderId,
    string UpstreamModel,
    decimal InputPricePerMillion,
    decimal OutputPricePerMillion,
    bool Enabled) : IControlPlaneEvent;

public sealed record ModelEnabled(Guid ModelId) : IControlPlaneEvent;

public sealed record ModelDisabled(Guid ModelId) : IControlPlaneEvent;
