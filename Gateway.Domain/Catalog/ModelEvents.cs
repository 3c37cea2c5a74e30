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
    bool Enabled,
    decimal? CachedInputPricePerMillion = null,
    decimal? CacheWriteInputPricePerMillion = null) : IControlPlaneEvent;

/// <summary>
/// (<c>CacheWriteInputPricePerMillion</c> added 2026-12-07: absent from earlier events, read as "cache writes cost input".)
/// A model's price changes from <paramref name="EffectiveFrom"/> on (USD per million tokens). Requests are priced
/// by the version in force when they ran, so a change never rewrites what was already billed.
/// </summary>
public sealed record ModelPriceChanged(
    Guid ModelId, decimal InputPricePerMillion, decimal OutputPricePerMillion, decimal? CachedInputPricePerMillion, DateTimeOffset EffectiveFrom,
    decimal? CacheWriteInputPricePerMillion = null)
    : IControlPlaneEvent;

public sealed record ModelEnabled(Guid ModelId) : IControlPlaneEvent;

public sealed record ModelDisabled(Guid ModelId) : IControlPlaneEvent;
