using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace MockProvider;

/// <summary>
/// Writes an <see cref="Answer"/> as <c>chat.completion.chunk</c> server-sent events straight into the response pipe;
/// <see cref="AnswerStream"/> flushes after each event so every chunk leaves as its own write, like a real token stream.
/// </summary>
internal sealed class SseChunkWriter : IAnswerStream
{
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly Answer _answer;
    private readonly JsonEncodedText _id;
    private readonly JsonEncodedText _model;
    private readonly long _created;
    private readonly bool _usage;

    /// <param name="usage">The client asked for stream usage: OpenAI then puts <c>"usage":null</c> on every chunk and a usage chunk last.</param>
    public SseChunkWriter(PipeWriter pipe, Answer answer, string model, bool usage)
    {
        _pipe = pipe;
        _json = new Utf8JsonWriter(pipe, JsonOut.Options);
        _answer = answer;
        _id = JsonEncodedText.Encode(JsonOut.NewId("chatcmpl-"));
        _created = JsonOut.UnixNow();
        _model = JsonEncodedText.Encode(model, JsonOut.Options.Encoder);
        _usage = usage;
    }

    public int Pieces => _answer.Pieces;

    public void Open()
    {
        var w = BeginChoice();
        w.WriteStartObject("delta"u8);
        w.WriteString("role"u8, "assistant"u8);
        if (_answer.Tool is { } tool)
        {
            // The call's id and name come once, up front; only argument fragments follow.
            w.WriteNull("content"u8);
            w.WriteStartArray("tool_calls"u8);
            w.WriteStartObject();
            w.WriteNumber("index"u8, 0);
            w.WriteString("id"u8, JsonOut.NewId("call_"));
            w.WriteString("type"u8, "function"u8);
            w.WriteStartObject("function"u8);
            w.WriteString("name"u8, tool.Name);
            w.WriteString("arguments"u8, ""u8);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        }
        else
        {
            w.WriteString("content"u8, ""u8);
        }
        w.WriteEndObject();
        EndChoice(w, null);
    }

    public void Piece(int index)
    {
        var w = BeginChoice();
        w.WriteStartObject("delta"u8);
        if (_answer.Tool is { } tool)
        {
            w.WriteStartArray("tool_calls"u8);
            w.WriteStartObject();
            w.WriteNumber("index"u8, 0);
            w.WriteStartObject("function"u8);
            w.WriteString("arguments"u8, tool.Pieces[index]);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        }
        else
        {
            w.WriteString("content"u8, _answer.Text.Segments[index]);
        }
        w.WriteEndObject();
        EndChoice(w, null);
    }

    public void Close()
    {
        var w = BeginChoice();
        w.WriteStartObject("delta"u8);
        w.WriteEndObject();
        EndChoice(w, ChatCompletions.FinishReason(_answer));

        if (_usage)
        {
            w = Begin();
            w.WriteStartArray("choices"u8);
            w.WriteEndArray();
            JsonOut.WriteUsage(w, _answer.PromptTokens, _answer.OutputTokens, _answer.CachedTokens);
            End(w);
        }
        _pipe.Write("data: [DONE]\n\n"u8);
    }

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
        if (_usage) w.WriteNull("usage"u8);
        End(w);
    }

    private void End(Utf8JsonWriter w)
    {
        w.WriteEndObject();
        w.Flush();
        _pipe.Write("\n\n"u8);
    }
}
