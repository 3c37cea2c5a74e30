using System.Runtime.InteropServices;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers.Anthropic;

/// <summary>
/// Anthropic's Messages stream → OpenAI chunks, one chunk per event as it arrives. Text and tool-argument deltas,
/// the bulk of a stream, are read with a forward-only reader and their strings copied through still escaped, so
/// they allocate nothing; the few framing events are parsed whole.
/// </summary>
public sealed class AnthropicStreamTranslator(string publicModel) : IStreamTranslator
{
    readonly ChunkWriter chunks = new(publicModel);

    // OpenAI numbers tool calls among themselves; Anthropic numbers every content block. -1: not a client tool call.
    int[] toolOfBlock = [];
    int toolCount;

    long input, output, cacheRead, cacheCreation;
    bool sawUsage;

    public bool Completed { get; private set; }
    public bool SawContent => chunks.SawContent;
    public TokenUsage? Usage => sawUsage ? AnthropicResponse.ToUsage(input, output, cacheRead, cacheCreation) : null;
    public string? Error { get; private set; }

    public void OnEvent(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> data, IChunkSink sink)
    {
        var type = eventName.IsEmpty ? EventType.Of(data) : eventName;
        if (type.SequenceEqual("content_block_delta"u8)) OnBlockDelta(data, sink);
        else if (type.SequenceEqual("content_block_start"u8)) OnBlockStart(data, sink);
        else if (type.SequenceEqual("message_start"u8)) OnMessageStart(data, sink);
        else if (type.SequenceEqual("message_delta"u8)) OnMessageDelta(data, sink);
        else if (type.SequenceEqual("message_stop"u8)) OnMessageStop(sink);
        else if (type.SequenceEqual("error"u8)) OnError(data);
        // ping, content_block_stop and event types added later carry nothing a chunk needs.
    }

    void OnMessageStart(ReadOnlySpan<byte> data, IChunkSink sink)
    {
        using (var document = Parse(data))
        {
            if (document.RootElement.TryGetProperty("message"u8, out var message))
            {
                if (message.TryGetProperty("id"u8, out var messageId) && messageId.ValueKind == JsonValueKind.String)
                    chunks.Id = ChunkWriter.Encode(messageId.GetString()!);
                if (message.TryGetProperty("usage"u8, out var usage)) TakeUsage(usage);
            }
        }
        var w = chunks.BeginChunk();
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("content"u8, ""u8);
        chunks.EndChunk(sink, null, isContent: false);
    }

    void OnBlockStart(ReadOnlySpan<byte> data, IChunkSink sink)
    {
        using var document = Parse(data);
        var root = document.RootElement;
        if (!root.TryGetProperty("content_block"u8, out var block) || !block.TryGetProperty("type"u8, out var blockType)
            || blockType.ValueKind != JsonValueKind.String || !root.TryGetProperty("index"u8, out var index)
            || index.ValueKind != JsonValueKind.Number || !index.TryGetInt32(out int blockIndex) || blockIndex < 0) return;

        if (blockType.ValueEquals("text"u8) && block.TryGetProperty("text"u8, out var text)
            && text.ValueKind == JsonValueKind.String && JsonMarshal.GetRawUtf8Value(text).Length > 2)
        {
            var w = chunks.BeginChunk();
            w.WritePropertyName("content"u8);
            AnthropicResponse.WriteRaw(w, text);
            chunks.EndChunk(sink, null);
        }
        else if (blockType.ValueEquals("tool_use"u8))
        {
            if (blockIndex >= toolOfBlock.Length)
            {
                int old = toolOfBlock.Length;
                Array.Resize(ref toolOfBlock, Math.Max(blockIndex + 1, old * 2));
                toolOfBlock.AsSpan(old).Fill(-1);
            }
            int tool = toolOfBlock[blockIndex] = toolCount++;
            var w = chunks.BeginChunk();
            w.WriteStartArray("tool_calls"u8);
            w.WriteStartObject();
            w.WriteNumber("index"u8, tool);
            w.WritePropertyName("id"u8);
            AnthropicResponse.WriteRaw(w, block.TryGetProperty("id"u8, out var toolId) ? toolId : default);
            w.WriteString("type"u8, "function"u8);
            w.WriteStartObject("function"u8);
            w.WritePropertyName("name"u8);
            AnthropicResponse.WriteRaw(w, block.TryGetProperty("name"u8, out var name) ? name : default);
            w.WriteString("arguments"u8, ""u8);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            chunks.EndChunk(sink, null);
        }
    }

    void OnBlockDelta(ReadOnlySpan<byte> data, IChunkSink sink)
    {
        int blockIndex = -1;
        bool isText = false, isJson = false;
        ReadOnlySpan<byte> value = default; // the string still quoted and escaped, as the upstream sent it
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("A content_block_delta is not an object.");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isIndex = reader.ValueTextEquals("index"u8), isDelta = reader.ValueTextEquals("delta"u8);
            reader.Read();
            if (isIndex && reader.TokenType == JsonTokenType.Number) blockIndex = reader.GetInt32();
            else if (isDelta && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isType = reader.ValueTextEquals("type"u8);
                    bool isValue = reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("partial_json"u8);
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String) reader.Skip();
                    else if (isType)
                    {
                        isText = reader.ValueTextEquals("text_delta"u8);
                        isJson = reader.ValueTextEquals("input_json_delta"u8);
                    }
                    else if (isValue) value = data.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2);
                }
            }
            else reader.Skip();
        }
        if (value.Length <= 2) return; // thinking and signature deltas, or an empty string

        if (isText)
        {
            var w = chunks.BeginChunk();
            w.WritePropertyName("content"u8);
            w.WriteRawValue(value, skipInputValidation: true);
            chunks.EndChunk(sink, null);
        }
        else if (isJson && (uint)blockIndex < (uint)toolOfBlock.Length && toolOfBlock[blockIndex] >= 0)
        {
            var w = chunks.BeginChunk();
            w.WriteStartArray("tool_calls"u8);
            w.WriteStartObject();
            w.WriteNumber("index"u8, toolOfBlock[blockIndex]);
            w.WriteStartObject("function"u8);
            w.WritePropertyName("arguments"u8);
            w.WriteRawValue(value, skipInputValidation: true);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            chunks.EndChunk(sink, null);
        }
    }

    void OnMessageDelta(ReadOnlySpan<byte> data, IChunkSink sink)
    {
        string finish = "stop";
        using (var document = Parse(data))
        {
            var root = document.RootElement;
            if (root.TryGetProperty("usage"u8, out var usage)) TakeUsage(usage);
            if (root.TryGetProperty("delta"u8, out var delta) && delta.TryGetProperty("stop_reason"u8, out var reason)
                && reason.ValueKind == JsonValueKind.String)
                finish = AnthropicResponse.FinishReason(JsonMarshal.GetRawUtf8Value(reason)[1..^1]);
        }
        chunks.BeginChunk();
        chunks.EndChunk(sink, finish);
    }

    void OnMessageStop(IChunkSink sink)
    {
        if (!chunks.Finished)
        {
            chunks.BeginChunk();
            chunks.EndChunk(sink, "stop");
        }
        chunks.WriteUsage(sink, Usage ?? default);
        Completed = true;
    }

    void OnError(ReadOnlySpan<byte> data)
    {
        using var document = Parse(data);
        var root = document.RootElement;
        var error = root.TryGetProperty("error"u8, out var e) ? e : root;
        Error = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message"u8, out var message) && message.ValueKind == JsonValueKind.String
            ? message.GetString()
            : "The upstream reported an error in the stream.";
    }

    void TakeUsage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object) return;
        AnthropicResponse.ReadUsage(usage, ref input, ref output, ref cacheRead, ref cacheCreation);
        sawUsage = true;
    }

    static JsonDocument Parse(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        return JsonDocument.ParseValue(ref reader);
    }
}
