using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers.Anthropic;

/// <summary>An Anthropic Messages answer → an OpenAI <c>chat.completion</c>.</summary>
public static class AnthropicResponse
{
    // Relaxed escaping keeps non-ASCII text as UTF-8 instead of \uXXXX; the output is never embedded in HTML.
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <exception cref="JsonException">The answer is not an Anthropic message.</exception>
    public static TokenUsage Write(ReadOnlySpan<byte> anthropicResponse, string publicModel, IBufferWriter<byte> output)
    {
        var rented = ArrayPool<byte>.Shared.Rent(anthropicResponse.Length);
        try
        {
            anthropicResponse.CopyTo(rented);
            using var document = JsonDocument.Parse(rented.AsMemory(0, anthropicResponse.Length));
            using var writer = new Utf8JsonWriter(output, WriterOptions);
            var usage = WriteCompletion(document.RootElement, publicModel, writer);
            writer.Flush();
            return usage;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    static TokenUsage WriteCompletion(JsonElement message, string publicModel, Utf8JsonWriter w)
    {
        if (message.ValueKind != JsonValueKind.Object
            || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
            throw new JsonException("The upstream answer is not an Anthropic message.");

        w.WriteStartObject();
        w.WritePropertyName("id");
        WriteRaw(w, message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id : default);
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        w.WriteString("model", publicModel);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        WriteText(content, w);
        WriteToolCalls(content, w);
        w.WriteEndObject();
        w.WriteNull("logprobs");
        var stopReason = message.TryGetProperty("stop_reason", out var s) && s.ValueKind == JsonValueKind.String
            ? JsonMarshal.GetRawUtf8Value(s)[1..^1]
            : [];
        if (stopReason.IsEmpty) w.WriteNull("finish_reason");
        else w.WriteString("finish_reason", FinishReason(stopReason));
        w.WriteEndObject();
        w.WriteEndArray();

        long input = 0, output = 0, cacheRead = 0, cacheCreation = 0;
        if (message.TryGetProperty("usage", out var usage)) ReadUsage(usage, ref input, ref output, ref cacheRead, ref cacheCreation);
        var tokens = ToUsage(input, output, cacheRead, cacheCreation);
        tokens.WriteOpenAi(w);
        w.WriteEndObject();
        return tokens;
    }

    // OpenAI has one content string; Anthropic may split the answer into several text blocks (e.g. around citations).
    static void WriteText(JsonElement content, Utf8JsonWriter w)
    {
        int count = 0;
        JsonElement single = default;
        foreach (var block in content.EnumerateArray())
            if (IsType(block, "text"u8) && block.TryGetProperty("text", out var text))
            {
                if (count++ == 0) single = text;
            }

        w.WritePropertyName("content");
        if (count == 0) w.WriteNullValue();
        else if (count == 1) WriteRaw(w, single);
        else
        {
            foreach (var block in content.EnumerateArray())
                if (IsType(block, "text"u8) && block.TryGetProperty("text", out var text))
                    w.WriteStringValueSegment(text.GetString(), isFinalSegment: false);
            w.WriteStringValueSegment(ReadOnlySpan<char>.Empty, isFinalSegment: true);
        }
    }

    static void WriteToolCalls(JsonElement content, Utf8JsonWriter w)
    {
        bool any = false;
        foreach (var block in content.EnumerateArray())
        {
            if (!IsType(block, "tool_use"u8)) continue; // server tools ran upstream; the client has nothing to call
            if (!any) w.WriteStartArray("tool_calls");
            any = true;
            w.WriteStartObject();
            w.WritePropertyName("id");
            WriteRaw(w, Required(block, "id"u8));
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WritePropertyName("name");
            WriteRaw(w, Required(block, "name"u8));
            // OpenAI carries the arguments as a JSON text inside a string.
            if (block.TryGetProperty("input", out var input)) w.WriteString("arguments", JsonMarshal.GetRawUtf8Value(input));
            else w.WriteString("arguments", "{}");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        if (any) w.WriteEndArray();
    }

    internal static string FinishReason(ReadOnlySpan<byte> stopReason) => stopReason switch
    {
        _ when stopReason.SequenceEqual("max_tokens"u8) || stopReason.SequenceEqual("model_context_window_exceeded"u8) => "length",
        _ when stopReason.SequenceEqual("tool_use"u8) => "tool_calls",
        _ when stopReason.SequenceEqual("refusal"u8) => "content_filter",
        _ => "stop", // end_turn, stop_sequence, pause_turn and reasons added later
    };

    /// <summary>Takes the counts present in an Anthropic usage object, keeping the others as they were.</summary>
    /// <remarks>Every count Anthropic sends is a running total, never an increment, so a later one replaces an earlier one.</remarks>
    internal static void ReadUsage(JsonElement usage, ref long input, ref long output, ref long cacheRead, ref long cacheCreation)
    {
        if (usage.ValueKind != JsonValueKind.Object) return;
        Take(usage, "input_tokens"u8, ref input);
        Take(usage, "output_tokens"u8, ref output);
        Take(usage, "cache_read_input_tokens"u8, ref cacheRead);
        Take(usage, "cache_creation_input_tokens"u8, ref cacheCreation);

        static void Take(JsonElement usage, ReadOnlySpan<byte> name, ref long value)
        {
            if (usage.TryGetProperty(name, out var count) && count.ValueKind == JsonValueKind.Number) value = count.GetInt64();
        }
    }

    // Anthropic's input_tokens excludes cached tokens; OpenAI's prompt_tokens includes them.
    internal static TokenUsage ToUsage(long input, long output, long cacheRead, long cacheCreation) =>
        new(input + cacheRead + cacheCreation, output, cacheRead, cacheCreation);

    static JsonElement Required(JsonElement block, ReadOnlySpan<byte> name) =>
        block.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value
            : throw new JsonException("A tool_use block lacks its id or name.");

    static bool IsType(JsonElement block, ReadOnlySpan<byte> type) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type"u8, out var t)
        && t.ValueKind == JsonValueKind.String && t.ValueEquals(type);

    // The upstream's JSON is already valid and escaped; copying it through avoids decoding every string.
    internal static void WriteRaw(Utf8JsonWriter w, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Undefined) w.WriteStringValue(""u8);
        else w.WriteRawValue(JsonMarshal.GetRawUtf8Value(value), skipInputValidation: true);
    }
}
