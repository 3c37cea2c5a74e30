using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Responses;

/// <summary>Reads an OpenAI <c>chat.completion</c> as a Responses answer: its output, usage and model.</summary>
public static class ResponsesResponse
{
    public static (ResponseOutput Output, TokenUsage Usage, long? ReasoningTokens, string? Model) Read(ReadOnlySpan<byte> chatCompletion, ResponseObject response)
    {
        var reader = new Utf8JsonReader(chatCompletion);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var choice = root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            ? choices[0] : default;
        var message = Property(choice, "message");
        var output = new ResponseOutput { IncompleteReason = ResponseOutput.IncompleteFor(StringOf(Property(choice, "finish_reason"))) };
        output.Text = StringOf(Property(message, "content")) is { Length: > 0 } content ? content : StringOf(Property(message, "refusal")) ?? "";
        if (Property(message, "tool_calls") is { ValueKind: JsonValueKind.Array } calls)
            foreach (var call in calls.EnumerateArray())
            {
                var function = Property(call, "function");
                output.Calls.Add(new FunctionCallItem(response.FunctionCallId(output.Calls.Count),
                    StringOf(Property(call, "id")) ?? "call_" + Guid.NewGuid().ToString("N"),
                    StringOf(Property(function, "name")) ?? "", StringOf(Property(function, "arguments")) ?? ""));
            }
        var usage = Property(root, "usage");
        var counts = new TokenUsage(Count(Property(usage, "prompt_tokens")), Count(Property(usage, "completion_tokens")),
            Count(Property(Property(usage, "prompt_tokens_details"), "cached_tokens")));
        var reasoning = Property(Property(usage, "completion_tokens_details"), "reasoning_tokens");
        return (output, counts, reasoning.ValueKind == JsonValueKind.Number ? reasoning.GetInt64() : null, StringOf(Property(root, "model")));
    }

    static long Count(JsonElement value) => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : 0;

    static string? StringOf(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static JsonElement Property(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value : default;
}
