using System.Buffers;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Anthropic;

/// <summary>
/// Re-frames an OpenAI chunk stream as Anthropic's Messages SSE events, writing each event as soon as the chunk
/// that causes it arrives. One encoder per response; not thread-safe.
/// </summary>
/// <param name="fallbackId">The message id when no chunk carries the upstream's.</param>
public sealed class MessagesStreamEncoder(string publicModel, string fallbackId)
{
    enum Block { None, Text, Tool }

    Utf8JsonWriter? json;
    string messageId = fallbackId;
    TokenUsage prompt;
    bool started;
    Block open;
    int blockIndex = -1;
    int toolIndex = -1; // OpenAI's index of the call in the open tool_use block
    string? toolId;
    bool sawToolCall;
    string? finishReason;
    bool ended;

    /// <summary>
    /// Opens the message. Its <c>message_start</c> goes out with the first chunk, which names the upstream's id (the
    /// relay hands that chunk over at once), so streamed and whole answers carry the same id.
    /// </summary>
    /// <param name="prompt">The prompt's count, which Anthropic states up front; the final count follows in <c>message_delta</c>.</param>
    public void Start(TokenUsage prompt) => this.prompt = prompt;

    void WriteMessageStart(IBufferWriter<byte> output)
    {
        started = true;
        var w = Begin("message_start"u8, output);
        w.WriteString("type"u8, "message_start"u8);
        w.WriteStartObject("message"u8);
        w.WriteString("id"u8, messageId);
        w.WriteString("type"u8, "message"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("model"u8, publicModel);
        w.WriteStartArray("content"u8);
        w.WriteEndArray();
        w.WriteNull("stop_reason"u8);
        w.WriteNull("stop_sequence"u8);
        WriteUsage(w, prompt);
        w.WriteEndObject();
        End(output);
    }

    /// <summary>Takes one <c>chat.completion.chunk</c>; a usage-only chunk writes nothing, as usage comes to <see cref="Complete"/>.</summary>
    public void OnChunk(ReadOnlySpan<byte> openAiChunkJson, IBufferWriter<byte> output)
    {
        if (ended) return;
        if (!started)
        {
            if (IdOf(openAiChunkJson) is { Length: > 0 } upstreamId) messageId = MessagesResponse.MessageId(upstreamId);
            WriteMessageStart(output);
        }
        var r = new Utf8JsonReader(openAiChunkJson);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isChoices = r.ValueTextEquals("choices"u8);
            r.Read();
            if (!isChoices || r.TokenType != JsonTokenType.StartArray) r.Skip();
            // The gateway never asks for n > 1, so every choice is the one answer.
            else while (r.Read() && r.TokenType == JsonTokenType.StartObject) ReadChoice(ref r, openAiChunkJson, output);
        }
    }

    public void Complete(TokenUsage usage, IBufferWriter<byte> output)
    {
        if (ended) return;
        if (!started) WriteMessageStart(output);
        ended = true;
        CloseBlock(output);
        var w = Begin("message_delta"u8, output);
        w.WriteString("type"u8, "message_delta"u8);
        w.WriteStartObject("delta"u8);
        w.WriteString("stop_reason"u8, MessagesResponse.StopReason(finishReason, sawToolCall));
        w.WriteNull("stop_sequence"u8);
        w.WriteEndObject();
        WriteUsage(w, usage);
        End(output);
        Begin("message_stop"u8, output).WriteString("type"u8, "message_stop"u8);
        End(output);
    }

    /// <summary>Ends the stream with Anthropic's in-stream error event, which the SDKs raise as an API error.</summary>
    public void Fail(int status, string message, IBufferWriter<byte> output)
    {
        if (ended) return;
        if (!started) WriteMessageStart(output);
        ended = true;
        WriteFrame("error"u8, output);
        json!.Reset(output);
        AnthropicErrors.Write(json, status, message);
        json.Flush();
        output.Write("\n\n"u8);
    }

    void ReadChoice(ref Utf8JsonReader r, ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isFinish = r.ValueTextEquals("finish_reason"u8);
            var isDelta = r.ValueTextEquals("delta"u8);
            r.Read();
            if (isFinish && r.TokenType == JsonTokenType.String) finishReason = r.GetString();
            else if (isDelta && r.TokenType == JsonTokenType.StartObject) ReadDelta(ref r, chunk, output);
            else r.Skip();
        }
    }

    void ReadDelta(ref Utf8JsonReader r, ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isText = r.ValueTextEquals("content"u8) || r.ValueTextEquals("refusal"u8);
            var isTools = r.ValueTextEquals("tool_calls"u8);
            r.Read();
            if (isText && r.TokenType == JsonTokenType.String && r.ValueSpan.Length > 0) OnText(RawString(chunk, r.TokenStartIndex, r.BytesConsumed), output);
            else if (isTools && r.TokenType == JsonTokenType.StartArray)
                while (r.Read() && r.TokenType == JsonTokenType.StartObject) ReadToolCall(ref r, chunk, output);
            else r.Skip();
        }
    }

    void ReadToolCall(ref Utf8JsonReader r, ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        int? index = null;
        string? id = null, name = null;
        ReadOnlySpan<byte> arguments = default;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isIndex = r.ValueTextEquals("index"u8);
            var isId = r.ValueTextEquals("id"u8);
            var isFunction = r.ValueTextEquals("function"u8);
            r.Read();
            if (isIndex && r.TokenType == JsonTokenType.Number) index = r.GetInt32();
            else if (isId && r.TokenType == JsonTokenType.String) id = r.GetString();
            else if (!isFunction || r.TokenType != JsonTokenType.StartObject) r.Skip();
            else
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    var isName = r.ValueTextEquals("name"u8);
                    var isArguments = r.ValueTextEquals("arguments"u8);
                    r.Read();
                    if (isName && r.TokenType == JsonTokenType.String) name = r.GetString();
                    else if (isArguments && r.TokenType == JsonTokenType.String && r.ValueSpan.Length > 0) arguments = RawString(chunk, r.TokenStartIndex, r.BytesConsumed);
                    else r.Skip();
                }
        }
        OnToolCall(index, id, name, arguments, output);
    }

    void OnText(ReadOnlySpan<byte> rawText, IBufferWriter<byte> output)
    {
        if (open != Block.Text) StartBlock(Block.Text, output);
        WriteDelta("text_delta"u8, "text"u8, rawText, output);
    }

    void OnToolCall(int? index, string? id, string? name, ReadOnlySpan<byte> rawArguments, IBufferWriter<byte> output)
    {
        // A call continues until a delta names another index or id; OpenAI sends id and name only on the first.
        if (open != Block.Tool || (index is { } i && i != toolIndex) || (id is not null && id != toolId))
        {
            toolIndex = index ?? toolIndex + 1;
            toolId = id ?? $"toolu_{messageId}_{blockIndex + 1}";
            sawToolCall = true;
            StartBlock(Block.Tool, output, name);
        }
        if (!rawArguments.IsEmpty) WriteDelta("input_json_delta"u8, "partial_json"u8, rawArguments, output);
    }

    void StartBlock(Block kind, IBufferWriter<byte> output, string? toolName = null)
    {
        CloseBlock(output);
        open = kind;
        var w = Begin("content_block_start"u8, output);
        w.WriteString("type"u8, "content_block_start"u8);
        w.WriteNumber("index"u8, ++blockIndex);
        w.WriteStartObject("content_block"u8);
        if (kind == Block.Text)
        {
            w.WriteString("type"u8, "text"u8);
            w.WriteString("text"u8, ""u8);
        }
        else
        {
            w.WriteString("type"u8, "tool_use"u8);
            w.WriteString("id"u8, toolId);
            w.WriteString("name"u8, toolName ?? "");
            MessagesResponse.WriteDirectCaller(w);
            w.WriteStartObject("input"u8);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        End(output);
    }

    void CloseBlock(IBufferWriter<byte> output)
    {
        if (open == Block.None) return;
        open = Block.None;
        var w = Begin("content_block_stop"u8, output);
        w.WriteString("type"u8, "content_block_stop"u8);
        w.WriteNumber("index"u8, blockIndex);
        End(output);
    }

    void WriteDelta(ReadOnlySpan<byte> type, ReadOnlySpan<byte> field, ReadOnlySpan<byte> rawValue, IBufferWriter<byte> output)
    {
        var w = Begin("content_block_delta"u8, output);
        w.WriteString("type"u8, "content_block_delta"u8);
        w.WriteNumber("index"u8, blockIndex);
        w.WriteStartObject("delta"u8);
        w.WriteString("type"u8, type);
        w.WritePropertyName(field);
        w.WriteRawValue(rawValue, skipInputValidation: true);
        w.WriteEndObject();
        End(output);
    }

    static void WriteUsage(Utf8JsonWriter w, TokenUsage usage)
    {
        // Anthropic counts cache reads and writes apart from input_tokens; OpenAI's prompt_tokens holds all three.
        w.WriteStartObject("usage"u8);
        w.WriteNumber("input_tokens"u8, Math.Max(0, usage.PromptTokens - usage.CachedPromptTokens - usage.CacheCreationTokens));
        w.WriteNumber("cache_creation_input_tokens"u8, usage.CacheCreationTokens);
        w.WriteNumber("cache_read_input_tokens"u8, usage.CachedPromptTokens);
        w.WriteNumber("output_tokens"u8, usage.CompletionTokens);
        w.WriteEndObject();
    }

    /// <summary>The chunk's top-level <c>id</c>, if it has one.</summary>
    static string? IdOf(ReadOnlySpan<byte> chunk)
    {
        var r = new Utf8JsonReader(chunk);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isId = r.ValueTextEquals("id"u8);
            r.Read();
            if (isId) return r.TokenType == JsonTokenType.String ? r.GetString() : null;
            r.Skip();
        }
        return null;
    }

    /// <summary>The string token as it stands in the chunk, quotes and escapes kept, so it is copied rather than re-encoded.</summary>
    static ReadOnlySpan<byte> RawString(ReadOnlySpan<byte> chunk, long start, long end) =>
        chunk[(int)start..(int)end];

    Utf8JsonWriter Begin(ReadOnlySpan<byte> eventName, IBufferWriter<byte> output)
    {
        WriteFrame(eventName, output);
        json!.Reset(output);
        json.WriteStartObject();
        return json;
    }

    void End(IBufferWriter<byte> output)
    {
        json!.WriteEndObject();
        json.Flush();
        output.Write("\n\n"u8);
    }

    void WriteFrame(ReadOnlySpan<byte> eventName, IBufferWriter<byte> output)
    {
        json ??= new Utf8JsonWriter(output);
        output.Write("event: "u8);
        output.Write(eventName);
        output.Write("\ndata: "u8);
    }
}
