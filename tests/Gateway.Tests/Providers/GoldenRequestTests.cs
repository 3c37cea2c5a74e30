using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Providers;

/// <summary>
/// One rich OpenAI request (system prompt, image, tool call and tool result history, tools, sampling options)
/// must reach each upstream exactly as its own API expects it: the body the mock received is compared with a
/// reviewed golden file, and the URL and credential header with the provider's conventions.
/// </summary>
[Collection(GatewayCollection.Name)]
public class GoldenRequestTests(GatewayFixture gateway)
{
    [Theory]
    [InlineData("mock-anthropic", "anthropic-request.json", "/v1/messages", "")]
    [InlineData("mock-gemini", "gemini-request.json", "/v1beta/models/{model}:generateContent", "")]
    [InlineData("mock-azure", "azure-request.json", "/openai/deployments/{model}/chat/completions", "?api-version=2024-10-21")]
    public async Task the_upstream_receives_the_request_in_its_own_wire_format(string provider, string golden, string path, string query)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostRawAsync(client, Golden("openai-request.json", model.PublicId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = gateway.LastUpstreamRequest(model);
        Assert.Equal(path.Replace("{model}", model.Upstream), received.Path);
        Assert.Equal(query, received.Query);
        Assert.Equal(GatewayFixture.ProviderKey, received.ApiKey);
        var expected = JsonNode.Parse(Golden(golden, model.Upstream));
        var actual = JsonNode.Parse(received.Body);
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected!.ToJsonString()}\n but got {actual!.ToJsonString()}");
    }

    [Fact]
    public async Task anthropic_gets_its_version_header()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-anthropic");
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        Assert.Equal("2023-06-01", gateway.LastUpstreamRequest(model).AnthropicVersion);
    }

    static string Golden(string file, string model) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", file), Encoding.UTF8).Replace("{model}", model);
}
