using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace MockProvider;

/// <summary>
/// Writes <c>chat.completion.chunk</c> server-sent events straight into the response pipe. Callers flush
/// after each event so every chunk leaves as its own write, like a real token stream.
/// </summary>
internal sealed class SseChunkWriter
{
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly JsonEncodedText _id;
    private readonly JsonEncodedText _model;
    private readonly long _created;
    private readonly bool _usageNull;

    /// <param name="usageNull">OpenAI puts <c>"usage":null</c> on every chunk once the client asked for stream usage.</param>
    public SseChunkWriter(PipeWriter pipe, JsonEncodedText id, long created, JsonEncodedText model, bool usageNull)
    {
        _pipe = pipe;
        _json = new Utf8JsonWriter(pipe, JsonOut.Options);
        _id = id;
        _created = created;
        _model = model;
        _usageNull = usageNull;
    }

    public void Role()
    {
        var w = BeginChoice();
        w.WriteStartObject("delta"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("content"u8, ""u8);
        w.WriteEndObject();
        EndChoice(w, null);
    }

    public void Content(JsonEncodedText text)
    {
        var w = BeginChoice();
        w.WriteStartObject("delta"u8);
        w.WriteString("content"u8, text);
        w.WriteEndObject();
        EndChoice(w, null);
    }

    public void Finish(string reason)
    {
        var w = BeginChoice();
        w.WriteStartObject("delta"u8);
        w.WriteEndObject();
        EndChoice(w, reason);
    }

    public void Usage(int promptTokens, int completionTokens)
    {
        var w = Begin();
        w.WriteStartArray("choices"u8);
        w.WriteEndArray();
        JsonOut.WriteUsage(w, promptTokens, completionTokens);
        End(w);
    }

    public void Done() => _pipe.Write("data: [DONE]\n\n"u8);

    private Utf8JsonWriter Begin()
    {
        _pipe.Write("data: "u8);
        var w = _json;
        w.Reset();
        w.WriteStartObject();
        w.WriteString("id"u8, _id);
        w.WriteString("object"u8, "chat.completion.chunk"u8);
        w.WriteNumber("created"u8, _created);
        w.WriteString("model"u8, _model);
        w.WriteString("system_fingerprint"u8, "fp_mock"u8);
        return w;
    }

    private Utf8JsonWriter BeginChoice()
    {
        var w = Begin();
        w.WriteStartArray("choices"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        return w;
    }

    private void EndChoice(Utf8JsonWriter w, string? finishReason)
    {
        w.WriteNull("logprobs"u8);
        if (finishReason is null) w.WriteNull("finish_reason"u8);
        else w.WriteString("finish_reason"u8, finishReason);
        w.WriteEndObject();
        w.WriteEndArray();
        if (_usageNull) w.WriteNull("usage"u8);
        End(w);
    }

    private void End(Utf8JsonWriter w)
    {
        w.WriteEndObject();
        w.Flush();
        _pipe.Write("\n\n"u8);
    }
}
