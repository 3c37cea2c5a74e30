using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MockProvider;

namespace Gateway.Tests.Responses;

/// <summary>POST /v1/responses served by any catalog model through the chat translation, and the stored conversation.</summary>
[Collection(GatewayCollection.Name)]
public class ResponsesEndpointTests(GatewayFixture gateway)
{
    JsonElement Forwarded(TestModel model) =>
        JsonDocument.Parse(gateway.Mock.Requests.Snapshot().Last(r => r.Model == model.Upstream).Body).RootElement;

    [Theory]
    [InlineData("mock")]
    [InlineData("mock-anthropic")]
    [InlineData("mock-gemini")]
    public async Task a_response_is_answered_in_the_responses_shape_and_recorded_as_such(string provider)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 3m, output: 15m, provider: provider);
        using var client = gateway.Client(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/responses", new { model = model.PublicId, instructions = "Be brief.", input = "Hello there general Kenobi" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Chat.JsonAsync(response);
        var requestId = Guid.Parse(response.Headers.GetValues("x-request-id").Single());
        Assert.Equal($"resp_{requestId:N}", body.GetProperty("id").GetString());
        Assert.Equal("response", body.GetProperty("object").GetString());
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal("Be brief.", body.GetProperty("instructions").GetString());
        var message = Assert.Single(body.GetProperty("output").EnumerateArray());
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        var part = Assert.Single(message.GetProperty("content").EnumerateArray());
        Assert.Equal("output_text", part.GetProperty("type").GetString());
        Assert.Equal($"This is a mock reply from {model.Upstream}.", part.GetProperty("text").GetString());
        var usage = body.GetProperty("usage");
        Assert.Equal(6, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(13, usage.GetProperty("total_tokens").GetInt32());

        if (provider == "mock")
        {
            var forwarded = Forwarded(model).GetProperty("messages");
            Assert.Equal("system", forwarded[0].GetProperty("role").GetString());
            Assert.Equal("Be brief.", forwarded[0].GetProperty("content").GetString());
            Assert.Equal("Hello there general Kenobi", forwarded[1].GetProperty("content").GetString());
        }
        var record = await gateway.RecordAsync(response);
        Assert.Equal("responses", record.ClientApi);
        Assert.Equal((6, 7), (record.PromptTokens, record.CompletionTokens));
        Assert.Equal(model.Cost(6, 7), record.Cost);
    }

    [Fact]
    public async Task a_streamed_response_sends_the_responses_event_sequence()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);

        using var response = await client.PostAsJsonAsync("/v1/responses", new { model = model.PublicId, input = "Hello there", stream = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = Gateway.Tests.Anthropic.MessagesEndpointTests.ParseSse(await response.Content.ReadAsStringAsync());
        var types = events.Select(e => e.Name).ToList();
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"], types.Take(4));
        Assert.Equal(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"], types.TakeLast(4));
        Assert.All(events, e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
        var deltas = string.Concat(events.Where(e => e.Name == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString()));
        Assert.Equal($"This is a mock reply from {model.Upstream}.", deltas);
        var completed = events[^1].Data.GetProperty("response");
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(deltas, completed.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.True(completed.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);
        Assert.Equal(events[0].Data.GetProperty("response").GetProperty("id").GetString(), completed.GetProperty("id").GetString());
        var record = await gateway.RecordAsync(response);
        Assert.True(record.Streamed);
        Assert.Equal("responses", record.ClientApi);
    }

    [Fact]
    public async Task a_function_call_comes_back_as_an_output_item_and_its_output_continues_the_stored_conversation()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { ToolCall = new MockToolCall("get_weather", """{"city":"Paris"}""") });
        using var client = gateway.Client(key.Secret);
        var tools = new[] { new { type = "function", name = "get_weather", description = "Weather of a city", parameters = new { type = "object", properties = new { city = new { type = "string" } } } } };

        using var first = await client.PostAsJsonAsync("/v1/responses", new { model = model.PublicId, input = "Weather in Paris?", tools });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = await Chat.JsonAsync(first);
        var call = body.GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call");
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("""{"city":"Paris"}""", call.GetProperty("arguments").GetString());
        var callId = call.GetProperty("call_id").GetString()!;
        Assert.Equal("function", Forwarded(model).GetProperty("tools")[0].GetProperty("type").GetString());

        gateway.SetBehavior(model, ModelBehavior.Normal);
        using var second = await client.PostAsJsonAsync("/v1/responses", new
        {
            model = model.PublicId,
            previous_response_id = body.GetProperty("id").GetString(),
            input = new object[] { new { type = "function_call_output", call_id = callId, output = "18 degrees" } },
            tools,
        });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var messages = Forwarded(model).GetProperty("messages");
        Assert.Equal(["user", "assistant", "tool"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(callId, messages[1].GetProperty("tool_calls")[0].GetProperty("id").GetString());
        Assert.Equal(callId, messages[2].GetProperty("tool_call_id").GetString());
        Assert.Equal("18 degrees", messages[2].GetProperty("content").GetString());
    }

    [Fact]
    public async Task a_stored_response_is_read_listed_and_deleted_by_its_team_only()
    {
        var key = await gateway.NewKeyAsync();
        var stranger = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);
        using var created = await client.PostAsJsonAsync("/v1/responses", new { model = model.PublicId, input = "Remember me" });
        var id = (await Chat.JsonAsync(created)).GetProperty("id").GetString();

        var read = await Chat.JsonAsync(await client.GetAsync($"/v1/responses/{id}"));
        Assert.Equal(id, read.GetProperty("id").GetString());
        Assert.Equal("completed", read.GetProperty("status").GetString());
        var items = await Chat.JsonAsync(await client.GetAsync($"/v1/responses/{id}/input_items"));
        Assert.Equal("list", items.GetProperty("object").GetString());
        var item = Assert.Single(items.GetProperty("data").EnumerateArray());
        Assert.Equal("Remember me", item.GetProperty("content")[0].GetProperty("text").GetString());

        using (var other = gateway.Client(stranger.Secret))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/responses/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/v1/responses/{id}")).StatusCode);
            using var continued = await other.PostAsJsonAsync("/v1/responses", new { model = model.PublicId, input = "And?", previous_response_id = id });
            Assert.Equal(HttpStatusCode.BadRequest, continued.StatusCode);
            Assert.Equal("previous_response_not_found", (await Chat.JsonAsync(continued)).GetProperty("error").GetProperty("code").GetString());
        }

        using var deleted = await client.DeleteAsync($"/v1/responses/{id}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.True((await Chat.JsonAsync(deleted)).GetProperty("deleted").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/responses/{id}")).StatusCode);

        // store: false keeps nothing.
        using var unstored = await client.PostAsJsonAsync("/v1/responses", new { model = model.PublicId, input = "Forget me", store = false });
        var unstoredId = (await Chat.JsonAsync(unstored)).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/responses/{unstoredId}")).StatusCode);
    }

    [Fact]
    public async Task a_conversation_moves_from_one_provider_to_another()
    {
        var key = await gateway.NewKeyAsync();
        var openAi = await gateway.NewModelAsync();
        var anthropic = await gateway.NewModelAsync(provider: "mock-anthropic");
        using var client = gateway.Client(key.Secret);

        using var first = await client.PostAsJsonAsync("/v1/responses", new { model = openAi.PublicId, input = "My name is Ada." });
        var firstId = (await Chat.JsonAsync(first)).GetProperty("id").GetString();
        using var second = await client.PostAsJsonAsync("/v1/responses", new { model = anthropic.PublicId, input = "What is my name?", previous_response_id = firstId });
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var secondBody = await Chat.JsonAsync(second);
        Assert.Equal(firstId, secondBody.GetProperty("previous_response_id").GetString());

        // The Anthropic upstream received the whole conversation, in its own format.
        var forwarded = Forwarded(anthropic).GetProperty("messages");
        Assert.Equal(["user", "assistant", "user"], forwarded.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Contains("My name is Ada.", forwarded[0].GetRawText());
        Assert.Contains($"This is a mock reply from {openAi.Upstream}.", forwarded[1].GetRawText());
    }

    [Theory]
    [InlineData("""{"model":"m"}""", "input")]
    [InlineData("""{"model":"m","input":"hi","tools":[{"type":"web_search"}]}""", "tools[0].type")]
    [InlineData("""{"model":"m","input":[{"type":"item_reference","id":"x"}]}""", "input[0].type")]
    [InlineData("""{"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"x"}}}""", "text.format.schema")]
    public async Task a_request_the_translation_cannot_serve_gets_openais_error_naming_the_field(string json, string param)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);
        using var content = new StringContent(json.Replace("\"m\"", $"\"{model.PublicId}\""), System.Text.Encoding.UTF8, "application/json");

        using var response = await client.PostAsync("/v1/responses", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await Chat.JsonAsync(response)).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }
}
