namespace Gateway.Domain.Pricing;

/// <summary>A model's price in USD per million tokens. Money is decimal, never floating point.</summary>
public readonly record struct Price(decimal InputPerMillion, decimal OutputPerMillion)
{
    const decimal Million = 1_000_000m;

    public decimal Cost(long promptTokens, long completionTokens) =>
        (promptTokens * InputPerMillion + completionTokens * OutputPerMillion) / Million;
}
