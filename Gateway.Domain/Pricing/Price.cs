namespace Gateway.Domain.Pricing;

/// <summary>
/// A model's price in USD per million tokens. Money is decimal, never floating point. Cached input tokens (read
/// from the provider's prompt cache) cost <see cref="CachedInputPerMillion"/> when the provider discounts them; input
/// tokens written to the cache cost <see cref="CacheWriteInputPerMillion"/> when the provider charges more for them
/// (Anthropic: 1.25× input for a 5-minute entry).
/// </summary>
public readonly record struct Price(decimal InputPerMillion, decimal OutputPerMillion, decimal? CachedInputPerMillion = null,
    decimal? CacheWriteInputPerMillion = null)
{
    /// <summary>The most one input token can cost: what a worst-case reservation counts every prompt token at.</summary>
    public decimal MostPerInputToken => Math.Max(InputPerMillion, CacheWriteInputPerMillion ?? 0);

    const decimal Million = 1_000_000m;

    /// <param name="promptTokens">All input tokens, cached ones included.</param>
    /// <param name="cachedTokens">The part of <paramref name="promptTokens"/> read from the provider's cache.</param>
    /// <param name="cacheWriteTokens">The part of <paramref name="promptTokens"/> written to the provider's cache.</param>
    public decimal Cost(long promptTokens, long completionTokens, long cachedTokens = 0, long cacheWriteTokens = 0)
    {
        var cached = CachedInputPerMillion is null ? 0 : Math.Clamp(cachedTokens, 0, promptTokens);
        var written = CacheWriteInputPerMillion is null ? 0 : Math.Clamp(cacheWriteTokens, 0, promptTokens - cached);
        return ((promptTokens - cached - written) * InputPerMillion + cached * (CachedInputPerMillion ?? 0)
            + written * (CacheWriteInputPerMillion ?? 0) + completionTokens * OutputPerMillion) / Million;
    }
}

/// <summary>A price and the instant from which it applies.</summary>
public sealed record PriceVersion(DateTimeOffset EffectiveFrom, decimal InputPerMillion, decimal OutputPerMillion, decimal? CachedInputPerMillion,
    decimal? CacheWriteInputPerMillion = null)
{
    public Price Price => new(InputPerMillion, OutputPerMillion, CachedInputPerMillion, CacheWriteInputPerMillion);

    /// <summary>The price in force at <paramref name="instant"/>: the latest version that took effect at or before it.</summary>
    public static Price At(IReadOnlyList<PriceVersion> versions, DateTimeOffset instant)
    {
        PriceVersion? inForce = null;
        foreach (var version in versions)
            if (version.EffectiveFrom <= instant && (inForce is null || version.EffectiveFrom >= inForce.EffectiveFrom)) inForce = version;
        return (inForce ?? versions[0]).Price;
    }
}
