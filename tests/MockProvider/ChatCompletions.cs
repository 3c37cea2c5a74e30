using System.Text.Json;

namespace MockProvider;

/// <summary><c>POST /v1/chat/completions</c>, non-streaming and streaming; Azure's deployment route serves through it too.</summary>
internal static class ChatCompletions
{
    public static async Task HandleAsync(HttpContext ctx, MockState state)
    {
        var body = await V1Gate.AdmitAsync(ctx, state, readBody: true);
        if (body is null) return;
        await ServeAsync(ctx, state, body, deployment: null);
    }

    /// <param name="deployment">Azure's deployment name, which stands in for the model; null on OpenAI's route.</param>
    public static async Task ServeAsync(HttpContext ctx, MockState state, byte[] body, string? deployment)
    {
        ChatRequest req;
        try
        {
            req = ChatRequest.Parse(body, deployment);
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
        if (await Faults.InterceptAsync(ctx, state, behavior, req.Model, deployment is null ? OpenAiErrors.InjectedAsync : AzureDeployments.InjectedAsync)) return;

        var answer = Answer.Decide(behavior, req.Model, req.PromptTokens, req.MaxTokens);
        if (req.Stream)
        {
            var sse = new SseChunkWriter(ctx.Response.BodyWriter, answer, req.Model, usage: req.IncludeUsage && !behavior.OmitUsage);
            await AnswerStream.RunAsync(ctx, behavior, sse);
        }
        else
        {
            await Faults.DelayAsync(ctx, behavior.LatencyMs);
            await WriteCompletionAsync(ctx, req.Model, answer);
        }
    }

    public static string FinishReason(in Answer answer) =>
        answer.Blocked ? "content_filter" : answer.Tool is not null ? "tool_calls" : answer.Truncated ? "length" : "stop";

    private static Task WriteCompletionAsync(HttpContext ctx, string model, Answer answer) =>
        JsonOut.SendAsync(ctx, StatusCodes.Status200OK, (model, answer), static (w, s) =>
        {
            var a = s.answer;
            w.WriteStartObject();
            w.WriteString("id"u8, JsonOut.NewId("chatcmpl-"));
            w.WriteString("object"u8, "chat.completion"u8);
            w.WriteNumber("created"u8, JsonOut.UnixNow());
            w.WriteString("model"u8, s.model);
            w.WriteStartArray("choices"u8);
            w.WriteStartObject();
            w.WriteNumber("index"u8, 0);
            w.WriteStartObject("message"u8);
            w.WriteString("role"u8, "assistant"u8);
            if (a.Blocked || a.Tool is not null) w.WriteNull("content"u8);
            else if (a.Truncated) w.WriteString("content"u8, a.Text.Truncated(a.Words));
            else w.WriteString("content"u8, a.Text.EncodedText);
            if (a.Tool is { } tool)
            {
                w.WriteStartArray("tool_calls"u8);
                w.WriteStartObject();
                w.WriteString("id"u8, JsonOut.NewId("call_"));
                w.WriteString("type"u8, "function"u8);
                w.WriteStartObject("function"u8);
                w.WriteString("name"u8, tool.Name);
                w.WriteString("arguments"u8, tool.Arguments);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
            }
            w.WriteNull("refusal"u8);
            w.WriteEndObject();
            w.WriteNull("logprobs"u8);
            w.WriteString("finish_reason"u8, FinishReason(a));
            w.WriteEndObject();
            w.WriteEndArray();
            if (!a.OmitUsage) JsonOut.WriteUsage(w, a.PromptTokens, a.OutputTokens, a.CachedTokens);
            w.WriteString("system_fingerprint"u8, "fp_mock"u8);
            w.WriteEndObject();
        });
}
