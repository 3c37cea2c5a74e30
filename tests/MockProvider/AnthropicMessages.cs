using System.Text.Json;

namespace MockProvider;

/// <summary><c>POST /v1/messages</c>: Anthropic's Messages API, non-streaming and streaming.</summary>
internal static class AnthropicMessages
{
    // The versions Anthropic accepts; any other value is refused, which catches a gateway inventing one.
    private static readonly string[] Versions = ["2023-06-01", "2023-01-01"];

    public static async Task HandleAsync(HttpContext ctx, MockState state)
    {
        var body = await AdmitAsync(ctx, state);
        if (body is null) return;

        AnthropicRequest req;
        try
        {
            req = AnthropicRequest.Parse(body);
        }
        catch (JsonException)
        {
            await AnthropicErrors.InvalidRequestAsync(ctx, "There was an error parsing the body of your request: it is not valid JSON.");
            return;
        }
        catch (InvalidRequestException e)
        {
            await AnthropicErrors.InvalidRequestAsync(ctx, e.Message);
            return;
        }

        var behavior = state.Behaviors.Resolve(req.Model);
        using var stopHook = Faults.AbortOnStop(ctx, state, behavior);
        if (await Faults.InterceptAsync(ctx, state, behavior, req.Model, AnthropicErrors.InjectedAsync)) return;

        var answer = Answer.Decide(behavior, req.Model, req.PromptTokens, req.MaxTokens);
        if (req.Thinking) answer = answer.WithThinking();
        if (body.AsSpan().IndexOf("\"cache_control\""u8) >= 0)
            answer = answer.WithPromptCache(firstSight: state.PromptCache.TryAdd((req.Model, Hash.Fnv1a(body)), true));
        ctx.Response.Headers["request-id"] = JsonOut.NewId("req_011");
        if (req.Stream)
        {
            await AnswerStream.RunAsync(ctx, behavior, new AnthropicSse(ctx.Response.BodyWriter, answer, req.Model));
        }
        else
        {
            await Faults.DelayAsync(ctx, behavior.LatencyMs);
            await WriteMessageAsync(ctx, req.Model, answer);
        }
    }

    /// <summary>
    /// <c>POST /v1/messages/count_tokens</c>: the prompt's words, as the mock counts a prompt, plus 3 for the message
    /// framing Anthropic's count includes (so a test can tell Anthropic's count from the gateway's own).
    /// </summary>
    public static async Task CountTokensAsync(HttpContext ctx, MockState state)
    {
        var body = await AdmitAsync(ctx, state);
        if (body is null) return;
        AnthropicRequest req;
        try
        {
            req = AnthropicRequest.Parse(body, countOnly: true);
        }
        catch (JsonException)
        {
            await AnthropicErrors.InvalidRequestAsync(ctx, "There was an error parsing the body of your request: it is not valid JSON.");
            return;
        }
        catch (InvalidRequestException e)
        {
            await AnthropicErrors.InvalidRequestAsync(ctx, e.Message);
            return;
        }
        await JsonOut.SendAsync(ctx, StatusCodes.Status200OK, req.PromptTokens + 3, static (w, tokens) =>
        {
            w.WriteStartObject();
            w.WriteNumber("input_tokens"u8, tokens);
            w.WriteEndObject();
        });
    }

    /// <returns>The body, or null when the key or the version header was refused (the call is logged either way).</returns>
    private static async ValueTask<byte[]?> AdmitAsync(HttpContext ctx, MockState state)
    {
        var request = ctx.Request;
        string? key = Credentials.Anthropic(request);
        var body = await state.ReadAndLogAsync(ctx, readBody: true, key);
        if (state.Rejects(key))
        {
            await AnthropicErrors.WriteAsync(ctx, StatusCodes.Status401Unauthorized, key is null ? "x-api-key header is required" : "invalid x-api-key");
            return null;
        }
        string? version = request.Headers["anthropic-version"];
        if (string.IsNullOrEmpty(version))
        {
            await AnthropicErrors.InvalidRequestAsync(ctx, "anthropic-version: header is required");
            return null;
        }
        if (Array.IndexOf(Versions, version) < 0)
        {
            await AnthropicErrors.InvalidRequestAsync(ctx, $"anthropic-version: \"{version}\" is not a valid version");
            return null;
        }
        return body;
    }

    public static string StopReason(in Answer answer) =>
        answer.Blocked ? "refusal" : answer.Tool is not null ? "tool_use" : answer.Truncated ? "max_tokens" : "end_turn";

    public static void WriteHead(Utf8JsonWriter w, string model)
    {
        w.WriteString("id"u8, JsonOut.NewId("msg_01"));
        w.WriteString("type"u8, "message"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("model"u8, model);
    }

    /// <summary>Anthropic's input_tokens excludes cache reads, which it reports beside them; the sum is the whole prompt.</summary>
    public static void WriteUsage(Utf8JsonWriter w, in Answer answer, int outputTokens)
    {
        w.WriteStartObject("usage"u8);
        w.WriteNumber("input_tokens"u8, answer.PromptTokens - answer.CachedTokens - answer.CacheWriteTokens);
        w.WriteNumber("cache_creation_input_tokens"u8, answer.CacheWriteTokens);
        w.WriteNumber("cache_read_input_tokens"u8, answer.CachedTokens);
        w.WriteNumber("output_tokens"u8, outputTokens);
        w.WriteEndObject();
    }

    private static Task WriteMessageAsync(HttpContext ctx, string model, Answer answer) =>
        JsonOut.SendAsync(ctx, StatusCodes.Status200OK, (model, answer), static (w, s) =>
        {
            var a = s.answer;
            w.WriteStartObject();
            WriteHead(w, s.model);
            w.WriteStartArray("content"u8);
            if (a.Thinking)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "thinking"u8);
                w.WriteString("thinking"u8, Answer.ThinkingText);
                w.WriteString("signature"u8, Answer.ThinkingSignature(s.model));
                w.WriteEndObject();
            }
            if (a.Tool is { } tool)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "tool_use"u8);
                w.WriteString("id"u8, JsonOut.NewId("toolu_01"));
                w.WriteString("name"u8, tool.Name);
                w.WritePropertyName("input"u8);
                w.WriteRawValue(tool.CompactArguments);
                w.WriteEndObject();
            }
            else if (!a.Blocked)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "text"u8);
                if (a.Truncated) w.WriteString("text"u8, a.Text.Truncated(a.Words));
                else w.WriteString("text"u8, a.Text.EncodedText);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("stop_reason"u8, StopReason(a));
            w.WriteNull("stop_sequence"u8);
            if (!a.OmitUsage) WriteUsage(w, a, a.OutputTokens);
            w.WriteEndObject();
        });
}
