using System.ClientModel;
using System.ClientModel.Primitives;
using MockProvider;
using OpenAI;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK marks its Responses client as evaluation

namespace Gateway.Tests.Responses;

/// <summary>The official OpenAI .NET SDK's Responses client works against the gateway unchanged, on any provider's model.</summary>
[Collection(GatewayCollection.Name)]
public class ResponsesSdkTests(GatewayFixture gateway)
{
    ResponsesClient Client(string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(gateway.Host.Server.BaseAddress, "/v1"),
        Transport = new HttpClientPipelineTransport(gateway.Host.Server.CreateClient()),
    });

    [Theory]
    [InlineData("mock")]
    [InlineData("mock-anthropic")]
    public async Task the_sdk_creates_a_response_and_reads_it_back(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        var client = Client(key.Secret);

        ResponseResult response = await client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = model.PublicId,
            Instructions = "Be brief.",
            InputItems = { ResponseItem.CreateUserMessageItem("Say hello to the SDK") },
        });

        Assert.Equal($"This is a mock reply from {model.Upstream}.", response.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.True(response.Usage.OutputTokenCount > 0);
        ResponseResult again = await client.GetResponseAsync(response.Id);
        Assert.Equal(response.Id, again.Id);
        Assert.Equal(response.GetOutputText(), again.GetOutputText());
    }

    [Fact]
    public async Task the_sdk_streams_a_response()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        var client = Client(key.Secret);

        var text = new System.Text.StringBuilder();
        ResponseResult? completed = null;
        await foreach (var update in client.CreateResponseStreamingAsync(new CreateResponseOptions
        {
            Model = model.PublicId,
            InputItems = { ResponseItem.CreateUserMessageItem("Stream to the SDK") },
            StreamingEnabled = true,
        }))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta) text.Append(delta.Delta);
            if (update is StreamingResponseCompletedUpdate done) completed = done.Response;
        }

        Assert.Equal($"This is a mock reply from {model.Upstream}.", text.ToString());
        Assert.NotNull(completed);
        Assert.Equal(text.ToString(), completed!.GetOutputText());
        Assert.True(completed.Usage.InputTokenCount > 0);
    }

    [Fact]
    public async Task the_sdk_runs_a_tool_round_trip_and_continues_on_an_anthropic_model_with_previous_response_id()
    {
        var key = await gateway.NewKeyAsync();
        var openAi = await gateway.NewModelAsync();
        var anthropic = await gateway.NewModelAsync(provider: "mock-anthropic");
        gateway.SetBehavior(openAi, new ModelBehavior { ToolCall = new MockToolCall("get_weather", """{"city":"Paris"}""") });
        var client = Client(key.Secret);
        var weather = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""), null, "Weather of a city");

        ResponseResult first = await client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = openAi.PublicId,
            InputItems = { ResponseItem.CreateUserMessageItem("Weather in Paris?") },
            Tools = { weather },
        });
        var call = Assert.Single(first.OutputItems.OfType<FunctionCallResponseItem>());
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city":"Paris"}""", call.FunctionArguments.ToString());

        // The tool's output goes to another provider's model, which continues the conversation kept by the gateway.
        ResponseResult second = await client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = anthropic.PublicId,
            PreviousResponseId = first.Id,
            InputItems = { ResponseItem.CreateFunctionCallOutputItem(call.CallId, "18 degrees") },
            Tools = { weather },
        });

        Assert.Equal($"This is a mock reply from {anthropic.Upstream}.", second.GetOutputText());
        Assert.Equal(first.Id, second.PreviousResponseId);
        var forwarded = System.Text.Json.JsonDocument.Parse(gateway.Mock.Requests.Snapshot().Last(r => r.Model == anthropic.Upstream).Body).RootElement;
        var messages = forwarded.GetProperty("messages");
        Assert.Equal(["user", "assistant", "user"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        // In Anthropic's format: the call as a tool_use block, its output as a tool_result.
        Assert.Contains("tool_use", messages[1].GetRawText());
        Assert.Contains("18 degrees", messages[2].GetRawText());
    }
}
