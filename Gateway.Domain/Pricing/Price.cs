namespace Gateway.Domain.Pricing;

/// <summary>
/// A model's price in USD per million tokens. Money is decimal, never floating point. Cached input tokens (read
/// from the provider's prompt cache) cost <see cref="CachedInputPerMillion"/> when the provider discounts them.
/// </summary>
public readonly record struct Price(decimal InputPerMillion, decimal OutputPerMillion, decimal? CachedInputPerMillion = null)
{
    const decimal Million = 1_000_000m;

    /// <param name="promptTokens">All input tokens, cached ones included.</param>
    /// <param name="cachedTokens">The part of <paramref name="promptTokens"/> read from the provider's cache.</param>
    public decimal Cost(long promptTokens, long completionTokens, long cachedTokens = 0)
    {
        var cached = CachedInputPerMillion is null ? 0 : Math.Clamp(cachedTokens, 0, promptTokens);
        return ((promptTokens - cached) * InputPerMillion + cached * (CachedInputPerMillion ?? 0) + completionTokens * OutputPerMillion) / Million;
    }
}

/// <summary>A price and the instant from which it applies.</summary>
public sealed record PriceVersion(DateTimeOffset EffectiveFrom, decimal InputPerMillion, decimal OutputPerMillion, decimal? CachedInputPerMillion)
{
    public Price Price => new(InputPerMillion, OutputPerMillion, CachedInputPerMillion);

    /// <summary>The price in force at <paramref name="instant"/>: the latest version that took effect at or before it.</summary>
    public static Price At(IReadOnlyList<PriceVersion> versions, DateTimeOffset instant)
    {
        PriceVersion? inForce = null;
        foreach (var version in versions)
            if (version.EffectiveFrom <= instant && (inForce is null || version.EffectiveFrom >= inForce.EffectiveFrom)) inForce = version;
        return (inForce ?? versions[0]).Price;
    }
}
