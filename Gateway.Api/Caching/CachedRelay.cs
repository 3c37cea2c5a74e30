using System.Buffers;
using System.Text.Json;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Caching;

/// <summary>
/// The response cache on the request path. After admission (key, scope, limits, budget), a request whose key, team or
/// route caches answers is looked up: a hit is answered from memory in the client's format — as a stream when it asked
/// for one — and recorded as a request with <c>cacheHit</c>, cost 0 and the cost it saved; a miss goes upstream and its
/// answer is kept. <c>Cache-Control: no-cache</c> skips the lookup (the fresh answer is still kept); <c>no-store</c>
/// skips both.
/// </summary>
public sealed class CachedRelay(ResponseCache cache, RequestCompletion completion)
{
    public const string Header = "x-gateway-cache";

    /// <returns>True when the request was answered from the cache.</returns>
    public async Task<bool> TryServeAsync(AdmittedRequest f)
    {
        var trace = f.Trace;
        if (trace.Operation != Operation.Chat || (f.Route.Policy.CacheTtlSeconds ?? f.Key.CacheTtlSeconds) is not { } ttl) return false;
        var directives = f.Ctx.Request.Headers.CacheControl.ToString();
        if (directives.Contains("no-store", StringComparison.OrdinalIgnoreCase)) return false;
        var key = ResponseCacheKey.For(f.Key.TeamId, f.OpenAiBody.Span);
        (trace.CacheKey, trace.CacheTtl) = (key, TimeSpan.FromSeconds(ttl));
        if (directives.Contains("no-cache", StringComparison.OrdinalIgnoreCase)) return Miss(f);
        if (!cache.TryGet(key, out var answer))
        {
            // Not kept yet: the first to ask goes upstream, the same request meanwhile waits for its answer.
            if (cache.TryLead(key, out var leader))
            {
                trace.LeadsCache = true;
                return Miss(f);
            }
            if (await Follow(leader, f) is not { } shared) return Miss(f);
            answer = shared;
        }
        if (!f.Snapshot.ModelsByPublicId.TryGetValue(answer.ModelPublicId, out var model)) return Miss(f);
        trace.CacheKey = null; // a hit is not kept again
        trace.ServedFromCache(model, answer.Cost);
        f.Ctx.Response.Headers[Header] = "hit";
        if (trace.Streamed) await StreamAsync(f, answer, model.PublicId);
        else await AnswerAsync(f, answer);
        return true;
    }

    static bool Miss(AdmittedRequest f)
    {
        f.Ctx.Response.Headers[Header] = "miss";
        return false;
    }

    /// <summary>The answer of the request already asking upstream, when it gets one within an attempt's time; else null.</summary>
    static async Task<CachedAnswer?> Follow(Task<CachedAnswer?> leader, AdmittedRequest f)
    {
        try
        {
            return await leader.WaitAsync(TimeSpan.FromMilliseconds(f.Route.Policy.AttemptTimeoutMs), f.Ctx.RequestAborted);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>A request that led its key's asking ends it, answered or not (a kept answer has already ended it).</summary>
    public void EndLead(RequestTrace trace)
    {
        if (trace.LeadsCache && trace.CacheKey is { } key) cache.EndLead(key);
    }

    /// <summary>Keeps a served answer (OpenAI's form, whole) when the request's cache settings ask for it.</summary>
    public void Keep(RequestTrace trace, ReadOnlySpan<byte> openAiCompletion)
    {
        if (trace.CacheKey is not { } key || trace.Model is not { } model || openAiCompletion.IsEmpty) return;
        cache.Store(key, new CachedAnswer(openAiCompletion.ToArray(), model.PublicId, trace.Usage, trace.Cost), trace.CacheTtl);
    }

    /// <summary>Keeps a streamed answer, assembled from its OpenAI chunks.</summary>
    public void KeepStreamed(RequestTrace trace, ReadOnlySpan<byte> openAiSse)
    {
        if (trace.CacheKey is null || trace.Model is null) return;
        if (ChunkAssembler.Assemble(openAiSse, trace.Usage) is { } whole) Keep(trace, whole);
    }

    async Task AnswerAsync(AdmittedRequest f, CachedAnswer answer)
    {
        using var scratch = new PooledBuffer(f.Dialect.SpeaksOpenAi ? 1 : answer.Completion.Length + 512);
        var output = f.Dialect.TranslateResponse(answer.Completion, scratch) ? scratch.Memory : answer.Completion;
        await completion.CommitAsync(f.Trace, 200, null, f.Body.Span, output.Span);
        var http = f.Ctx.Response;
        http.StatusCode = 200;
        http.ContentType = "application/json";
        http.ContentLength = output.Length;
        await http.Body.WriteAsync(output, f.Ctx.RequestAborted);
    }

    /// <summary>A hit for a streaming request replays the answer as the client's stream: its text, its tool calls, its end.</summary>
    async Task StreamAsync(AdmittedRequest f, CachedAnswer answer, string publicModel)
    {
        var (ctx, trace) = (f.Ctx, f.Trace);
        var http = ctx.Response;
        http.StatusCode = 200;
        http.ContentType = "text/event-stream";
        http.Headers.CacheControl = "no-cache";
        using var stream = f.Dialect.OpenStream(f.Head, trace.RequestId, trace.StartedAt, publicModel, http.BodyWriter);
        stream.Start(answer.Usage);
        foreach (var chunk in Chunks(answer)) stream.OnChunk(chunk);
        stream.Complete(answer.Usage);
        await completion.CommitAsync(trace, 200, null, f.Body.Span, stream.Captured);
        stream.Release();
        await http.BodyWriter.FlushAsync(ctx.RequestAborted);
    }

    /// <summary>The answer as OpenAI chunks: its text, each tool call, the finish reason, and the usage.</summary>
    static IEnumerable<byte[]> Chunks(CachedAnswer answer)
    {
        using var document = JsonDocument.Parse(answer.Completion);
        var root = document.RootElement;
        var choice = root.GetProperty("choices")[0];
        var message = choice.GetProperty("message");
        var id = root.TryGetProperty("id", out var i) ? i.GetString() : "chatcmpl-cached";
        var model = root.TryGetProperty("model", out var m) ? m.GetString() : "";
        var created = root.TryGetProperty("created", out var c) && c.TryGetInt64(out var t) ? t : 0;
        var chunks = new List<byte[]>();
        if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            chunks.Add(Chunk(id, model, created, w =>
            {
                w.WriteString("role"u8, "assistant"u8);
                w.WritePropertyName("content"u8);
                content.WriteTo(w);
            }, null));
        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var call in calls.EnumerateArray())
            {
                var at = index++;
                chunks.Add(Chunk(id, model, created, w =>
                {
                    w.WriteStartArray("tool_calls"u8);
                    w.WriteStartObject();
                    w.WriteNumber("index"u8, at);
                    foreach (var property in call.EnumerateObject()) property.WriteTo(w);
                    w.WriteEndObject();
                    w.WriteEndArray();
                }, null));
            }
        }
        chunks.Add(Chunk(id, model, created, _ => { }, choice.TryGetProperty("finish_reason", out var f) ? f.GetString() : "stop"));
        var usage = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(usage))
        {
            w.WriteStartObject();
            w.WriteString("id"u8, id);
            w.WriteString("object"u8, "chat.completion.chunk"u8);
            w.WriteNumber("created"u8, created);
            w.WriteString("model"u8, model);
            w.WriteStartArray("choices"u8);
            w.WriteEndArray();
            answer.Usage.WriteOpenAi(w);
            w.WriteEndObject();
        }
        chunks.Add(usage.WrittenSpan.ToArray());
        return chunks;
    }

    static byte[] Chunk(string? id, string? model, long created, Action<Utf8JsonWriter> delta, string? finishReason)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id"u8, id);
            w.WriteString("object"u8, "chat.completion.chunk"u8);
            w.WriteNumber("created"u8, created);
            w.WriteString("model"u8, model);
            w.WriteStartArray("choices"u8);
            w.WriteStartObject();
            w.WriteNumber("index"u8, 0);
            w.WriteStartObject("delta"u8);
            delta(w);
            w.WriteEndObject();
            if (finishReason is null) w.WriteNull("finish_reason"u8);
            else w.WriteString("finish_reason"u8, finishReason);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
