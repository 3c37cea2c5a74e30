using System.Text.Json;

namespace MockProvider;

/// <summary><c>POST /v1/chat/completions</c>, non-streaming and streaming.</summary>
internal static class ChatCompletions
{
    // The cut connection is closed gracefully, but bytes still queued in Kestrel's output pipe would be
    // dropped; a short pause lets the chunks already "sent" reach the client so the truncation point is exact.
    private const int DrainBeforeCutMs = 20;

    public static async Task HandleAsync(HttpContext ctx, MockState state)
    {
        var body = await V1Gate.AdmitAsync(ctx, state, readBody: true);
        if (body is null) return;

        ChatRequest req;
        try
        {
            req = ChatRequest.Parse(body);
        }
        catch (JsonException)
        {
            await OpenAiErrors.InvalidJsonAsync(ctx);
            return;
        }
        catch (InvalidRequestException e)
        {
            await OpenAiErrors.InvalidRequestAsync(ctx, e);
            return;
        }

        var behavior = state.Behaviors.Resolve(req.Model);
        using var stopHook = Faults.AbortOnStop(ctx, state, behavior);
        if (await Faults.InterceptAsync(ctx, state, behavior, req.Model)) return;

        var plan = ReplyPlan.For(behavior.Reply, req.Model);
        int words = plan.WordCount;
        bool truncated = req.MaxTokens is int max && max < words;
        if (truncated) words = req.MaxTokens!.Value;

        if (req.Stream)
        {
            await StreamAsync(ctx, req, behavior, plan, words, truncated);
        }
        else
        {
            await Faults.DelayAsync(ctx, behavior.LatencyMs);
            await WriteCompletionAsync(ctx, req, behavior, plan, words, truncated);
        }
    }

    private static Task WriteCompletionAsync(HttpContext ctx, ChatRequest req, ModelBehavior behavior, ReplyPlan plan, int words, bool truncated) =>
        JsonOut.SendAsync(ctx, StatusCodes.Status200OK, (req, plan, words, truncated, behavior.OmitUsage), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("id"u8, JsonOut.NewId("chatcmpl-"));
            w.WriteString("object"u8, "chat.completion"u8);
            w.WriteNumber("created"u8, JsonOut.UnixNow());
            w.WriteString("model"u8, s.req.Model);
            w.WriteStartArray("choices"u8);
            w.WriteStartObject();
            w.WriteNumber("index"u8, 0);
            w.WriteStartObject("message"u8);
            w.WriteString("role"u8, "assistant"u8);
            if (s.truncated) w.WriteString("content"u8, s.plan.Truncated(s.words));
            else w.WriteString("content"u8, s.plan.EncodedText);
            w.WriteNull("refusal"u8);
            w.WriteEndObject();
            w.WriteNull("logprobs"u8);
            w.WriteString("finish_reason"u8, s.truncated ? "length"u8 : "stop"u8);
            w.WriteEndObject();
            w.WriteEndArray();
            if (!s.OmitUsage) JsonOut.WriteUsage(w, s.req.PromptTokens, s.words);
            w.WriteString("system_fingerprint"u8, "fp_mock"u8);
            w.WriteEndObject();
        });

    private static async Task StreamAsync(HttpContext ctx, ChatRequest req, ModelBehavior behavior, ReplyPlan plan, int words, bool truncated)
    {
        var response = ctx.Response;
        var ct = ctx.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";

        int ttft = behavior.TimeToFirstTokenMs;
        if (ttft > 0)
        {
            // Headers go out at once so a client's time-to-first-token is measured on the first chunk, not the headers.
            await response.StartAsync(ct);
            await Task.Delay(ttft, ct);
        }

        bool usage = req.IncludeUsage && !behavior.OmitUsage;
        var pipe = response.BodyWriter;
        var sse = new SseChunkWriter(pipe, JsonEncodedText.Encode(JsonOut.NewId("chatcmpl-")), JsonOut.UnixNow(),
            JsonEncodedText.Encode(req.Model, JsonOut.Options.Encoder), usageNull: usage);

        sse.Role();
        if ((await pipe.FlushAsync(ct)).IsCompleted) return;

        int segments = truncated ? words : plan.Segments.Length;
        int cutAfter = behavior.CutAfterChunks ?? int.MaxValue;
        for (int i = 0; i < segments; i++)
        {
            if (i == cutAfter) { await CutAsync(ctx); return; }
            // The first token travels with the role chunk, as OpenAI's does; the chunk delay paces the rest.
            if (i > 0) await Faults.DelayAsync(ctx, behavior.ChunkDelayMs);
            sse.Content(plan.Segments[i]);
            if ((await pipe.FlushAsync(ct)).IsCompleted) return;
        }
        if (cutAfter != int.MaxValue) { await CutAsync(ctx); return; }

        await Faults.DelayAsync(ctx, behavior.ChunkDelayMs);
        sse.Finish(truncated ? "length" : "stop");
        if ((await pipe.FlushAsync(ct)).IsCompleted) return;
        if (usage)
        {
            sse.Usage(req.PromptTokens, words);
            if ((await pipe.FlushAsync(ct)).IsCompleted) return;
        }
        sse.Done();
        await pipe.FlushAsync(ct);
    }

    private static async Task CutAsync(HttpContext ctx)
    {
        await Task.Delay(DrainBeforeCutMs, ctx.RequestAborted);
        ctx.Abort();
    }
}
