using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MockProvider;

namespace Gateway.Tests.Anthropic;

/// <summary>POST /v1/messages speaks Anthropic's format to the client, whatever wire format serves the model.</summary>
[Collection(GatewayCollection.Name)]
public class MessagesEndpointTests(GatewayFixture gateway)
{
    HttpClient AnthropicClient(string? key)
    {
        var client = gateway.Host.Server.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("x-api-key", key);
        client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return client;
    }

    static object Message(string model, bool stream = false, string text = "Hello there general Kenobi") => new
    {
        model,
        max_tokens = 256,
        stream,
        system = "Be brief.",
        messages = new[] { new { role = "user", content = text } },
    };

    [Theory]
    [InlineData("mock")]
    [InlineData("mock-anthropic")]
    [InlineData("mock-gemini")]
    public async Task a_message_is_answered_in_anthropics_shape(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 3m, output: 15m, provider: provider);
        using var client = AnthropicClient(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/messages", Message(model.PublicId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Chat.JsonAsync(response);
        Assert.Equal("message", body.GetProperty("type").GetString());
        Assert.Equal("assistant", body.GetProperty("role").GetString());
        Assert.Equal(model.PublicId, body.GetProperty("model").GetString());
        Assert.StartsWith("msg_", body.GetProperty("id").GetString());
        Assert.Equal("text", body.GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Equal($"This is a mock reply from {model.Upstream}.", body.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", body.GetProperty("stop_reason").GetString());
        // "Be brief." and the four words of the message.
        Assert.Equal(6, body.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(7, body.GetProperty("usage").GetProperty("output_tokens").GetInt32());

        var record = await gateway.RecordAsync(response);
        Assert.Equal((6, 7), (record.PromptTokens, record.CompletionTokens));
        Assert.Equal(model.Cost(6, 7), record.Cost);
        Assert.Equal(model.PublicId, record.ModelServed);
    }

    [Theory]
    [InlineData("mock")]
    [InlineData("mock-anthropic")]
    public async Task a_streamed_message_follows_anthropics_event_sequence(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        using var client = AnthropicClient(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/messages", Message(model.PublicId, stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = ParseSse(await response.Content.ReadAsStringAsync());
        var names = events.Select(e => e.Name).Where(n => n != "ping").ToList();
        Assert.Equal("message_start", names[0]);
        Assert.Equal("content_block_start", names[1]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], names[^3..]);
        Assert.All(names[2..^3], n => Assert.Equal("content_block_delta", n));
        Assert.All(events, e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        var text = string.Concat(events.Where(e => e.Name == "content_block_delta").Select(e => e.Data.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal($"This is a mock reply from {model.Upstream}.", text);
        var delta = events.Single(e => e.Name == "message_delta").Data;
        Assert.Equal("end_turn", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(7, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());

        var record = await gateway.RecordAsync(response);
        Assert.True(record.Streamed);
        Assert.Equal((6, 7), (record.PromptTokens, record.CompletionTokens));
    }

    [Theory]
    [InlineData("mock", false)]
    [InlineData("mock", true)]
    [InlineData("mock-anthropic", false)]
    [InlineData("mock-anthropic", true)]
    [InlineData("mock-gemini", false)]
    [InlineData("mock-gemini", true)]
    public async Task a_message_id_is_the_upstreams_id_with_one_msg_prefix_streamed_or_not(string provider, bool stream)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: provider);
        using var client = AnthropicClient(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/messages", Message(model.PublicId, stream));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = stream
            ? ParseSse(await response.Content.ReadAsStringAsync()).First(e => e.Name == "message_start").Data.GetProperty("message").GetProperty("id").GetString()!
            : (await Chat.JsonAsync(response)).GetProperty("id").GetString()!;
        // The mock's ids are 24 characters after their prefix: Anthropic's "msg_01" is kept as it is, OpenAI's
        // "chatcmpl-" and Gemini's bare responseId become "msg_".
        Assert.Matches(provider == "mock-anthropic" ? "^msg_01[A-Za-z0-9]{24}$" : "^msg_[A-Za-z0-9]{24}$", id);
    }

    [Fact]
    public async Task a_stream_from_an_anthropic_upstream_opens_with_the_upstreams_prompt_count()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-anthropic");
        // Chunks apart, so the relay starts before the final count arrives.
        gateway.SetBehavior(model, new ModelBehavior { ChunkDelayMs = 30 });
        using var client = AnthropicClient(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/messages", Message(model.PublicId, stream: true));

        var start = ParseSse(await response.Content.ReadAsStringAsync()).First(e => e.Name == "message_start").Data;
        // The upstream's own message_start: "Be brief." and the four words of the message.
        Assert.Equal(6, start.GetProperty("message").GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task a_stream_from_an_openai_upstream_opens_with_the_gateways_prompt_count()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { ChunkDelayMs = 30 });
        using var client = AnthropicClient(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/messages", Message(model.PublicId, stream: true));

        // An OpenAI-format upstream reports usage only at its end, after the relay has started: message_start carries
        // the gateway's tokenizer count (the record keeps the upstream's final count).
        var start = ParseSse(await response.Content.ReadAsStringAsync()).First(e => e.Name == "message_start").Data;
        var expected = new Gateway.Api.RequestPath.Completion.UsageEstimator().CountPrompt(
            """{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello there general Kenobi"}]}"""u8,
            Gateway.Api.RequestPath.Wire.Operation.Chat);
        Assert.True(expected > 0);
        Assert.Equal(expected, start.GetProperty("message").GetProperty("usage").GetProperty("input_tokens").GetInt64());
    }

    [Fact]
    public async Task a_tool_call_from_an_openai_model_comes_back_as_a_tool_use_block()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { ToolCall = new MockToolCall("get_weather", """{"city":"Paris"}""") });
        using var client = AnthropicClient(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/messages", new
        {
            model = model.PublicId,
            max_tokens = 256,
            messages = new[] { new { role = "user", content = "Weather in Paris?" } },
            tools = new[] { new { name = "get_weather", description = "Weather", input_schema = new { type = "object", properties = new { city = new { type = "string" } } } } },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Chat.JsonAsync(response);
        Assert.Equal("tool_use", body.GetProperty("stop_reason").GetString());
        var block = body.GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_use");
        Assert.Equal("get_weather", block.GetProperty("name").GetString());
        Assert.Equal("Paris", block.GetProperty("input").GetProperty("city").GetString());
        var forwarded = JsonDocument.Parse(gateway.LastUpstreamRequest(model).Body).RootElement;
        Assert.Equal("get_weather", forwarded.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
    }

    [Fact]
    public async Task errors_come_in_anthropics_error_shape()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();

        using (var anonymous = AnthropicClient("sk-gw-not-a-key"))
        using (var response = await anonymous.PostAsJsonAsync("/v1/messages", Message(model.PublicId)))
        {
            await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "authentication_error");
            Assert.True(Guid.TryParse(response.Headers.GetValues("x-request-id").Single(), out _));
        }

        using var client = AnthropicClient(key.Secret);
        using (var response = await client.PostAsJsonAsync("/v1/messages", new { model = model.PublicId, messages = new[] { new { role = "user", content = "hi" } } }))
            Assert.Contains("max_tokens", await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error"));
        using (var response = await client.PostAsJsonAsync("/v1/messages", Message("nobody/nothing")))
            await AssertErrorAsync(response, HttpStatusCode.NotFound, "not_found_error");
        using (var response = await Chat.PostRawAsync(client, "{not json", "/v1/messages"))
            await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error");

        gateway.SetBehavior(model, new ModelBehavior { Status = 429, RetryAfterSeconds = 3 });
        using (var response = await client.PostAsJsonAsync("/v1/messages", Message(model.PublicId)))
        {
            await AssertErrorAsync(response, HttpStatusCode.TooManyRequests, "rate_limit_error");
            Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        }
    }

    [Fact]
    public async Task a_wrong_method_on_messages_gets_405_in_anthropics_shape()
    {
        var key = await gateway.NewKeyAsync();
        using var client = AnthropicClient(key.Secret);

        using var response = await client.GetAsync("/v1/messages");

        var message = await AssertErrorAsync(response, HttpStatusCode.MethodNotAllowed, "invalid_request_error");
        Assert.Contains("GET /v1/messages", message);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-request-id").Single(), out _));
    }

    [Fact]
    public async Task the_gateway_key_is_also_accepted_as_a_bearer_token()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/messages", Message(model.PublicId));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        var body = await Chat.JsonAsync(response);
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal(type, body.GetProperty("error").GetProperty("type").GetString());
        var message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message;
    }

    public sealed record SseEvent(string Name, JsonElement Data);

    public static List<SseEvent> ParseSse(string text) => text
        .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
        .Select(frame => frame.Split('\n'))
        .Where(lines => lines.Any(l => l.StartsWith("data: ")))
        .Select(lines => new SseEvent(
            lines.FirstOrDefault(l => l.StartsWith("event: "))?["event: ".Length..] ?? "",
            JsonDocument.Parse(string.Join("\n", lines.Where(l => l.StartsWith("data: ")).Select(l => l["data: ".Length..]))).RootElement.Clone()))
        .ToList();
}
