using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace Gateway.Tests;

/// <summary>The official OpenAI .NET SDK works unchanged (only the base URL and the key differ), whatever wire format serves the model.</summary>
[Collection(GatewayCollection.Name)]
public class OpenAiSdkTests(GatewayFixture gateway)
{
    ChatClient SdkClient(string model, string key) => new(model, new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(gateway.Host.Server.BaseAddress, "/v1"),
        Transport = new HttpClientPipelineTransport(gateway.Host.Server.CreateClient()),
    });

    [Theory]
    [InlineData("mock")]
    [InlineData("mock-anthropic")]
    [InlineData("mock-gemini")]
    public async Task the_sdk_gets_a_completion_with_usage(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        var chat = SdkClient(model.PublicId, key.Secret);

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Say hello to the SDK")]);

        Assert.Equal(model.PublicId, completion.Model);
        Assert.Equal($"This is a mock reply from {model.Upstream}.", completion.Content[0].Text);
        Assert.Equal(5, completion.Usage.InputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
    }

    [Theory]
    [InlineData("mock")]
    [InlineData("mock-anthropic")]
    [InlineData("mock-gemini")]
    public async Task the_sdk_streams_a_completion(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        var chat = SdkClient(model.PublicId, key.Secret);

        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream to the SDK")]))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            usage ??= update.Usage;
        }

        Assert.Equal($"This is a mock reply from {model.Upstream}.", text.ToString());
        Assert.NotNull(usage);
        Assert.Equal(4, usage!.InputTokenCount);
    }

    [Fact]
    public async Task the_sdk_retrieves_a_model_whose_id_holds_a_slash()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        var models = new OpenAI.Models.OpenAIModelClient(new ApiKeyCredential(key.Secret), new OpenAIClientOptions
        {
            Endpoint = new Uri(gateway.Host.Server.BaseAddress, "/v1"),
            Transport = new HttpClientPipelineTransport(gateway.Host.Server.CreateClient()),
        });

        // The SDK escapes the id: GET /v1/models/mock%2F….
        OpenAI.Models.OpenAIModel retrieved = await models.GetModelAsync(model.PublicId);

        Assert.Equal(model.PublicId, retrieved.Id);
        Assert.Equal("mock", retrieved.OwnedBy);
    }

    [Fact]
    public async Task the_sdk_surfaces_gateway_errors()
    {
        var chat = SdkClient("mock/none", "sk-gw-wrong");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(401, error.Status);
    }
}
