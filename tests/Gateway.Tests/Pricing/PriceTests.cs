using System.Net;
using System.Net.Http.Json;
using MockProvider;

namespace Gateway.Tests.Pricing;

/// <summary>Prices are versioned: a request costs what the price in force when it ran says, never a later one.</summary>
[Collection(GatewayCollection.Name)]
public class PriceTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_price_change_applies_from_its_effective_time_on()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 1m, output: 2m);
        using var client = gateway.Client(key.Secret);
        using var admin = gateway.Client(GatewayFixture.AdminKey);

        using var before = await Chat.PostAsync(client, Chat.Request(model.PublicId, "Hello there general Kenobi"));
        using (var put = await admin.PutAsJsonAsync($"/admin/models/{model.Id}/price",
            new { inputPricePerMillion = 10m, outputPricePerMillion = 20m, effectiveFrom = gateway.Clock.GetUtcNow().AddHours(1) }))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var stillOld = await Chat.PostAsync(client, Chat.Request(model.PublicId, "Hello there general Kenobi"));
        HttpResponseMessage later;
        using (gateway.Clock.Shift(TimeSpan.FromMinutes(61)))
            later = await Chat.PostAsync(client, Chat.Request(model.PublicId, "Hello there general Kenobi"));

        Assert.Equal((4 * 1m + 7 * 2m) / 1_000_000m, (await gateway.RecordAsync(before)).Cost);
        Assert.Equal((4 * 1m + 7 * 2m) / 1_000_000m, (await gateway.RecordAsync(stillOld)).Cost);
        Assert.Equal((4 * 10m + 7 * 20m) / 1_000_000m, (await gateway.RecordAsync(later)).Cost);
        later.Dispose();
        var listed = (await gateway.AdminGetAsync("/admin/models")).EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == model.Id);
        Assert.Equal(2, listed.GetProperty("prices").GetArrayLength());
    }

    [Fact]
    public async Task cached_prompt_tokens_are_billed_at_the_cached_price()
    {
        var key = await gateway.NewKeyAsync();
        var upstream = $"m-{Guid.NewGuid():N}"[..14];
        var model = await gateway.AdminPostAsync("/admin/models", new
        {
            provider = "mock-anthropic", model = upstream, inputPricePerMillion = 3m, outputPricePerMillion = 15m, cachedInputPricePerMillion = 0.30m,
        });
        gateway.Mock.Behaviors.Set(upstream, new ModelBehavior { CacheReadTokens = 3 });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.GetProperty("publicId").GetString()!, "Hello there general Kenobi"));

        var record = await gateway.RecordAsync(response);
        Assert.Equal((4, 3), (record.PromptTokens, record.CachedPromptTokens));
        Assert.Equal((1 * 3m + 3 * 0.30m + 7 * 15m) / 1_000_000m, record.Cost);
    }

    [Fact]
    public async Task the_starter_price_list_reprices_the_catalog_models_it_names()
    {
        var named = await gateway.AdminPostAsync("/admin/models", new { provider = "mock", model = "gpt-4o-mini", inputPricePerMillion = 9m, outputPricePerMillion = 9m });
        var unnamed = await gateway.NewModelAsync(input: 9m, output: 9m);

        var applied = await gateway.AdminPostAsync("/admin/prices/load-starter", null);

        Assert.Contains(applied.EnumerateArray(), a => a.GetProperty("publicId").GetString() == "mock/gpt-4o-mini");
        var models = (await gateway.AdminGetAsync("/admin/models")).EnumerateArray().ToList();
        var repriced = models.Single(m => m.GetProperty("id").GetGuid() == named.GetProperty("id").GetGuid());
        Assert.Equal((0.15m, 0.6m), (repriced.GetProperty("inputPricePerMillion").GetDecimal(), repriced.GetProperty("outputPricePerMillion").GetDecimal()));
        var untouched = models.Single(m => m.GetProperty("id").GetGuid() == unnamed.Id);
        Assert.Equal(9m, untouched.GetProperty("inputPricePerMillion").GetDecimal());
    }
}
