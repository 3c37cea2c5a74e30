using System.Net;
using System.Text.Json;
using MockProvider;

namespace Gateway.Tests.Providers;

/// <summary>
/// The same OpenAI-format story against every upstream wire format: the mock speaks each for real over loopback,
/// so these exercise request translation, response and stream translation, and error mapping end to end.
/// </summary>
[Collection(GatewayCollection.Name)]
public class AdapterTests(GatewayFixture gateway)
{
    public static TheoryData<string> Providers => new() { "mock", "mock-anthropic", "mock-gemini", "mock-azure" };

    [Theory, MemberData(nameof(Providers))]
    public async Task a_plain_answer_comes_back_in_openai_shape_with_usage_and_cost(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 3m, output: 15m, provider: provider);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "Hello there general Kenobi"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Chat.JsonAsync(response);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal(model.PublicId, body.GetProperty("model").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal($"This is a mock reply from {model.Upstream}.", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(4, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        var record = await gateway.RecordAsync(response);
        Assert.Equal((4, 7, 11), (record.PromptTokens, record.CompletionTokens, record.TotalTokens));
        Assert.False(record.UsageEstimated);
        Assert.Equal(model.Cost(4, 7), record.Cost);
        Assert.Equal("gateway", record.CredentialKind);
        Assert.Equal(GatewayFixture.ProviderKey, gateway.LastUpstreamRequest(model).ApiKey);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task a_streamed_answer_arrives_as_openai_chunks_then_usage_then_done(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "stream me please", stream: true, includeUsage: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await Chat.EventsAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.All(chunks, c => Assert.Equal(model.PublicId, c.GetProperty("model").GetString()));
        Assert.Equal(Text(chunks), $"This is a mock reply from {model.Upstream}.");
        Assert.Equal("stop", FinishReason(chunks));
        Assert.True(chunks.Count(c => c.GetProperty("choices").GetArrayLength() > 0) >= 3, "the answer came in several chunks");
        var usage = chunks[^1];
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal(3, usage.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        var record = await gateway.RecordAsync(response);
        Assert.True(record.Streamed);
        Assert.Equal((3, 7), (record.PromptTokens, record.CompletionTokens));
        Assert.False(record.UsageEstimated);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task a_streamed_tool_call_arrives_as_tool_call_deltas(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        gateway.SetBehavior(model, new ModelBehavior { ToolCall = new MockToolCall("get_weather", """{"city":"Paris","unit":"celsius"}""") });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, WithTools(model.PublicId, stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await Chat.EventsAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        var calls = chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
            .Where(d => d.TryGetProperty("tool_calls", out _))
            .SelectMany(d => d.GetProperty("tool_calls").EnumerateArray())
            .ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, c => Assert.Equal(0, c.GetProperty("index").GetInt32()));
        Assert.Equal("get_weather", calls[0].GetProperty("function").GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(calls[0].GetProperty("id").GetString()));
        var arguments = string.Concat(calls.Select(c => c.GetProperty("function").TryGetProperty("arguments", out var a) ? a.GetString() : ""));
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse("""{"city":"Paris","unit":"celsius"}""").RootElement, JsonDocument.Parse(arguments).RootElement),
            $"arguments were {arguments}");
        Assert.Equal("tool_calls", FinishReason(chunks));
        var record = await gateway.RecordAsync(response);
        Assert.Equal(200, record.Status);
        Assert.True(record.CompletionTokens > 0);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task a_tool_call_answer_comes_back_as_openai_tool_calls(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        gateway.SetBehavior(model, new ModelBehavior { ToolCall = new MockToolCall("get_weather", """{"city":"Paris"}""") });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, WithTools(model.PublicId, stream: false));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var choice = (await Chat.JsonAsync(response)).GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var call = choice.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("Paris", JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task a_rate_limit_stays_429_with_retry_after_and_the_providers_message(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        gateway.SetBehavior(model, new ModelBehavior { Status = 429, RetryAfterSeconds = 7 });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        var error = (await Chat.JsonAsync(response)).GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Contains(provider, error.GetProperty("message").GetString());
        Assert.DoesNotContain(GatewayFixture.ProviderKey, error.GetProperty("message").GetString());
        var record = await gateway.RecordAsync(response);
        Assert.Equal((429, 429), (record.Status, record.UpstreamStatus));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task a_rejected_request_keeps_its_status_and_the_providers_reason(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        gateway.SetBehavior(model, new ModelBehavior { Status = 400 });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await Chat.JsonAsync(response)).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("rejected the request: ", error.GetProperty("message").GetString());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task a_stream_cut_mid_way_ends_with_an_error_event_and_is_recorded(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        gateway.SetBehavior(model, new ModelBehavior { CutAfterChunks = 2 });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, stream: true));

        var events = await Chat.EventsAsync(response);
        Assert.DoesNotContain("[DONE]", events);
        Assert.Equal("stream_interrupted", JsonDocument.Parse(events[^1]).RootElement.GetProperty("error").GetProperty("code").GetString());
        var record = await gateway.RecordAsync(response);
        Assert.Equal((502, "stream_interrupted"), (record.Status, record.ErrorCode));
        Assert.Equal(("stream_broken", "failed"), (record.Attempts[^1].ErrorClass, record.Attempts[^1].Outcome));
        Assert.True(record.UsageEstimated);
        Assert.True(record.CompletionTokens > 0);
    }

    [Fact]
    public async Task anthropic_overloaded_529_becomes_503()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-anthropic");
        gateway.SetBehavior(model, new ModelBehavior { Status = 529 });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("upstream_overloaded", (await Chat.JsonAsync(response)).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(529, (await gateway.RecordAsync(response)).UpstreamStatus);
    }

    [Fact]
    public async Task anthropic_cache_reads_count_as_prompt_tokens_and_are_recorded()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-anthropic");
        gateway.SetBehavior(model, new ModelBehavior { CacheReadTokens = 3 });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "Hello there general Kenobi"));

        var usage = (await Chat.JsonAsync(response)).GetProperty("usage");
        // Anthropic reports 1 uncached input token and 3 read from the cache: the prompt is all 4.
        Assert.Equal(4, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        var record = await gateway.RecordAsync(response);
        Assert.Equal((4, 3), (record.PromptTokens, record.CachedPromptTokens));
    }

    [Fact]
    public async Task a_gemini_safety_block_finishes_as_content_filter()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-gemini");
        gateway.SetBehavior(model, new ModelBehavior { SafetyBlock = true });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("content_filter", (await Chat.JsonAsync(response)).GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Theory]
    [InlineData("mock-anthropic")]
    [InlineData("mock-gemini")]
    public async Task embeddings_on_a_chat_only_provider_are_a_clear_400(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostRawAsync(client, JsonSerializer.Serialize(new { model = model.PublicId, input = "hi" }), "/v1/embeddings");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("operation_not_supported", (await Chat.JsonAsync(response)).GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("mock-anthropic", "\"{bad\"", "messages[0].tool_calls[0].function.arguments")]
    [InlineData("mock-gemini", "\"{bad\"", "messages[0].tool_calls[0].function.arguments")]
    [InlineData("mock-anthropic", "\"[1]\"", "messages[0].tool_calls[0].function.arguments")]
    [InlineData("mock-gemini", "{\"a\":1}", "messages[0].tool_calls[0].function.arguments")]
    [InlineData("mock-gemini", "5", "messages[0].tool_calls[0].function.arguments")]
    public async Task tool_call_arguments_that_are_not_a_json_object_in_a_string_are_a_400_naming_them(string provider, string arguments, string param)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        using var client = gateway.Client(key.Secret);
        var body = $$$"""
            {"model":"{{{model.PublicId}}}","messages":[
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":{{{arguments}}}}}]},
              {"role":"tool","tool_call_id":"c1","content":"sunny"}]}
            """;

        using var response = await Chat.PostRawAsync(client, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await Chat.JsonAsync(response)).GetProperty("error");
        Assert.Equal("invalid_value", error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    static object WithTools(string model, bool stream) => new
    {
        model,
        stream,
        messages = new[] { new { role = "user", content = "What is the weather in Paris?" } },
        tools = new[]
        {
            new
            {
                type = "function",
                function = new
                {
                    name = "get_weather",
                    description = "Current weather for a city",
                    parameters = new { type = "object", properties = new { city = new { type = "string" }, unit = new { type = "string" } }, required = new[] { "city" } },
                },
            },
        },
    };

    static string Text(IEnumerable<JsonElement> chunks) => string.Concat(chunks
        .Where(c => c.GetProperty("choices").GetArrayLength() > 0)
        .Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : ""));

    static string? FinishReason(IEnumerable<JsonElement> chunks) => chunks
        .Where(c => c.GetProperty("choices").GetArrayLength() > 0)
        .Select(c => c.GetProperty("choices")[0].GetProperty("finish_reason"))
        .LastOrDefault(f => f.ValueKind == JsonValueKind.String).GetString();
}
