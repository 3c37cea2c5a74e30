using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Anthropic;

/// <summary>POST /v1/messages/count_tokens: asked of Anthropic for its models, counted by the gateway's tokenizer for the others.</summary>
[Collection(GatewayCollection.Name)]
public class CountTokensTests(GatewayFixture gateway)
{
    HttpClient AnthropicClient(string? key)
    {
        var client = gateway.Host.Server.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("x-api-key", key);
        client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return client;
    }

    static object Count(string model, string text) => new
    {
        model,
        system = new[] { new { type = "text", text = "Be brief.", cache_control = new { type = "ephemeral" } } },
        messages = new[] { new { role = "user", content = text } },
    };

    [Fact]
    public async Task an_anthropic_model_is_counted_by_anthropic_with_the_request_as_it_came()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-anthropic");
        using var client = AnthropicClient(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/messages/count_tokens", Count(model.PublicId, "Hello there general Kenobi"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The mock counts words (2 + 4) plus 3 for framing: Anthropic's count, not the gateway's.
        Assert.Equal(9, (await Chat.JsonAsync(response)).GetProperty("input_tokens").GetInt32());
        var received = gateway.LastUpstreamRequest(model);
        Assert.Equal("/v1/messages/count_tokens", received.Path);
        var sent = JsonNode.Parse(received.Body)!;
        Assert.Equal(model.Upstream, (string)sent["model"]!);
        Assert.Equal("ephemeral", (string)sent["system"]![0]!["cache_control"]!["type"]!);
    }

    [Fact]
    public async Task another_model_is_counted_by_the_gateway_without_calling_its_provider()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = AnthropicClient(key.Secret);
        var before = gateway.Mock.Requests.Snapshot().Count(r => r.Model == model.Upstream);

        using var shortOne = await client.PostAsJsonAsync("/v1/messages/count_tokens", Count(model.PublicId, "Hello"));
        using var longOne = await client.PostAsJsonAsync("/v1/messages/count_tokens", Count(model.PublicId, string.Join(' ', Enumerable.Repeat("Hello there general Kenobi", 20))));

        Assert.Equal(HttpStatusCode.OK, shortOne.StatusCode);
        var few = (await Chat.JsonAsync(shortOne)).GetProperty("input_tokens").GetInt32();
        var many = (await Chat.JsonAsync(longOne)).GetProperty("input_tokens").GetInt32();
        Assert.InRange(few, 2, 20);
        Assert.True(many > few + 60, $"{many} tokens for 80 more words than {few}");
        Assert.Equal(before, gateway.Mock.Requests.Snapshot().Count(r => r.Model == model.Upstream));
    }

    [Fact]
    public async Task an_unknown_model_and_a_missing_key_get_anthropics_errors()
    {
        var key = await gateway.NewKeyAsync();
        using var client = AnthropicClient(key.Secret);
        using var unknown = await client.PostAsJsonAsync("/v1/messages/count_tokens", Count("nobody/nothing", "Hello"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("not_found_error", (await Chat.JsonAsync(unknown)).GetProperty("error").GetProperty("type").GetString());

        using var anonymous = AnthropicClient(null);
        using var refused = await anonymous.PostAsJsonAsync("/v1/messages/count_tokens", Count("nobody/nothing", "Hello"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("authentication_error", (await Chat.JsonAsync(refused)).GetProperty("error").GetProperty("type").GetString());
    }
}
