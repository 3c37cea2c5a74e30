using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;
using Gateway.Api.Responses;

namespace Gateway.Api.Providers.OpenAiResponses;

/// <summary>
/// A response object of OpenAI's Responses API, as an upstream that speaks it answers, read into a chat completion for
/// the record, the usage and the response cache (the client itself gets the response object as it came).
/// </summary>
public static class ResponsesAnswer
{
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <returns>The usage the upstream reported, or null when it reported none.</returns>
    /// <exception cref="JsonException">Not a response object.</exception>
    /// <exception cref="InvalidOperationException">The response failed.</exception>
    public static TokenUsage? Write(ReadOnlySpan<byte> json, string publicModel, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(json);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("output"u8, out var items) || items.ValueKind != JsonValueKind.Array)
            throw new JsonException("The answer is not a Responses object (no 'output' array).");
        if (root.StringOf("status"u8) == "failed") throw new InvalidOperationException($"the response failed: {FailureMessage(root)}");

        using var w = new Utf8JsonWriter(output, WriterOptions);
        w.WriteStartObject();
        w.WriteString("id"u8, root.StringOf("id"u8) ?? "");
        w.WriteString("object"u8, "chat.completion"u8);
        w.WriteNumber("created"u8, root.TryGetProperty("created_at"u8, out var created) && created.TryGetInt64(out var at) ? at : DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        w.WriteString("model"u8, publicModel);
        w.WriteStartArray("choices"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WriteStartObject("message"u8);
        w.WriteString("role"u8, "assistant"u8);
        var answer = ResponseOutput.Of(root);
        if (answer.Text.Length > 0) w.WriteString("content"u8, answer.Text);
        else w.WriteNull("content"u8);
        if (answer.Refusal is not null) w.WriteString("refusal"u8, answer.Refusal);
        if (answer.Calls.Count > 0)
        {
            w.WriteStartArray("tool_calls"u8);
            foreach (var call in answer.Calls)
            {
                w.WriteStartObject();
                w.WriteString("id"u8, call.CallId.Length > 0 ? call.CallId : call.ItemId);
                w.WriteString("type"u8, "function"u8);
                w.WriteStartObject("function"u8);
                w.WriteString("name"u8, call.Name);
                w.WriteString("arguments"u8, call.Arguments);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteString("finish_reason"u8, FinishReason(root, answer.Calls.Count > 0));
        w.WriteEndObject();
        w.WriteEndArray();
        var usage = ReadUsage(root, out var reasoning);
        usage?.WriteOpenAi(w, reasoning);
        w.WriteEndObject();
        w.Flush();
        return usage;
    }

    /// <summary>The chat finish reason of a response: a cut is <c>length</c> (or <c>content_filter</c>), a function call <c>tool_calls</c>.</summary>
    public static string FinishReason(JsonElement response, bool calledTools)
    {
        if (response.StringOf("status"u8) == "incomplete")
        {
            var reason = response.TryGetProperty("incomplete_details"u8, out var details) && details.ValueKind == JsonValueKind.Object ? details.StringOf("reason"u8) : null;
            return reason == "content_filter" ? "content_filter" : "length";
        }
        return calledTools ? "tool_calls" : "stop";
    }

    /// <summary>Responses usage in OpenAI chat terms: input tokens (cached among them) and output tokens (reasoning among them).</summary>
    public static TokenUsage? ReadUsage(JsonElement response, out long? reasoningTokens)
    {
        reasoningTokens = null;
        if (!response.TryGetProperty("usage"u8, out var usage) || usage.ValueKind != JsonValueKind.Object) return null;
        long input = Number(usage, "input_tokens"u8), output = Number(usage, "output_tokens"u8), cached = 0;
        if (usage.TryGetProperty("input_tokens_details"u8, out var inputDetails) && inputDetails.ValueKind == JsonValueKind.Object)
            cached = Number(inputDetails, "cached_tokens"u8);
        if (usage.TryGetProperty("output_tokens_details"u8, out var outputDetails) && outputDetails.ValueKind == JsonValueKind.Object
            && outputDetails.TryGetProperty("reasoning_tokens"u8, out var r) && r.TryGetInt64(out var reasoning))
            reasoningTokens = reasoning;
        return new TokenUsage(input, output, cached);
    }

    public static string FailureMessage(JsonElement response) =>
        response.TryGetProperty("error"u8, out var error) && error.ValueKind == JsonValueKind.Object && error.StringOf("message"u8) is { } message
            ? message
            : "the upstream reported no reason";

    static long Number(JsonElement o, ReadOnlySpan<byte> name) =>
        o.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : 0;
}
