using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Anthropic;

/// <summary>
/// An OpenAI-format client asking an Anthropic model marks prompt-cache breakpoints with <c>cache_control</c> on a content
/// part, a message or a tool (the gateway's documented extension); Anthropic gets them on the blocks they mark, and the
/// cache reads come back in <c>usage.prompt_tokens_details.cached_tokens</c>.
/// </summary>
[Collection(GatewayCollection.Name)]
public class PromptCachingFromOpenAiTests(GatewayFixture gateway)
{
    [Fact]
    public async Task cache_control_marks_reach_anthropic_and_cached_tokens_come_back_in_openais_usage()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-anthropic");
        using var client = gateway.Client(key.Secret);
        var request = new
        {
            model = model.PublicId,
            messages = new object[]
            {
                new { role = "system", content = new object[] { new { type = "text", text = "You are a careful assistant with a long manual.", cache_control = new { type = "ephemeral" } } } },
                new { role = "user", content = "What does the manual say about caching?", cache_control = new { type = "ephemeral", ttl = "1h" } },
            },
            tools = new object[]
            {
                new { type = "function", function = new { name = "lookup", parameters = new { type = "object", properties = new { } } }, cache_control = new { type = "ephemeral" } },
            },
        };

        using var first = await client.PostAsJsonAsync("/v1/chat/completions", request);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var sent = JsonNode.Parse(gateway.LastUpstreamRequest(model).Body)!;
        Assert.Equal("ephemeral", (string)sent["system"]![0]!["cache_control"]!["type"]!);
        Assert.Equal("1h", (string)sent["messages"]![0]!["content"]![0]!["cache_control"]!["ttl"]!);
        Assert.Equal("ephemeral", (string)sent["tools"]![0]!["cache_control"]!["type"]!);
        var written = (await gateway.RecordAsync(first)).CacheCreationTokens;
        Assert.True(written > 0);
        Assert.Equal(0, (await Chat.JsonAsync(first)).GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());

        using var second = await client.PostAsJsonAsync("/v1/chat/completions", request);
        var usage = (await Chat.JsonAsync(second)).GetProperty("usage");
        Assert.Equal(written, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(written, (await gateway.RecordAsync(second)).CachedPromptTokens);
    }
}
