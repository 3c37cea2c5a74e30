using System.Net;
using System.Text.Json;
using MockProvider;

namespace Gateway.Tests;

[Collection(GatewayCollection.Name)]
public class StreamingTests(GatewayFixture gateway)
{
    [Fact]
    public async Task stream_relays_every_chunk_under_the_public_name_and_ends_with_usage_then_done()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 2m, output: 8m);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "stream me please", stream: true, includeUsage: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await Chat.EventsAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal(model.PublicId, c.GetProperty("model").GetString()));
        var text = string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.Equal($"This is a mock reply from {model.Upstream}.", text);
        var usage = chunks[^1];
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal(3, usage.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());

        var record = await gateway.RecordAsync(response);
        Assert.True(record.Streamed);
        Assert.Equal(200, record.Status);
        Assert.Equal(3, record.PromptTokens);
        Assert.Equal(7, record.CompletionTokens);
        Assert.Equal(model.Cost(3, 7), record.Cost);
        Assert.False(record.UsageEstimated);
        Assert.NotNull(record.UpstreamTtfbMs);
    }

    [Fact]
    public async Task chunks_reach_the_client_as_the_upstream_sends_them_not_at_the_end()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { ChunkDelayMs = 150 });
        using var client = gateway.Client(key.Secret);
        var started = System.Diagnostics.Stopwatch.StartNew();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = System.Net.Http.Json.JsonContent.Create(Chat.Request(model.PublicId, stream: true)),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? first;
        do first = await reader.ReadLineAsync(); while (first is not null && !first.StartsWith("data: "));
        var firstAt = started.Elapsed;
        await reader.ReadToEndAsync();
        var endAt = started.Elapsed;

        // Eight content chunks 150 ms apart: the first must arrive long before the last.
        Assert.NotNull(first);
        Assert.True(endAt - firstAt > TimeSpan.FromMilliseconds(700), $"first chunk at {firstAt.TotalMilliseconds} ms, end at {endAt.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task usage_is_always_asked_upstream_but_the_usage_chunk_is_only_shown_to_clients_who_asked()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "no usage asked", stream: true));

        var events = await Chat.EventsAsync(response);
        Assert.DoesNotContain(events[..^1], e => JsonDocument.Parse(e).RootElement.GetProperty("choices").GetArrayLength() == 0);
        var forwarded = JsonDocument.Parse(gateway.Mock.Requests.Snapshot().Last(r => r.Model == model.Upstream).Body).RootElement;
        Assert.True(forwarded.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());

        var record = await gateway.RecordAsync(response);
        Assert.Equal(3, record.PromptTokens);
        Assert.Equal(7, record.CompletionTokens);
        Assert.True(record.Cost > 0);
    }

    [Fact]
    public async Task client_stream_options_are_kept_when_usage_is_added()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);
        var json = $$"""{"stream_options":{"include_obfuscation":false,"include_usage":false},"model":"{{model.PublicId}}","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

        using var response = await Chat.PostRawAsync(client, json);
        await response.Content.ReadAsStringAsync();

        var forwarded = JsonDocument.Parse(gateway.Mock.Requests.Snapshot().Last(r => r.Model == model.Upstream).Body).RootElement;
        var options = forwarded.GetProperty("stream_options");
        Assert.True(options.GetProperty("include_usage").GetBoolean());
        Assert.False(options.GetProperty("include_obfuscation").GetBoolean());
        Assert.Equal(model.Upstream, forwarded.GetProperty("model").GetString());
    }

    [Fact]
    public async Task a_stream_cut_mid_way_ends_with_an_error_event_and_is_recorded_as_interrupted()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { CutAfterChunks = 3 });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, stream: true, includeUsage: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await Chat.EventsAsync(response);
        Assert.DoesNotContain("[DONE]", events);
        var error = JsonDocument.Parse(events[^1]).RootElement.GetProperty("error");
        Assert.Equal("stream_interrupted", error.GetProperty("code").GetString());
        Assert.True(events.Count >= 3);

        var record = await gateway.RecordAsync(response);
        Assert.Equal(502, record.Status);
        Assert.Equal("stream_interrupted", record.ErrorCode);
        Assert.True(record.Streamed);
    }

    [Fact]
    public async Task an_upstream_error_before_the_stream_starts_is_a_plain_error_response()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { Status = 429, RetryAfterSeconds = 7 });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, stream: true));

        Assert.Equal((HttpStatusCode)429, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
    }
}

[Collection(GatewayCollection.Name)]
public class UsageEstimationTests(GatewayFixture gateway)
{
    static readonly Microsoft.ML.Tokenizers.Tokenizer O200k = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt-4o");

    [Fact]
    public async Task a_stream_without_upstream_usage_is_counted_with_the_tokenizer_and_marked_estimated()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 1m, output: 4m);
        gateway.SetBehavior(model, new ModelBehavior { OmitUsage = true });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "count these words for me", stream: true, includeUsage: true));
        var events = await Chat.EventsAsync(response);

        Assert.Equal("[DONE]", events[^1]);
        var record = await gateway.RecordAsync(response);
        Assert.True(record.UsageEstimated);
        var reply = $"This is a mock reply from {model.Upstream}.";
        Assert.Equal(O200k.CountTokens(reply), record.CompletionTokens);
        Assert.Equal(O200k.CountTokens("count these words for me") + 3 + 3, record.PromptTokens);
        Assert.Equal(model.Cost(record.PromptTokens, record.CompletionTokens), record.Cost);
        Assert.True(record.Cost > 0);
    }

    [Fact]
    public async Task a_non_streamed_answer_without_usage_is_estimated_too()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { OmitUsage = true });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "hello"));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var record = await gateway.RecordAsync(response);
        Assert.True(record.UsageEstimated);
        Assert.Equal(O200k.CountTokens($"This is a mock reply from {model.Upstream}."), record.CompletionTokens);
        Assert.Equal(O200k.CountTokens("hello") + 6, record.PromptTokens);
    }

    [Fact]
    public async Task a_stream_cut_before_usage_is_billed_for_what_was_streamed()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { CutAfterChunks = 4 });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "hello", stream: true));
        await response.Content.ReadAsStringAsync();

        var record = await gateway.RecordAsync(response);
        Assert.Equal(502, record.Status);
        Assert.True(record.UsageEstimated);
        Assert.True(record.CompletionTokens > 0);
        Assert.True(record.Cost > 0);
    }
}
