using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Anthropic;
using MockProvider;
using OpenAI;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK marks its Responses client as evaluation

namespace Gateway.Tests.Responses;

/// <summary>
/// /v1/responses passed through to upstreams that serve the Responses API themselves (the mock speaks its wire format:
/// response objects, the event stream, reasoning items): the client's body goes as written but for the model, store
/// (false) and previous_response_id (the stored conversation, sent as items), and the answer comes back under the
/// gateway's id, so a conversation still moves between providers.
/// </summary>
[Collection(GatewayCollection.Name)]
public class NativeResponsesTests(GatewayFixture gateway)
{
    LoggedRequest Forwarded(TestModel model) => gateway.Mock.Requests.Snapshot().Last(r => r.Model == model.Upstream);

    ResponsesClient Sdk(string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(gateway.Host.Server.BaseAddress, "/v1"),
        Transport = new HttpClientPipelineTransport(gateway.Host.Server.CreateClient()),
    });

    [Fact]
    public async Task a_response_passes_through_with_what_only_the_responses_api_carries_and_is_recorded()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 3m, output: 15m, provider: "mock-responses");
        using var client = gateway.Client(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/responses", new
        {
            model = model.PublicId, instructions = "Be brief.", input = "Hello there general Kenobi",
            reasoning = new { effort = "low" }, include = new[] { "reasoning.encrypted_content" }, metadata = new { ticket = "T-1" },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Forwarded(model);
        Assert.Equal("/v1/responses", forwarded.Path);
        Assert.Equal($"Bearer {GatewayFixture.ProviderKey}", forwarded.Authorization);
        var sent = JsonDocument.Parse(forwarded.Body).RootElement;
        Assert.Equal(model.Upstream, sent.GetProperty("model").GetString());
        Assert.False(sent.GetProperty("store").GetBoolean());
        Assert.Equal("Hello there general Kenobi", sent.GetProperty("input").GetString());
        Assert.Equal("reasoning.encrypted_content", sent.GetProperty("include")[0].GetString());
        Assert.Equal("T-1", sent.GetProperty("metadata").GetProperty("ticket").GetString());

        var body = await Chat.JsonAsync(response);
        var requestId = Guid.Parse(response.Headers.GetValues("x-request-id").Single());
        Assert.Equal($"resp_{requestId:N}", body.GetProperty("id").GetString());
        Assert.Equal(model.PublicId, body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("store").GetBoolean());
        // The reasoning item and its encrypted content: the chat translation could not have carried them.
        var output = body.GetProperty("output");
        Assert.Equal("reasoning", output[0].GetProperty("type").GetString());
        Assert.StartsWith("enc-", output[0].GetProperty("encrypted_content").GetString());
        Assert.Equal($"This is a mock reply from {model.Upstream}.", output[1].GetProperty("content")[0].GetProperty("text").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal(ResponsesApi.ReasoningTokens, usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32());

        var record = await gateway.RecordAsync(response);
        Assert.Equal("responses", record.ClientApi);
        var (input, completion) = (6, 7 + ResponsesApi.ReasoningTokens);
        Assert.Equal((input, completion), (record.PromptTokens, record.CompletionTokens));
        Assert.Equal(model.Cost(input, completion), record.Cost);

        // Kept by the gateway, though the upstream was told not to keep it.
        using var read = await client.GetAsync($"/v1/responses/resp_{requestId:N}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(body.GetProperty("output").GetRawText(), (await Chat.JsonAsync(read)).GetProperty("output").GetRawText());
    }

    [Fact]
    public async Task a_streamed_response_passes_the_upstreams_events_through_under_the_gateways_id()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-responses");
        using var client = gateway.Client(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/responses", new { model = model.PublicId, input = "Hello there", stream = true, reasoning = new { effort = "medium" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requestId = Guid.Parse(response.Headers.GetValues("x-request-id").Single());
        var events = MessagesEndpointTests.ParseSse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.output_item.done", "response.output_item.added"],
            events.Take(5).Select(e => e.Name));
        Assert.Equal("reasoning", events[2].Data.GetProperty("item").GetProperty("type").GetString());
        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
        foreach (var lifecycle in new[] { events[0], events[1], events[^1] })
        {
            Assert.Equal($"resp_{requestId:N}", lifecycle.Data.GetProperty("response").GetProperty("id").GetString());
            Assert.Equal(model.PublicId, lifecycle.Data.GetProperty("response").GetProperty("model").GetString());
        }
        // Item ids are the upstream's, untouched.
        Assert.StartsWith("msg_", events[4].Data.GetProperty("item").GetProperty("id").GetString());
        var deltas = string.Concat(events.Where(e => e.Name == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString()));
        Assert.Equal($"This is a mock reply from {model.Upstream}.", deltas);
        Assert.True(JsonDocument.Parse(Forwarded(model).Body).RootElement.GetProperty("stream").GetBoolean());

        var record = await gateway.RecordAsync(response);
        Assert.Equal("responses", record.ClientApi);
        Assert.Equal(7 + ResponsesApi.ReasoningTokens, record.CompletionTokens);
    }

    [Fact]
    public async Task a_conversation_moves_from_a_passthrough_provider_to_a_translated_one_and_back()
    {
        var key = await gateway.NewKeyAsync();
        var native = await gateway.NewModelAsync(provider: "mock-responses");
        var anthropic = await gateway.NewModelAsync(provider: "mock-anthropic");
        using var client = gateway.Client(key.Secret);

        var first = await Chat.JsonAsync(await client.PostAsJsonAsync("/v1/responses", new { model = native.PublicId, input = "First question" }));
        var second = await Chat.JsonAsync(await client.PostAsJsonAsync("/v1/responses",
            new { model = anthropic.PublicId, input = "Second question", previous_response_id = first.GetProperty("id").GetString() }));
        var anthropicMessages = JsonDocument.Parse(Forwarded(anthropic).Body).RootElement.GetProperty("messages");
        Assert.Equal(["user", "assistant", "user"], anthropicMessages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Contains($"This is a mock reply from {native.Upstream}.", anthropicMessages[1].GetRawText());

        using var third = await client.PostAsJsonAsync("/v1/responses", new
        {
            model = native.PublicId, previous_response_id = second.GetProperty("id").GetString(),
            input = new object[] { new { role = "user", content = "Third question" } },
        });

        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        var sent = JsonDocument.Parse(Forwarded(native).Body).RootElement;
        Assert.False(sent.TryGetProperty("previous_response_id", out _));
        var items = sent.GetProperty("input").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", "user", "assistant", "user"], items.Select(i => i.GetProperty("role").GetString()));
        Assert.Equal("First question", items[0].GetProperty("content").GetString());
        Assert.Equal($"This is a mock reply from {anthropic.Upstream}.", items[3].GetProperty("content").GetString());
        Assert.Equal("Third question", items[4].GetProperty("content").GetString());
        Assert.Equal(second.GetProperty("id").GetString(), (await Chat.JsonAsync(third)).GetProperty("previous_response_id").GetString());
    }

    [Fact]
    public async Task the_sdk_runs_a_tool_round_trip_through_the_passthrough_streaming_and_not()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-responses");
        gateway.SetBehavior(model, new ModelBehavior { ToolCall = new MockToolCall("get_weather", """{"city":"Paris"}""") });
        var sdk = Sdk(key.Secret);
        var weather = ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""), null, "Weather of a city");

        var streamed = new System.Text.StringBuilder();
        ResponseResult? first = null;
        await foreach (var update in sdk.CreateResponseStreamingAsync(new CreateResponseOptions
        {
            Model = model.PublicId,
            InputItems = { ResponseItem.CreateUserMessageItem("Weather in Paris?") },
            Tools = { weather },
            StreamingEnabled = true,
        }))
        {
            if (update is StreamingResponseFunctionCallArgumentsDeltaUpdate delta) streamed.Append(delta.Delta);
            if (update is StreamingResponseCompletedUpdate done) first = done.Response;
        }
        Assert.Equal("""{"city":"Paris"}""", streamed.ToString());
        var call = Assert.Single(first!.OutputItems.OfType<FunctionCallResponseItem>());
        Assert.Equal("get_weather", call.FunctionName);

        gateway.SetBehavior(model, ModelBehavior.Normal);
        ResponseResult second = await sdk.CreateResponseAsync(new CreateResponseOptions
        {
            Model = model.PublicId,
            PreviousResponseId = first.Id,
            InputItems = { ResponseItem.CreateFunctionCallOutputItem(call.CallId, "18 degrees") },
            Tools = { weather },
        });

        Assert.Equal($"This is a mock reply from {model.Upstream}.", second.GetOutputText());
        Assert.Equal(first.Id, second.PreviousResponseId);
        var items = JsonDocument.Parse(Forwarded(model).Body).RootElement.GetProperty("input").EnumerateArray().ToList();
        Assert.Equal(["message", "function_call", "function_call_output"], items.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal(call.CallId, items[1].GetProperty("call_id").GetString());
        Assert.Equal(call.CallId, items[2].GetProperty("call_id").GetString());
        Assert.Equal("18 degrees", items[2].GetProperty("output").GetString());
    }

    [Fact]
    public async Task azure_models_take_responses_on_azures_v1_surface()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-azure");
        using var client = gateway.Client(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/responses", new { model = model.PublicId, input = "Hello Azure" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Forwarded(model);
        Assert.Equal("/openai/v1/responses", forwarded.Path);
        Assert.Equal(GatewayFixture.ProviderKey, forwarded.ApiKey);
        Assert.Equal($"This is a mock reply from {model.Upstream}.", (await Chat.JsonAsync(response)).GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task an_upstream_error_comes_back_in_openais_shape_and_a_route_falls_back_to_a_translated_target()
    {
        var key = await gateway.NewKeyAsync();
        var native = await gateway.NewModelAsync(provider: "mock-responses");
        var gemini = await gateway.NewModelAsync(provider: "mock-gemini");
        gateway.SetBehavior(native, new ModelBehavior { Status = 400 });
        using var client = gateway.Client(key.Secret);

        using var refused = await client.PostAsJsonAsync("/v1/responses", new { model = native.PublicId, input = "Hello" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(JsonValueKind.String, (await Chat.JsonAsync(refused)).GetProperty("error").GetProperty("message").ValueKind);

        gateway.SetBehavior(native, new ModelBehavior { Status = 503 });
        var route = await gateway.NewRouteAsync(null, native, gemini);
        using var fellBack = await client.PostAsJsonAsync("/v1/responses", new { model = route, input = "Hello", stream = true });

        Assert.Equal(HttpStatusCode.OK, fellBack.StatusCode);
        var events = MessagesEndpointTests.ParseSse(await fellBack.Content.ReadAsStringAsync());
        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal($"This is a mock reply from {gemini.Upstream}.",
            string.Concat(events.Where(e => e.Name == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString())));
    }

    [Fact]
    public async Task built_in_tools_and_files_reach_a_passthrough_provider_and_are_refused_by_name_elsewhere()
    {
        var key = await gateway.NewKeyAsync();
        var native = await gateway.NewModelAsync(provider: "mock-responses");
        var anthropic = await gateway.NewModelAsync(provider: "mock-anthropic");
        using var client = gateway.Client(key.Secret);
        object Request(TestModel model) => new
        {
            model = model.PublicId,
            input = new object[] { new { role = "user", content = new object[] { new { type = "input_text", text = "Summarise the file" }, new { type = "input_file", file_id = "file-abc" } } } },
            tools = new object[] { new { type = "web_search" }, new { type = "function", name = "lookup", parameters = new { type = "object" } } },
        };

        using var passed = await client.PostAsJsonAsync("/v1/responses", Request(native));
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        var sent = JsonDocument.Parse(Forwarded(native).Body).RootElement;
        Assert.Equal("web_search", sent.GetProperty("tools")[0].GetProperty("type").GetString());
        Assert.Equal("file-abc", sent.GetProperty("input")[0].GetProperty("content")[1].GetProperty("file_id").GetString());
        var record = await gateway.RecordAsync(passed);
        Assert.Equal("responses", record.ClientApi);

        using var refused = await client.PostAsJsonAsync("/v1/responses", Request(anthropic));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = (await Chat.JsonAsync(refused)).GetProperty("error");
        Assert.Contains("'input_file'", error.GetProperty("message").GetString());
        Assert.Equal("input[0].content[1].type", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task a_provider_that_cannot_serve_responses_is_refused_the_flag()
    {
        var problem = await gateway.AdminPostAsync("/admin/providers",
            new { name = $"p-{Guid.NewGuid():N}"[..12], kind = "anthropic", baseUrl = gateway.Mock.AnthropicBaseUrl, responsesApi = true }, expectedStatus: 400);
        Assert.Contains("Responses", problem.ToString());
    }
}
