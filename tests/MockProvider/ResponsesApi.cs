using System.Text.Json;

namespace MockProvider;

/// <summary>
/// <c>POST /v1/responses</c>: OpenAI's Responses API, non-streaming and streaming, with reasoning items (and their
/// encrypted content when <c>include</c> asks for it), function calls, refusals and <c>max_output_tokens</c> cuts.
/// Azure's v1 route (<c>/openai/v1/responses</c>) serves through it too.
/// </summary>
public static class ResponsesApi
{
    /// <summary>Reasoning tokens a reasoning answer reports, counted in its output tokens as OpenAI does.</summary>
    public const int ReasoningTokens = 12;

    public const string Refusal = "I'm sorry, but I cannot help with that request.";

    internal static async Task HandleAsync(HttpContext ctx, MockState state)
    {
        var body = await V1Gate.AdmitAsync(ctx, state, readBody: true);
        if (body is null) return;
        await ServeAsync(ctx, state, body, deployment: null);
    }

    internal static async Task ServeAsync(HttpContext ctx, MockState state, byte[] body, string? deployment)
    {
        ResponsesApiRequest req;
        try
        {
            req = ResponsesApiRequest.Parse(body, deployment);
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
        if (req.PreviousResponseId is { } previous)
        {
            await OpenAiErrors.WriteAsync(ctx, StatusCodes.Status400BadRequest, $"Previous response with id '{previous}' not found.",
                "invalid_request_error", "previous_response_id", "previous_response_not_found");
            return;
        }

        var behavior = state.Behaviors.Resolve(req.Model);
        using var stopHook = Faults.AbortOnStop(ctx, state, behavior);
        if (await Faults.InterceptAsync(ctx, state, behavior, req.Model, OpenAiErrors.InjectedAsync)) return;

        var reply = new ResponsesReply(req, Answer.Decide(behavior, req.Model, req.PromptTokens, req.MaxOutputTokens));
        if (req.Stream)
        {
            await AnswerStream.RunAsync(ctx, behavior, new ResponsesSse(ctx.Response.BodyWriter, reply));
        }
        else
        {
            await Faults.DelayAsync(ctx, behavior.LatencyMs);
            await JsonOut.SendAsync(ctx, StatusCodes.Status200OK, reply, static (w, r) => r.WriteResponse(w, done: true));
        }
    }
}

/// <summary>One Responses answer: its ids fixed up front so the stream's events and the final object agree.</summary>
internal sealed class ResponsesReply(ResponsesApiRequest request, Answer answer)
{
    public ResponsesApiRequest Request { get; } = request;
    public Answer Answer { get; } = answer;
    public string Id { get; } = JsonOut.NewId("resp_");
    public string ItemId { get; } = JsonOut.NewId(answer.Tool is null ? "msg_" : "fc_");
    public string ReasoningId { get; } = JsonOut.NewId("rs_");
    public string CallId { get; } = JsonOut.NewId("call_");
    public long Created { get; } = JsonOut.UnixNow();

    /// <summary>Where the answer's item sits in <c>output</c>: after the reasoning item when there is one.</summary>
    public int ItemIndex => Request.Reasons ? 1 : 0;

    public string Status => Answer.Truncated ? "incomplete" : "completed";

    public int OutputTokens => Answer.OutputTokens + (Request.Reasons ? ResponsesApi.ReasoningTokens : 0);

    /// <param name="done">The finished object; else as <c>response.created</c> shows it: in progress, no output, no usage.</param>
    public void WriteResponse(Utf8JsonWriter w, bool done)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, Id);
        w.WriteString("object"u8, "response"u8);
        w.WriteNumber("created_at"u8, Created);
        w.WriteString("status"u8, done ? Status : "in_progress");
        w.WriteBoolean("background"u8, false);
        w.WriteNull("error"u8);
        if (done && Answer.Truncated)
        {
            w.WriteStartObject("incomplete_details"u8);
            w.WriteString("reason"u8, "max_output_tokens"u8);
            w.WriteEndObject();
        }
        else w.WriteNull("incomplete_details"u8);
        if (Request.Instructions is { } instructions) w.WriteString("instructions"u8, instructions);
        else w.WriteNull("instructions"u8);
        if (Request.MaxOutputTokens is { } max) w.WriteNumber("max_output_tokens"u8, max);
        else w.WriteNull("max_output_tokens"u8);
        w.WriteString("model"u8, Request.Model);
        w.WriteStartArray("output"u8);
        if (done)
        {
            if (Request.Reasons) WriteReasoningItem(w);
            WriteItem(w, done: true);
        }
        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls"u8, true);
        w.WriteNull("previous_response_id"u8);
        w.WriteStartObject("reasoning"u8);
        if (Request.ReasoningEffort is { } effort) w.WriteString("effort"u8, effort);
        else w.WriteNull("effort"u8);
        w.WriteNull("summary"u8);
        w.WriteEndObject();
        w.WriteBoolean("store"u8, Request.Store);
        w.WriteNumber("temperature"u8, 1.0);
        w.WriteStartObject("text"u8);
        w.WriteStartObject("format"u8);
        w.WriteString("type"u8, "text"u8);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("tool_choice"u8, "auto"u8);
        w.WriteStartArray("tools"u8);
        w.WriteEndArray();
        w.WriteNumber("top_p"u8, 1.0);
        w.WriteString("truncation"u8, "disabled"u8);
        if (done && !Answer.OmitUsage)
        {
            w.WriteStartObject("usage"u8);
            w.WriteNumber("input_tokens"u8, Answer.PromptTokens);
            w.WriteStartObject("input_tokens_details"u8);
            w.WriteNumber("cached_tokens"u8, Answer.CachedTokens);
            w.WriteEndObject();
            w.WriteNumber("output_tokens"u8, OutputTokens);
            w.WriteStartObject("output_tokens_details"u8);
            w.WriteNumber("reasoning_tokens"u8, Request.Reasons ? ResponsesApi.ReasoningTokens : 0);
            w.WriteEndObject();
            w.WriteNumber("total_tokens"u8, Answer.PromptTokens + OutputTokens);
            w.WriteEndObject();
        }
        else w.WriteNull("usage"u8);
        w.WriteNull("user"u8);
        w.WriteStartObject("metadata"u8);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public void WriteReasoningItem(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, ReasoningId);
        w.WriteString("type"u8, "reasoning"u8);
        w.WriteStartArray("summary"u8);
        w.WriteEndArray();
        if (Request.EncryptedReasoning) w.WriteString("encrypted_content"u8, "enc-" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Request.Model + ":" + Answer.ThinkingText)));
        w.WriteEndObject();
    }

    /// <param name="done">Whole, as <c>output_item.done</c> and the final object show it; else as <c>output_item.added</c> opens it.</param>
    public void WriteItem(Utf8JsonWriter w, bool done)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, ItemId);
        if (Answer.Tool is { } tool)
        {
            w.WriteString("type"u8, "function_call"u8);
            w.WriteString("status"u8, done ? "completed"u8 : "in_progress"u8);
            if (done) w.WriteString("arguments"u8, tool.Arguments);
            else w.WriteString("arguments"u8, ""u8);
            w.WriteString("call_id"u8, CallId);
            w.WriteString("name"u8, tool.Name);
            w.WriteEndObject();
            return;
        }
        w.WriteString("type"u8, "message"u8);
        w.WriteString("status"u8, done ? (Answer.Truncated ? "incomplete"u8 : "completed"u8) : "in_progress"u8);
        w.WriteStartArray("content"u8);
        if (done) WritePart(w);
        w.WriteEndArray();
        w.WriteString("role"u8, "assistant"u8);
        w.WriteEndObject();
    }

    /// <summary>The message's one content part: its text, or the refusal of a blocked answer.</summary>
    /// <param name="empty">As <c>content_part.added</c> opens it.</param>
    public void WritePart(Utf8JsonWriter w, bool empty = false)
    {
        w.WriteStartObject();
        if (Answer.Blocked)
        {
            w.WriteString("type"u8, "refusal"u8);
            w.WriteString("refusal"u8, empty ? "" : ResponsesApi.Refusal);
        }
        else
        {
            w.WriteString("type"u8, "output_text"u8);
            w.WriteStartArray("annotations"u8);
            w.WriteEndArray();
            w.WriteStartArray("logprobs"u8);
            w.WriteEndArray();
            if (empty) w.WriteString("text"u8, ""u8);
            else if (Answer.Truncated) w.WriteString("text"u8, Answer.Text.Truncated(Answer.Words));
            else w.WriteString("text"u8, Answer.Text.EncodedText);
        }
        w.WriteEndObject();
    }
}
