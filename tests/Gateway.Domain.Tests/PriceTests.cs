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

public class PriceVersionTests
{
    static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z");

    [Fact]
    public void cached_input_tokens_cost_the_cached_price()
    {
        var price = new Price(3m, 15m, CachedInputPerMillion: 0.30m);
        Assert.Equal((100 * 3m + 900 * 0.30m + 50 * 15m) / 1_000_000m, price.Cost(promptTokens: 1000, completionTokens: 50, cachedTokens: 900));
    }

    [Fact]
    public void without_a_cached_price_cached_tokens_cost_the_input_price() =>
        Assert.Equal(new Price(3m, 15m).Cost(1000, 50), new Price(3m, 15m).Cost(1000, 50, cachedTokens: 900));

    [Fact]
    public void a_request_is_priced_by_the_version_in_force_when_it_ran()
    {
        PriceVersion[] versions =
        [
            new(DateTimeOffset.MinValue, 1m, 2m, null),
            new(T0.AddDays(10), 2m, 4m, null),
            new(T0.AddDays(20), 3m, 6m, null),
        ];
        Assert.Equal(1m, PriceVersion.At(versions, T0).InputPerMillion);
        Assert.Equal(2m, PriceVersion.At(versions, T0.AddDays(10)).InputPerMillion);
        Assert.Equal(2m, PriceVersion.At(versions, T0.AddDays(19)).InputPerMillion);
        Assert.Equal(3m, PriceVersion.At(versions, T0.AddDays(30)).InputPerMillion);
    }

    [Fact]
    public void tokens_written_to_the_cache_cost_the_cache_write_price_and_reads_the_cached_price()
    {
        var price = new Price(3m, 15m, CachedInputPerMillion: 0.30m, CacheWriteInputPerMillion: 3.75m);
        // 1,000 prompt tokens: 600 written to the cache, 300 read from it, 100 plain.
        Assert.Equal((100 * 3m + 300 * 0.30m + 600 * 3.75m + 50 * 15m) / 1_000_000m,
            price.Cost(promptTokens: 1000, completionTokens: 50, cachedTokens: 300, cacheWriteTokens: 600));
        // Without a cache write price they cost input.
        Assert.Equal(new Price(3m, 15m, 0.30m).Cost(1000, 50, 300), new Price(3m, 15m, 0.30m).Cost(1000, 50, 300, cacheWriteTokens: 600));
        // The worst case counts every prompt token at the dearer of the two.
        Assert.Equal(3.75m, price.MostPerInputToken);
    }
}
