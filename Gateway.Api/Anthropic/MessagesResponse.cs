using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Gateway.Api.Anthropic;

/// <summary>Turns an OpenAI <c>chat.completion</c> into an Anthropic <c>message</c>.</summary>
public static class MessagesResponse
{
    public static void Write(ReadOnlySpan<byte> openAiChatCompletion, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(openAiChatCompletion);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var choice = root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array
            && choices.GetArrayLength() > 0 ? choices[0] : default;
        var message = Property(choice, "message");
        var finishReason = Property(choice, "finish_reason");
        var toolCalls = Property(message, "tool_calls");

        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("id"u8, MessageId(StringOf(Property(root, "id"))));
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, "assistant"u8);
        WriteStringOrEmpty(json, "model"u8, Property(root, "model"));
        json.WriteStartArray("content"u8);
        var refused = false;
        foreach (var name in (ReadOnlySpan<string>)["content", "refusal"])
        {
            var text = Property(message, name);
            if (text.ValueKind != JsonValueKind.String || text.ValueEquals(""u8)) continue;
            refused |= name == "refusal";
            json.WriteStartObject();
            json.WriteString("type"u8, "text"u8);
            json.WritePropertyName("text"u8);
            json.WriteRawValue(JsonMarshal.GetRawUtf8Value(text), skipInputValidation: true);
            json.WriteEndObject();
        }
        var sawToolCall = false;
        if (toolCalls.ValueKind == JsonValueKind.Array)
            foreach (var call in toolCalls.EnumerateArray())
            {
                WriteToolUse(json, call);
                sawToolCall = true;
            }
        json.WriteEndArray();
        json.WriteString("stop_reason"u8, refused ? "refusal" : StopReason(StringOf(finishReason), sawToolCall));
        json.WriteNull("stop_sequence"u8);
        WriteUsage(json, Property(root, "usage"));
        json.WriteEndObject();
    }

    /// <summary>Anthropic's stop_reason for an OpenAI finish_reason.</summary>
    /// <param name="sawToolCall">Some upstreams finish a tool call with "stop"; Anthropic clients loop on tool_use.</param>
    internal static string StopReason(string? finishReason, bool sawToolCall) => finishReason switch
    {
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => sawToolCall ? "tool_use" : "end_turn",
    };

    /// <summary>An Anthropic-looking id that still leads back to the upstream's: an Anthropic upstream's is kept as it is.</summary>
    internal static string MessageId(string? openAiId) => openAiId switch
    {
        null or "" => "msg_" + Guid.NewGuid().ToString("N"),
        _ when openAiId.StartsWith("msg_", StringComparison.Ordinal) => openAiId,
        _ when openAiId.StartsWith("chatcmpl-", StringComparison.Ordinal) => "msg_" + openAiId["chatcmpl-".Length..],
        _ => "msg_" + openAiId,
    };

    static void WriteToolUse(Utf8JsonWriter json, JsonElement call)
    {
        var function = Property(call, "function");
        json.WriteStartObject();
        json.WriteString("type"u8, "tool_use"u8);
        var id = Property(call, "id");
        if (id.ValueKind == JsonValueKind.String) WriteStringOrEmpty(json, "id"u8, id);
        else json.WriteString("id"u8, "toolu_" + Guid.NewGuid().ToString("N"));
        WriteStringOrEmpty(json, "name"u8, Property(function, "name"));
        WriteDirectCaller(json);
        json.WritePropertyName("input"u8);
        // Anthropic's input is an object; a model's malformed arguments must not break the whole answer.
        var arguments = Property(function, "arguments");
        JsonDocument? parsed = null;
        try
        {
            if (arguments.ValueKind == JsonValueKind.String && arguments.GetString() is { Length: > 0 } text) parsed = JsonDocument.Parse(text);
        }
        catch (JsonException) { }
        if (parsed?.RootElement.ValueKind == JsonValueKind.Object) parsed.RootElement.WriteTo(json);
        else
        {
            json.WriteStartObject();
            json.WriteEndObject();
        }
        parsed?.Dispose();
        json.WriteEndObject();
    }

    static void WriteUsage(Utf8JsonWriter json, JsonElement usage)
    {
        var prompt = Count(Property(usage, "prompt_tokens"));
        var cached = Count(Property(Property(usage, "prompt_tokens_details"), "cached_tokens"));
        json.WriteStartObject("usage"u8);
        json.WriteNumber("input_tokens"u8, Math.Max(0, prompt - cached));
        json.WriteNumber("cache_creation_input_tokens"u8, 0);
        json.WriteNumber("cache_read_input_tokens"u8, cached);
        json.WriteNumber("output_tokens"u8, Count(Property(usage, "completion_tokens")));
        json.WriteEndObject();
    }

    static string? StringOf(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Anthropic marks who issued a tool call; the current SDKs require it, and here it is always the model.</summary>
    internal static void WriteDirectCaller(Utf8JsonWriter json)
    {
        json.WriteStartObject("caller"u8);
        json.WriteString("type"u8, "direct"u8);
        json.WriteEndObject();
    }

    static long Count(JsonElement value) => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : 0;

    static JsonElement Property(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value : default;

    static void WriteStringOrEmpty(Utf8JsonWriter json, ReadOnlySpan<byte> name, JsonElement value)
    {
        json.WritePropertyName(name);
        if (value.ValueKind == JsonValueKind.String) json.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
        else json.WriteStringValue(""u8);
    }
}
