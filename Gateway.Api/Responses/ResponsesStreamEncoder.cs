using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Responses;

/// <summary>
/// Re-frames an OpenAI chunk stream as the Responses API's SSE events: <c>response.created</c>,
/// <c>response.in_progress</c>, then per output item <c>response.output_item.added</c>, its deltas
/// (<c>response.output_text.delta</c>, <c>response.function_call_arguments.delta</c>) and its <c>.done</c> events, and
/// <c>response.completed</c> (or <c>response.incomplete</c>, <c>response.failed</c>) with the whole response. Every event
/// carries its <c>sequence_number</c>. One encoder per response; not thread-safe.
/// </summary>
public sealed class ResponsesStreamEncoder(ResponseObject response, string model)
{
    sealed class OpenCall(FunctionCallItem item, int outputIndex)
    {
        public FunctionCallItem Item { get; set; } = item;
        public int OutputIndex { get; } = outputIndex;
        public StringBuilder Arguments { get; } = new();
    }

    readonly ResponseOutput output = new();
    readonly StringBuilder text = new();
    readonly Dictionary<int, OpenCall> calls = [];
    readonly ArrayBufferWriter<byte> completed = new(1024);
    OpenCall? openCall;
    int sequence;
    int outputItems;
    int messageIndex = -1;
    bool messageOpen;
    string? finishReason;
    long? reasoningTokens;
    bool ended;

    /// <summary>What was answered, once the stream completed: kept with <c>store</c>.</summary>
    public ResponseOutput Output => output;

    /// <summary>The response object that <c>response.completed</c> carried.</summary>
    public ReadOnlyMemory<byte> Completed => completed.WrittenMemory;

    public void Start(IBufferWriter<byte> sink)
    {
        Event(sink, "response.created", w => WhileRunning(w, "response"u8));
        Event(sink, "response.in_progress", w => WhileRunning(w, "response"u8));
    }

    void WhileRunning(Utf8JsonWriter w, ReadOnlySpan<byte> property)
    {
        w.WritePropertyName(property);
        response.Write(w, model, "in_progress", null, null);
    }

    public void OnChunk(ReadOnlySpan<byte> chunkJson, IBufferWriter<byte> sink)
    {
        if (ended) return;
        var reader = new Utf8JsonReader(chunkJson);
        using var chunk = JsonDocument.ParseValue(ref reader);
        var root = chunk.RootElement;
        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
            && usage.TryGetProperty("completion_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
            && details.TryGetProperty("reasoning_tokens", out var reasoning) && reasoning.ValueKind == JsonValueKind.Number)
            reasoningTokens = reasoning.GetInt64();
        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) return;
        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String) finishReason = finish.GetString();
            if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object) continue;
            foreach (var name in (ReadOnlySpan<string>)["content", "refusal"])
                if (delta.TryGetProperty(name, out var piece) && piece.ValueKind == JsonValueKind.String && piece.GetString() is { Length: > 0 } s)
                    OnText(s, sink);
            if (delta.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
                foreach (var call in toolCalls.EnumerateArray()) OnToolCall(call, sink);
        }
    }

    void OnText(string piece, IBufferWriter<byte> sink)
    {
        CloseCall(sink);
        if (!messageOpen)
        {
            messageOpen = true;
            messageIndex = outputItems++;
            Event(sink, "response.output_item.added", w =>
            {
                w.WriteNumber("output_index"u8, messageIndex);
                w.WritePropertyName("item"u8);
                response.WriteMessage(w, null, "in_progress");
            });
            Event(sink, "response.content_part.added", w =>
            {
                PartPosition(w);
                w.WritePropertyName("part"u8);
                ResponseObject.WriteTextPart(w, "");
            });
        }
        text.Append(piece);
        Event(sink, "response.output_text.delta", w =>
        {
            PartPosition(w);
            w.WriteString("delta"u8, piece);
            w.WriteStartArray("logprobs"u8);
            w.WriteEndArray();
        });
    }

    void PartPosition(Utf8JsonWriter w)
    {
        w.WriteString("item_id"u8, response.MessageId);
        w.WriteNumber("output_index"u8, messageIndex);
        w.WriteNumber("content_index"u8, 0);
    }

    void CloseMessage(IBufferWriter<byte> sink)
    {
        if (!messageOpen) return;
        messageOpen = false;
        var all = text.ToString();
        output.Text = all;
        Event(sink, "response.output_text.done", w =>
        {
            PartPosition(w);
            w.WriteString("text"u8, all);
            w.WriteStartArray("logprobs"u8);
            w.WriteEndArray();
        });
        Event(sink, "response.content_part.done", w =>
        {
            PartPosition(w);
            w.WritePropertyName("part"u8);
            ResponseObject.WriteTextPart(w, all);
        });
        Event(sink, "response.output_item.done", w =>
        {
            w.WriteNumber("output_index"u8, messageIndex);
            w.WritePropertyName("item"u8);
            response.WriteMessage(w, all, "completed");
        });
    }

    void OnToolCall(JsonElement call, IBufferWriter<byte> sink)
    {
        var index = call.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : 0;
        var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        if (!calls.TryGetValue(index, out var open))
        {
            CloseMessage(sink);
            CloseCall(sink);
            var callId = call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "call_" + Guid.NewGuid().ToString("N");
            var name = function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
            open = new OpenCall(new FunctionCallItem(response.FunctionCallId(calls.Count), callId, name, ""), outputItems++);
            calls[index] = open;
            openCall = open;
            Event(sink, "response.output_item.added", w =>
            {
                w.WriteNumber("output_index"u8, open.OutputIndex);
                w.WritePropertyName("item"u8);
                ResponseObject.WriteCall(w, open.Item, "in_progress");
            });
        }
        if (function.ValueKind == JsonValueKind.Object && function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String
            && a.GetString() is { Length: > 0 } piece)
        {
            open.Arguments.Append(piece);
            Event(sink, "response.function_call_arguments.delta", w =>
            {
                w.WriteString("item_id"u8, open.Item.ItemId);
                w.WriteNumber("output_index"u8, open.OutputIndex);
                w.WriteString("delta"u8, piece);
            });
        }
    }

    void CloseCall(IBufferWriter<byte> sink)
    {
        if (openCall is not { } open) return;
        openCall = null;
        open.Item = open.Item with { Arguments = open.Arguments.ToString() };
        output.Calls.Add(open.Item);
        Event(sink, "response.function_call_arguments.done", w =>
        {
            w.WriteString("item_id"u8, open.Item.ItemId);
            w.WriteNumber("output_index"u8, open.OutputIndex);
            w.WriteString("name"u8, open.Item.Name);
            w.WriteString("arguments"u8, open.Item.Arguments);
        });
        Event(sink, "response.output_item.done", w =>
        {
            w.WriteNumber("output_index"u8, open.OutputIndex);
            w.WritePropertyName("item"u8);
            ResponseObject.WriteCall(w, open.Item, "completed");
        });
    }

    public void Complete(TokenUsage usage, IBufferWriter<byte> sink)
    {
        if (ended) return;
        ended = true;
        CloseMessage(sink);
        CloseCall(sink);
        output.IncompleteReason = ResponseOutput.IncompleteFor(finishReason);
        var status = output.IncompleteReason is null ? "completed" : "incomplete";
        using (var whole = new Utf8JsonWriter(completed))
            response.Write(whole, model, status, output, usage, reasoningTokens);
        Event(sink, "response." + status, w =>
        {
            w.WritePropertyName("response"u8);
            w.WriteRawValue(completed.WrittenSpan, skipInputValidation: true);
        });
    }

    /// <summary>Ends a stream that broke off with <c>response.failed</c>, which the SDKs raise as an error.</summary>
    public void Fail(int status, string message, IBufferWriter<byte> sink)
    {
        if (ended) return;
        ended = true;
        Event(sink, "response.failed", w =>
        {
            w.WritePropertyName("response"u8);
            response.Write(w, model, "failed", null, null, null, status >= 500 ? "server_error" : "invalid_request", message);
        });
    }

    void Event(IBufferWriter<byte> sink, string type, Action<Utf8JsonWriter> body)
    {
        sink.Write("event: "u8);
        Encoding.UTF8.GetBytes(type, sink);
        sink.Write("\ndata: "u8);
        using (var w = new Utf8JsonWriter(sink))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, type);
            w.WriteNumber("sequence_number"u8, sequence++);
            body(w);
            w.WriteEndObject();
        }
        sink.Write("\n\n"u8);
    }
}
