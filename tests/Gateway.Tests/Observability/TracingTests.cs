using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Gateway.Api.Observability;
using MockProvider;

namespace Gateway.Tests.Observability;

/// <summary>A request found in the ledger leads to its trace: one server span, a client span per upstream call, GenAI attributes.</summary>
[Collection(GatewayCollection.Name)]
public class TracingTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_fallback_is_one_server_span_and_two_client_spans_continuing_the_client_s_trace()
    {
        var key = await gateway.NewKeyAsync();
        var primary = await gateway.NewModelAsync(provider: "mock-anthropic");
        var fallback = await gateway.NewModelAsync(input: 5m, output: 10m);
        gateway.SetBehavior(primary, new ModelBehavior { Status = 503 });
        var route = await gateway.NewRouteAsync(null, primary, fallback);
        using var client = gateway.Client(key.Secret);
        var clientTrace = ActivityTraceId.CreateRandom();
        var clientSpan = ActivitySpanId.CreateRandom();
        var prompt = $"tracing canary {Guid.NewGuid():N}";

        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Chat.Request(route, prompt)) };
        request.Headers.Add("traceparent", $"00-{clientTrace}-{clientSpan}-01");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await gateway.RecordAsync(response);

        Assert.Equal(clientTrace.ToHexString(), record.TraceId); // the ledger leads to the trace
        var spans = await SpansOfAsync(clientTrace, 3);
        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        var calls = spans.Where(s => s.Kind == ActivityKind.Client).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, calls.Count);

        // The server span continues the client's trace; the calls are its children.
        Assert.Equal(clientSpan, server.ParentSpanId);
        Assert.All(calls, c => Assert.Equal(server.SpanId, c.ParentSpanId));
        Assert.Equal($"chat {route}", server.DisplayName);
        Assert.Equal("chat", server.GetTagItem(GenAi.OperationName));
        Assert.Equal(route, server.GetTagItem(GenAi.RequestModel));
        Assert.Equal(false, server.GetTagItem(GenAi.RequestStream));
        Assert.Equal("openai", server.GetTagItem(GenAi.ProviderName));
        Assert.Equal(fallback.Upstream, server.GetTagItem(GenAi.ResponseModel));
        Assert.Equal(record.PromptTokens, server.GetTagItem(GenAi.InputTokens));
        Assert.Equal(7L, server.GetTagItem(GenAi.OutputTokens));
        Assert.Equal(200, server.GetTagItem(GenAi.HttpStatusCode));
        Assert.Equal(record.RequestId.ToString(), server.GetTagItem(GenAi.RequestId));
        Assert.Equal(key.Id.ToString(), server.GetTagItem(GenAi.KeyId));
        Assert.Equal(key.TeamId.ToString(), server.GetTagItem(GenAi.TeamId));
        Assert.Equal(route, server.GetTagItem(GenAi.Route));
        Assert.Equal((double)record.Cost, server.GetTagItem(GenAi.CostUsd));
        Assert.Equal(2, server.GetTagItem(GenAi.AttemptNumber));
        var answer = await Chat.JsonAsync(response);
        Assert.Equal(answer.GetProperty("id").GetString(), server.GetTagItem(GenAi.ResponseId));
        Assert.Equal(new[] { "stop" }, server.GetTagItem(GenAi.ResponseFinishReasons));

        var (first, second) = (calls[0], calls[1]);
        Assert.Equal($"chat {primary.Upstream}", first.DisplayName);
        Assert.Equal("anthropic", first.GetTagItem(GenAi.ProviderName));
        Assert.Equal(primary.Upstream, first.GetTagItem(GenAi.RequestModel));
        Assert.Equal(1, first.GetTagItem(GenAi.AttemptNumber));
        Assert.Equal("fell_back", first.GetTagItem(GenAi.AttemptOutcome));
        Assert.Equal("server_error", first.GetTagItem(GenAi.ErrorType));
        Assert.Equal(503, first.GetTagItem(GenAi.HttpStatusCode));
        Assert.Equal(ActivityStatusCode.Error, first.Status);
        Assert.Equal("127.0.0.1", first.GetTagItem(GenAi.ServerAddress));
        Assert.IsType<int>(first.GetTagItem(GenAi.ServerPort));

        Assert.Equal($"chat {fallback.Upstream}", second.DisplayName);
        Assert.Equal("openai", second.GetTagItem(GenAi.ProviderName));
        Assert.Equal(2, second.GetTagItem(GenAi.AttemptNumber));
        Assert.Equal("served", second.GetTagItem(GenAi.AttemptOutcome));
        Assert.Equal(fallback.Upstream, second.GetTagItem(GenAi.ResponseModel));
        Assert.Equal(record.PromptTokens, second.GetTagItem(GenAi.InputTokens));
        Assert.Equal(7L, second.GetTagItem(GenAi.OutputTokens));
        Assert.Null(second.GetTagItem(GenAi.ErrorType));
        Assert.Equal(new[] { "stop" }, second.GetTagItem(GenAi.ResponseFinishReasons));

        // Each call carried its own span's context upstream.
        var upstream = gateway.LastUpstreamRequest(fallback);
        Assert.Equal($"00-{clientTrace}-{second.SpanId}-01", upstream.Headers["traceparent"]);

        // No secret and no prompt text on any span, nor in any log line.
        Assert.All(gateway.Logs.Lines, line =>
        {
            Assert.DoesNotContain(key.Secret, line.Text);
            Assert.DoesNotContain("tracing canary", line.Text);
        });
        foreach (var span in spans)
            foreach (var (name, value) in span.TagObjects)
            {
                var text = value?.ToString() ?? "";
                Assert.DoesNotContain(key.Secret, text);
                Assert.DoesNotContain(GatewayFixture.ProviderKey, text);
                Assert.DoesNotContain("tracing canary", text);
            }
    }

    [Fact]
    public async Task a_request_without_traceparent_starts_its_own_trace()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);
        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "hello"));
        var record = await gateway.RecordAsync(response);
        var server = await EventuallyAsync(() => Snapshot().FirstOrDefault(s => Equals(s.GetTagItem(GenAi.RequestId), record.RequestId.ToString())));
        Assert.Equal(default, server.ParentSpanId);
        Assert.Equal(server.TraceId.ToHexString(), record.TraceId);

        // A stream's span: its id and finish reason read from the chunks, its usage from the final one.
        using var streamed = await Chat.PostAsync(client, Chat.Request(model.PublicId, "hello", stream: true, includeUsage: true));
        var text = await streamed.Content.ReadAsStringAsync();
        var streamRecord = await gateway.RecordAsync(streamed);
        var streamSpan = await EventuallyAsync(() => Snapshot().FirstOrDefault(s => Equals(s.GetTagItem(GenAi.RequestId), streamRecord.RequestId.ToString())));
        Assert.Equal(true, streamSpan.GetTagItem(GenAi.RequestStream));
        Assert.Equal(new[] { "stop" }, streamSpan.GetTagItem(GenAi.ResponseFinishReasons));
        var chunkId = System.Text.Json.JsonDocument.Parse(text.Split('\n').First(l => l.StartsWith("data: {", StringComparison.Ordinal))["data: ".Length..])
            .RootElement.GetProperty("id").GetString();
        Assert.Equal(chunkId, streamSpan.GetTagItem(GenAi.ResponseId));
        Assert.Equal(streamRecord.CompletionTokens, streamSpan.GetTagItem(GenAi.OutputTokens));
        Assert.Equal($"chat {model.PublicId}", server.DisplayName);
    }

    List<Activity> Snapshot() => gateway.Spans.Snapshot();

    Task<List<Activity>> SpansOfAsync(ActivityTraceId trace, int count) =>
        Eventually.ReadAsync(() => Task.FromResult(Snapshot().Where(s => s.TraceId == trace).ToList()), spans => spans.Count >= count, delayMs: 50);

    async Task<Activity> EventuallyAsync(Func<Activity?> find) =>
        await Eventually.ReadAsync(() => Task.FromResult(find()), found => found is not null, delayMs: 50)
        ?? throw new Xunit.Sdk.XunitException($"The span never ended: {string.Join("; ", Snapshot().TakeLast(5).Select(s => $"{s.DisplayName} {s.Kind} {s.GetTagItem(GenAi.RequestId)}"))}");
}
