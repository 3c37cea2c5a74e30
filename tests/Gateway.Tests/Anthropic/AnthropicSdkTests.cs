using Anthropic;
using Anthropic.Models.Messages;

namespace Gateway.Tests.Anthropic;

/// <summary>
/// The official Anthropic .NET SDK, unchanged but for its base URL and key, talks to /v1/messages and is answered
/// by an OpenAI-format model, streaming included.
/// </summary>
[Collection(GatewayCollection.Name)]
public class AnthropicSdkTests(GatewayFixture gateway)
{
    AnthropicClient Sdk(string key) => new()
    {
        ApiKey = key,
        BaseUrl = gateway.Host.Server.BaseAddress.ToString().TrimEnd('/'),
        HttpClient = gateway.Host.Server.CreateClient(),
        MaxRetries = 0,
    };

    MessageCreateParams Ask(string model, string text) => new()
    {
        Model = model,
        MaxTokens = 200,
        Messages = [new UserMessageParam { Content = text }],
    };

    [Fact]
    public async Task the_anthropic_sdk_gets_a_message_served_by_an_openai_format_model()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock");

        var message = await Sdk(key.Secret).Messages.Create(Ask(model.PublicId, "Say hello to the SDK"));

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.Equal($"This is a mock reply from {model.Upstream}.", text!.Text);
        Assert.Equal(5, message.Usage.InputTokens);
        Assert.Equal(7, message.Usage.OutputTokens);
        Assert.Equal(StopReason.EndTurn, message.StopReason?.Value());
        Assert.Equal(model.Upstream, gateway.LastUpstreamRequest(model).Model);
    }

    [Fact]
    public async Task the_anthropic_sdk_streams_a_message_served_by_an_openai_format_model()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock");
        var text = new System.Text.StringBuilder();
        long outputTokens = 0;
        var stopped = false;

        await foreach (var streamed in Sdk(key.Secret).Messages.CreateStreaming(Ask(model.PublicId, "Stream to the SDK")))
        {
            if (streamed.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickText(out var piece)) text.Append(piece!.Text);
            if (streamed.TryPickDelta(out var messageDelta)) outputTokens = messageDelta!.Usage.OutputTokens;
            if (streamed.TryPickStop(out _)) stopped = true;
        }

        Assert.Equal($"This is a mock reply from {model.Upstream}.", text.ToString());
        Assert.Equal(7, outputTokens);
        Assert.True(stopped);
    }

    [Fact]
    public async Task the_anthropic_sdk_gets_thinking_and_prompt_caching_from_an_anthropic_model_which_received_them_verbatim()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-anthropic");
        var ask = new MessageCreateParams
        {
            Model = model.PublicId,
            MaxTokens = 4096,
            System = new List<TextBlockParam> { new("You answer in one line.") { CacheControl = new CacheControlEphemeral() } },
            Thinking = new ThinkingConfigEnabled(2048),
            Messages = [new UserMessageParam { Content = "Say hello to the SDK" }],
        };

        var first = await Sdk(key.Secret).Messages.Create(ask);

        Assert.True(first.Content[0].TryPickThinking(out var thinking));
        Assert.StartsWith("sig-", thinking!.Signature);
        Assert.False(string.IsNullOrEmpty(thinking.Thinking));
        Assert.True(first.Content[1].TryPickText(out var text));
        Assert.Equal($"This is a mock reply from {model.Upstream}.", text!.Text);
        Assert.True(first.Usage.CacheCreationInputTokens > 0);
        // What the SDK sent is what Anthropic received, but for the model name.
        var sent = System.Text.Json.Nodes.JsonNode.Parse(gateway.LastUpstreamRequest(model).Body)!;
        Assert.Equal(model.Upstream, (string)sent["model"]!);
        Assert.Equal("ephemeral", (string)sent["system"]![0]!["cache_control"]!["type"]!);
        Assert.Equal("enabled", (string)sent["thinking"]!["type"]!);
        Assert.Equal(2048, (int)sent["thinking"]!["budget_tokens"]!);

        var second = await Sdk(key.Secret).Messages.Create(ask);
        Assert.Equal(first.Usage.CacheCreationInputTokens, second.Usage.CacheReadInputTokens);
    }
}
