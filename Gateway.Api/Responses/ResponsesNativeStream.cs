using System.IO.Pipelines;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Responses;

/// <summary>
/// The Responses stream of an upstream that serves the API itself, passed on event by event as it came, but for the
/// response object of the lifecycle events (created, in_progress, completed, incomplete, failed), which carries the
/// gateway's id and public model. With <c>store</c>, the completed response is kept as the conversation's next step.
/// </summary>
internal sealed class ResponsesNativeStream(PipeWriter writer, ResponsesDialect dialect, string publicModel) : NativeEventStream(writer)
{
    int events;

    protected override bool WriteData(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data, PooledBuffer frame)
    {
        events++;
        var final = type.SequenceEqual("response.completed"u8) || type.SequenceEqual("response.incomplete"u8);
        var ends = final || type.SequenceEqual("response.failed"u8);
        if (!ends && !type.SequenceEqual("response.created"u8) && !type.SequenceEqual("response.in_progress"u8) && !type.SequenceEqual("response.queued"u8))
        {
            frame.Write(data);
            return false;
        }
        var start = frame.Length;
        dialect.SpliceEvent(data, publicModel, frame);
        if (final && dialect.Keeps) KeepCompleted(frame.Span[start..]);
        return ends;
    }

    void KeepCompleted(ReadOnlySpan<byte> eventJson)
    {
        var reader = new Utf8JsonReader(eventJson);
        using var document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.TryGetProperty("response"u8, out var response)) dialect.KeepNative(response);
    }

    /// <summary>As OpenAI ends a stream that broke off.</summary>
    protected override void WriteError(int status, string message, PooledBuffer frame)
    {
        using var w = new Utf8JsonWriter(frame);
        w.WriteStartObject();
        w.WriteString("type"u8, "error"u8);
        w.WriteString("code"u8, status >= 500 ? "server_error" : "invalid_request_error");
        w.WriteString("message"u8, message);
        w.WriteNull("param"u8);
        w.WriteNumber("sequence_number"u8, events);
        w.WriteEndObject();
    }
}
