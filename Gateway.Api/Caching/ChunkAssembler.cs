using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Caching;

/// <summary>Assembles a streamed answer (OpenAI <c>chat.completion.chunk</c>s as SSE <c>data:</c> lines) into one <c>chat.completion</c>.</summary>
public static class ChunkAssembler
{
    /// <returns>The completion, or null when the stream held no answer (no chunk, or no finish reason).</returns>
    /// <param name="usage">The answer's usage as recorded: it goes into the completion (the client may not have asked for it in the stream).</param>
    public static byte[]? Assemble(ReadOnlySpan<byte> sse, Gateway.Api.RequestPath.Wire.TokenUsage usage)
    {
        string? id = null, model = null, finish = null;
        long created = 0;
        var content = new StringBuilder();
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)>();
        foreach (var range in sse.Split((byte)'\n'))
        {
            var line = sse[range];
            if (!line.StartsWith("data: "u8) || line[6..].SequenceEqual("[DONE]"u8)) continue;
            using var chunk = JsonDocument.Parse(line[6..].ToArray());
            var root = chunk.RootElement;
            if (root.ValueKind != JsonValueKind.Object) continue;
            id ??= root.StringOf("id");
            model ??= root.StringOf("model");
            if (created == 0 && root.TryGetProperty("created", out var c) && c.TryGetInt64(out var when)) created = when;
            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) continue;
            foreach (var choice in choices.EnumerateArray())
            {
                finish = choice.StringOf("finish_reason") ?? finish;
                if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object) continue;
                content.Append(delta.StringOf("content"));
                if (!delta.TryGetProperty("tool_calls", out var toolCalls) || toolCalls.ValueKind != JsonValueKind.Array) continue;
                foreach (var call in toolCalls.EnumerateArray())
                {
                    var index = call.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : 0;
                    if (!calls.TryGetValue(index, out var known)) known = (null, null, new StringBuilder());
                    var function = call.TryGetProperty("function", out var f) ? f : default;
                    known = (known.Id ?? call.StringOf("id"), known.Name ?? function.StringOf("name"), known.Arguments.Append(function.StringOf("arguments")));
                    calls[index] = known;
                }
            }
        }
        if (finish is null) return null;
        var output = new ArrayBufferWriter<byte>(content.Length + 512);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("id"u8, id ?? "chatcmpl-cached");
            json.WriteString("object"u8, "chat.completion"u8);
            json.WriteNumber("created"u8, created);
            json.WriteString("model"u8, model ?? "");
            json.WriteStartArray("choices"u8);
            json.WriteStartObject();
            json.WriteNumber("index"u8, 0);
            json.WriteStartObject("message"u8);
            json.WriteString("role"u8, "assistant"u8);
            if (content.Length > 0 || calls.Count == 0) json.WriteString("content"u8, content.ToString());
            else json.WriteNull("content"u8);
            if (calls.Count > 0)
            {
                json.WriteStartArray("tool_calls"u8);
                foreach (var (_, call) in calls)
                {
                    json.WriteStartObject();
                    json.WriteString("id"u8, call.Id ?? "call_cached");
                    json.WriteString("type"u8, "function"u8);
                    json.WriteStartObject("function"u8);
                    json.WriteString("name"u8, call.Name ?? "");
                    json.WriteString("arguments"u8, call.Arguments.ToString());
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            json.WriteString("finish_reason"u8, finish);
            json.WriteEndObject();
            json.WriteEndArray();
            usage.WriteOpenAi(json);
            json.WriteEndObject();
        }
        return output.WrittenSpan.ToArray();
    }
}
