using Gateway.Domain.Pricing;

namespace Gateway.Domain.Tests;

public class PriceTests
{
    [Fact]
    public void cost_is_tokens_times_price_per_million_in_exact_decimal()
    {
        var price = new Price(InputPerMillion: 2.50m, OutputPerMillion: 10.00m);

        Assert.Equal(0.0025m + 0.005m, price.Cost(promptTokens: 1000, completionTokens: 500));
    }

    [Fact]
    public void a_million_tiny_requests_add_up_to_the_cent()
    {
        var price = new Price(0.15m, 0.60m);
        var total = 0m;
        for (var i = 0; i < 1_000_000; i++) total += price.Cost(7, 3);

        Assert.Equal(7 * 0.15m + 3 * 0.60m, total);
    }

    [Fact]
    public void free_models_cost_nothing() => Assert.Equal(0m, new Price(0, 0).Cost(123, 456));
}
