using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers.OpenAiResponses;

/// <summary>
/// The Responses event stream of an upstream that speaks it → OpenAI chunks, for the record, the usage and the response
/// cache while the client gets the events themselves. Text and argument deltas, the bulk of a stream, are read with a
/// forward-only reader and their strings copied still escaped; the few framing events are parsed whole.
/// </summary>
public sealed class ResponsesEventTranslator(string publicModel) : IStreamTranslator
{
    readonly ChunkWriter chunks = new(publicModel);
    // The item id of each function call, in the order OpenAI's chunks number them.
    readonly List<string> calls = [];
    TokenUsage? usage;
    long? reasoningTokens;

    public bool Completed { get; private set; }
    public bool SawContent => chunks.SawContent;
    public TokenUsage? Usage => usage;
    public string? Error { get; private set; }

    public void OnEvent(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> data, IChunkSink sink)
    {
        var type = eventName.IsEmpty ? EventType.Of(data) : eventName;
        if (type.SequenceEqual("response.output_text.delta"u8)) OnDelta(data, sink, "content"u8);
        else if (type.SequenceEqual("response.function_call_arguments.delta"u8)) OnDelta(data, sink, "arguments"u8);
        else if (type.SequenceEqual("response.refusal.delta"u8)) OnDelta(data, sink, "refusal"u8);
        else if (type.SequenceEqual("response.output_item.added"u8)) OnItemAdded(data, sink);
        else if (type.SequenceEqual("response.created"u8)) OnCreated(data, sink);
        else if (type.SequenceEqual("response.completed"u8) || type.SequenceEqual("response.incomplete"u8)) OnFinished(data, sink);
        else if (type.SequenceEqual("response.failed"u8)) OnFailed(data);
        else if (type.SequenceEqual("error"u8)) OnError(data);
        // in_progress, the .done events, content parts, reasoning and the built-in tools' progress carry nothing a chunk needs.
    }

    void OnCreated(ReadOnlySpan<byte> data, IChunkSink sink)
    {
        using (var document = Parse(data))
        {
            if (document.RootElement.TryGetProperty("response"u8, out var response) && response.StringOf("id"u8) is { } responseId)
                chunks.Id = ChunkWriter.Encode(responseId);
        }
        var w = chunks.BeginChunk();
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("content"u8, ""u8);
        chunks.EndChunk(sink, null, isContent: false);
    }

    void OnItemAdded(ReadOnlySpan<byte> data, IChunkSink sink)
    {
        using var document = Parse(data);
        if (!document.RootElement.TryGetProperty("item"u8, out var item) || item.StringOf("type"u8) != "function_call") return;
        calls.Add(item.StringOf("id"u8) ?? "");
        var w = chunks.BeginChunk();
        w.WriteStartArray("tool_calls"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, calls.Count - 1);
        w.WriteString("id"u8, item.StringOf("call_id"u8) ?? "");
        w.WriteString("type"u8, "function"u8);
        w.WriteStartObject("function"u8);
        w.WriteString("name"u8, item.StringOf("name"u8) ?? "");
        w.WriteString("arguments"u8, item.StringOf("arguments"u8) ?? "");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        chunks.EndChunk(sink, null);
    }

    /// <param name="field">Where the delta goes in the chunk: <c>content</c>, <c>refusal</c> or a tool call's <c>arguments</c>.</param>
    void OnDelta(ReadOnlySpan<byte> data, IChunkSink sink, ReadOnlySpan<byte> field)
    {
        ReadOnlySpan<byte> delta = default; // still quoted and escaped, as the upstream sent it
        string? itemId = null;
        var arguments = field.SequenceEqual("arguments"u8);
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("A delta event is not an object.");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isDelta = reader.ValueTextEquals("delta"u8), isItem = arguments && reader.ValueTextEquals("item_id"u8);
            reader.Read();
            if (reader.TokenType != JsonTokenType.String) reader.Skip();
            else if (isDelta) delta = data.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2);
            else if (isItem) itemId = reader.GetString();
        }
        if (delta.Length <= 2) return;
        var w = chunks.BeginChunk();
        if (arguments)
        {
            var index = itemId is null ? calls.Count - 1 : calls.IndexOf(itemId);
            if (index < 0) index = calls.Count - 1;
            w.WriteStartArray("tool_calls"u8);
            w.WriteStartObject();
            w.WriteNumber("index"u8, Math.Max(index, 0));
            w.WriteStartObject("function"u8);
            w.WritePropertyName("arguments"u8);
            w.WriteRawValue(delta, skipInputValidation: true);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        }
        else
        {
            w.WritePropertyName(field);
            w.WriteRawValue(delta, skipInputValidation: true);
        }
        chunks.EndChunk(sink, null);
    }

    void OnFinished(ReadOnlySpan<byte> data, IChunkSink sink)
    {
        string finish;
        using (var document = Parse(data))
        {
            var response = document.RootElement.TryGetProperty("response"u8, out var r) ? r : default;
            if (response.ValueKind == JsonValueKind.Object) usage = ResponsesAnswer.ReadUsage(response, out reasoningTokens);
            finish = response.ValueKind == JsonValueKind.Object ? ResponsesAnswer.FinishReason(response, calls.Count > 0) : "stop";
        }
        chunks.BeginChunk();
        chunks.EndChunk(sink, finish);
        chunks.WriteUsage(sink, usage ?? default, reasoningTokens);
        Completed = true;
    }

    void OnFailed(ReadOnlySpan<byte> data)
    {
        using var document = Parse(data);
        Error = document.RootElement.TryGetProperty("response"u8, out var response) ? ResponsesAnswer.FailureMessage(response) : "the response failed";
    }

    void OnError(ReadOnlySpan<byte> data)
    {
        using var document = Parse(data);
        var root = document.RootElement;
        var error = root.TryGetProperty("error"u8, out var e) && e.ValueKind == JsonValueKind.Object ? e : root;
        Error = error.StringOf("message"u8) ?? "The upstream reported an error in the stream.";
    }

    static JsonDocument Parse(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        return JsonDocument.ParseValue(ref reader);
    }
}
