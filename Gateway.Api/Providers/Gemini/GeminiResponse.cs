using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers.Gemini;

/// <summary>Turns a Gemini GenerateContentResponse into an OpenAI chat.completion.</summary>
public static class GeminiResponse
{
    internal static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    internal static readonly JsonEncodedText Stop = JsonEncodedText.Encode("stop");
    internal static readonly JsonEncodedText Length = JsonEncodedText.Encode("length");
    internal static readonly JsonEncodedText ToolCalls = JsonEncodedText.Encode("tool_calls");
    internal static readonly JsonEncodedText ContentFilter = JsonEncodedText.Encode("content_filter");

    public static TokenUsage Write(ReadOnlySpan<byte> geminiResponse, string publicModel, IBufferWriter<byte> output)
    {
        var rented = ArrayPool<byte>.Shared.Rent(geminiResponse.Length);
        try
        {
            geminiResponse.CopyTo(rented);
            using var document = JsonDocument.Parse(rented.AsMemory(0, geminiResponse.Length));
            var root = document.RootElement;
            var usage = ReadUsage(root, out var reasoning);

            using var writer = new Utf8JsonWriter(output, Options);
            writer.WriteStartObject();
            writer.WriteString("id", CompletionId(root));
            writer.WriteString("object", "chat.completion");
            writer.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            writer.WriteString("model", publicModel);
            writer.WriteStartArray("choices");
            if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array
                && candidates.GetArrayLength() > 0)
            {
                var position = 0;
                foreach (var candidate in candidates.EnumerateArray())
                    WriteChoice(writer, candidate, position++);
            }
            else
            {
                // Gemini answers a prompt it refuses with no candidates, only promptFeedback.blockReason
                writer.WriteStartObject();
                writer.WriteNumber("index", 0);
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                writer.WriteNull("content");
                writer.WriteEndObject();
                writer.WriteNull("logprobs");
                writer.WriteString("finish_reason", IsPromptBlocked(root) ? ContentFilter : Stop);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            if (usage is { } reported)
                reported.WriteOpenAi(writer, reasoning);
            writer.WriteEndObject();
            return usage ?? default;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    static void WriteChoice(Utf8JsonWriter writer, JsonElement candidate, int position)
    {
        writer.WriteStartObject();
        writer.WriteNumber("index", CandidateIndex(candidate, position));
        writer.WriteStartObject("message");
        writer.WriteString("role", "assistant");
        var parts = Parts(candidate);

        var textParts = 0;
        JsonElement onlyText = default;
        foreach (var part in parts)
            if (IsAnswerText(part, out var text))
            {
                textParts++;
                onlyText = text;
            }
        writer.WritePropertyName("content");
        if (textParts == 0)
            writer.WriteNullValue();
        else if (textParts == 1)
            writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(onlyText), skipInputValidation: true);
        else
        {
            var joined = new StringBuilder();
            foreach (var part in parts)
                if (IsAnswerText(part, out var text))
                    joined.Append(text.GetString());
            writer.WriteStringValue(joined.ToString());
        }

        var calls = 0;
        foreach (var part in parts)
            if (part.TryGetProperty("functionCall", out var call))
            {
                if (calls++ == 0)
                    writer.WriteStartArray("tool_calls");
                WriteToolCall(writer, call, index: null);
            }
        if (calls > 0)
            writer.WriteEndArray();
        writer.WriteNull("refusal");
        writer.WriteEndObject();
        writer.WriteNull("logprobs");
        writer.WriteString("finish_reason", MapFinishReason(candidate, calls > 0));
        writer.WriteEndObject();
    }

    internal static string CompletionId(JsonElement root) =>
        root.TryGetProperty("responseId", out var id) && id.ValueKind == JsonValueKind.String
            ? "chatcmpl-" + id.GetString()
            : "chatcmpl-" + Guid.NewGuid().ToString("N");

    internal static int CandidateIndex(JsonElement candidate, int position) =>
        candidate.TryGetProperty("index", out var index) && index.TryGetInt32(out var value) ? value : position;

    internal static JsonElement.ArrayEnumerator Parts(JsonElement candidate) =>
        candidate.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Object
        && content.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array
            ? parts.EnumerateArray()
            : NoParts.EnumerateArray();

    static readonly JsonElement NoParts = JsonElement.Parse("[]"u8);

    /// <summary>Visible answer text: thought summaries are the model's reasoning, not its reply.</summary>
    internal static bool IsAnswerText(JsonElement part, out JsonElement text) =>
        part.TryGetProperty("text", out text) && text.ValueKind == JsonValueKind.String
        && !(part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True);

    internal static bool IsPromptBlocked(JsonElement root) =>
        root.TryGetProperty("promptFeedback", out var feedback) && feedback.ValueKind == JsonValueKind.Object
        && feedback.TryGetProperty("blockReason", out _);

    internal static JsonEncodedText MapFinishReason(JsonElement candidate, bool calledTools)
    {
        if (candidate.TryGetProperty("finishReason", out var reason))
        {
            if (reason.ValueEquals("MAX_TOKENS"u8))
                return Length;
            if (reason.ValueEquals("SAFETY"u8) || reason.ValueEquals("RECITATION"u8) || reason.ValueEquals("BLOCKLIST"u8)
                || reason.ValueEquals("PROHIBITED_CONTENT"u8) || reason.ValueEquals("SPII"u8) || reason.ValueEquals("IMAGE_SAFETY"u8))
                return ContentFilter;
        }
        // Gemini says STOP after a function call; OpenAI clients only run tools on "tool_calls"
        return calledTools ? ToolCalls : Stop;
    }

    [ThreadStatic] static ArrayBufferWriter<byte>? argumentsScratch;
    [ThreadStatic] static Utf8JsonWriter? argumentsWriter;

    /// <summary>Writes one OpenAI tool call; streamed deltas also carry their position in <paramref name="index"/>.</summary>
    internal static void WriteToolCall(Utf8JsonWriter writer, JsonElement functionCall, int? index)
    {
        writer.WriteStartObject();
        if (index is { } i)
            writer.WriteNumber("index", i);
        // Gemini ids its calls only sometimes; the request side maps ids back to names, so any unique id works.
        writer.WriteString("id", "call_" + Guid.NewGuid().ToString("N")[..24]);
        writer.WriteString("type", "function");
        writer.WriteStartObject("function");
        writer.WritePropertyName("name");
        writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(functionCall.GetProperty("name")), skipInputValidation: true);
        if (functionCall.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Object)
        {
            // Gemini's JSON carries spaces and newlines; clients expect compact arguments. The scratch writer is
            // per thread because translation runs synchronously from start to end.
            var scratch = argumentsScratch ??= new ArrayBufferWriter<byte>(256);
            scratch.ResetWrittenCount();
            var compact = argumentsWriter ??= new Utf8JsonWriter(scratch, Options);
            compact.Reset(scratch);
            args.WriteTo(compact);
            compact.Flush();
            writer.WriteString("arguments", scratch.WrittenSpan);
            if (scratch.Capacity > 64 * 1024)
                argumentsScratch = null; // a rare huge call should not stay pinned to the thread
        }
        else
            writer.WriteString("arguments", "{}");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Reads usageMetadata; <paramref name="reasoning"/> is the thinking share of the completion tokens.</summary>
    internal static TokenUsage? ReadUsage(JsonElement root, out long reasoning)
    {
        reasoning = 0;
        if (!root.TryGetProperty("usageMetadata", out var usage) || usage.ValueKind != JsonValueKind.Object)
            return null;
        reasoning = Count(usage, "thoughtsTokenCount");
        // Gemini bills thinking as output but leaves it out of candidatesTokenCount
        return new TokenUsage(
            PromptTokens: Count(usage, "promptTokenCount"),
            CompletionTokens: Count(usage, "candidatesTokenCount") + reasoning,
            CachedPromptTokens: Count(usage, "cachedContentTokenCount"));
    }

    static long Count(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var count) && count.TryGetInt64(out var value) ? value : 0;
}
