using System.IO.Pipelines;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Responses;

/// <summary>
/// The Responses stream of an upstream that serves the API itself, passed on event by event as it came, but for the
/// response object of the lifecycle events (created, in_progress, completed, incomplete, failed), which carries the
/// gateway's id and public model. The final event is held back until the record is durable, like every stream's end;
/// with <c>store</c>, the completed response is kept as the conversation's next step.
/// </summary>
internal sealed class ResponsesNativeStream(PipeWriter writer, ResponsesDialect dialect, string publicModel) : ClientStream(writer)
{
    readonly PooledBuffer frame = new(1024);
    bool stopped;
    int events;

    public override bool Native => true;

    public override void Start(TokenUsage prompt) { }

    public override void OnChunk(ReadOnlySpan<byte> chunkJson) { }

    public override void OnUpstreamEvent(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> data)
    {
        if (stopped) return;
        events++;
        var type = eventName.IsEmpty ? EventType.Of(data) : eventName;
        var final = type.SequenceEqual("response.completed"u8) || type.SequenceEqual("response.incomplete"u8);
        var ends = final || type.SequenceEqual("response.failed"u8);
        frame.Clear();
        if (eventName.Length > 0)
        {
            frame.Write("event: "u8);
            frame.Write(eventName);
            frame.Write("\n"u8);
        }
        frame.Write("data: "u8);
        var dataStart = frame.Length;
        if (ends || type.SequenceEqual("response.created"u8) || type.SequenceEqual("response.in_progress"u8) || type.SequenceEqual("response.queued"u8))
            dialect.SpliceEvent(data, publicModel, frame);
        else frame.Write(data);
        if (final) KeepCompleted(frame.Span[dataStart..]);
        frame.Write("\n\n"u8);
        if (ends)
        {
            stopped = true;
            Hold(frame.Span);
        }
        else Write(frame.Span);
    }

    void KeepCompleted(ReadOnlySpan<byte> eventJson)
    {
        var reader = new Utf8JsonReader(eventJson);
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.TryGetProperty("response"u8, out var response))
            dialect.KeepNative(System.Text.Encoding.UTF8.GetBytes(response.GetRawText()));
    }

    // The upstream's final event always comes before the translator calls the stream complete.
    public override void Complete(TokenUsage usage) => stopped = true;

    /// <summary>A stream that broke off ends with an <c>error</c> event, as OpenAI ends one.</summary>
    public override void Fail(int status, string message)
    {
        if (stopped) return;
        stopped = true;
        frame.Clear();
        frame.Write("event: error\ndata: "u8);
        using (var w = new Utf8JsonWriter(frame))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "error"u8);
            w.WriteString("code"u8, status >= 500 ? "server_error" : "invalid_request_error");
            w.WriteString("message"u8, message);
            w.WriteNull("param"u8);
            w.WriteNumber("sequence_number"u8, events);
            w.WriteEndObject();
        }
        frame.Write("\n\n"u8);
        Hold(frame.Span);
    }

    public override void Dispose()
    {
        frame.Dispose();
        base.Dispose();
    }
}
