using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace MockProvider;

/// <summary>
/// Writes an <see cref="Answer"/> as Anthropic's Messages event stream: message_start, content_block_start, ping,
/// content_block_delta..., content_block_stop, message_delta, message_stop, each as <c>event:</c> plus <c>data:</c>.
/// </summary>
internal sealed class AnthropicSse : IAnswerStream
{
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly Answer _answer;
    private readonly string _model;

    public AnthropicSse(PipeWriter pipe, Answer answer, string model)
    {
        _pipe = pipe;
        _json = new Utf8JsonWriter(pipe, JsonOut.Options);
        _answer = answer;
        _model = model;
    }

    public int Pieces => _answer.Pieces;

    public void Open()
    {
        var w = Begin("message_start"u8);
        w.WriteStartObject("message"u8);
        AnthropicMessages.WriteHead(w, _model);
        w.WriteStartArray("content"u8);
        w.WriteEndArray();
        w.WriteNull("stop_reason"u8);
        w.WriteNull("stop_sequence"u8);
        // Anthropic splits usage: input and cache counts here, the running output count in message_delta.
        if (!_answer.OmitUsage) AnthropicMessages.WriteUsage(w, _answer, outputTokens: Math.Min(1, _answer.OutputTokens));
        w.WriteEndObject();
        End(w);

        if (_answer.Thinking) WriteThinkingBlock();

        if (!_answer.Blocked)
        {
            w = Begin("content_block_start"u8);
            w.WriteNumber("index"u8, Index);
            w.WriteStartObject("content_block"u8);
            if (_answer.Tool is { } tool)
            {
                w.WriteString("type"u8, "tool_use"u8);
                w.WriteString("id"u8, JsonOut.NewId("toolu_01"));
                w.WriteString("name"u8, tool.Name);
                w.WriteStartObject("input"u8);
                w.WriteEndObject();
            }
            else
            {
                w.WriteString("type"u8, "text"u8);
                w.WriteString("text"u8, ""u8);
            }
            w.WriteEndObject();
            End(w);
        }

        End(Begin("ping"u8));
    }

    public void Piece(int index)
    {
        var w = Begin("content_block_delta"u8);
        w.WriteNumber("index"u8, Index);
        w.WriteStartObject("delta"u8);
        if (_answer.Tool is { } tool)
        {
            w.WriteString("type"u8, "input_json_delta"u8);
            w.WriteString("partial_json"u8, tool.Pieces[index]);
        }
        else
        {
            w.WriteString("type"u8, "text_delta"u8);
            w.WriteString("text"u8, _answer.Text.Segments[index]);
        }
        w.WriteEndObject();
        End(w);
    }

    public void Close()
    {
        Utf8JsonWriter w;
        if (!_answer.Blocked)
        {
            w = Begin("content_block_stop"u8);
            w.WriteNumber("index"u8, Index);
            End(w);
        }

        w = Begin("message_delta"u8);
        w.WriteStartObject("delta"u8);
        w.WriteString("stop_reason"u8, AnthropicMessages.StopReason(_answer));
        w.WriteNull("stop_sequence"u8);
        w.WriteEndObject();
        if (!_answer.OmitUsage)
        {
            w.WriteStartObject("usage"u8);
            w.WriteNumber("output_tokens"u8, _answer.OutputTokens);
            w.WriteEndObject();
        }
        End(w);

        End(Begin("message_stop"u8));
    }

    /// <summary>The answer's block comes after the thinking block when there is one.</summary>
    private int Index => _answer.Thinking ? 1 : 0;

    /// <summary>Anthropic streams a thinking block as thinking_delta events, then its signature in a signature_delta.</summary>
    private void WriteThinkingBlock()
    {
        var w = Begin("content_block_start"u8);
        w.WriteNumber("index"u8, 0);
        w.WriteStartObject("content_block"u8);
        w.WriteString("type"u8, "thinking"u8);
        w.WriteString("thinking"u8, ""u8);
        w.WriteString("signature"u8, ""u8);
        w.WriteEndObject();
        End(w);
        foreach (var (type, field, value) in new[] { ("thinking_delta", "thinking", Answer.ThinkingText), ("signature_delta", "signature", Answer.ThinkingSignature(_model)) })
        {
            w = Begin("content_block_delta"u8);
            w.WriteNumber("index"u8, 0);
            w.WriteStartObject("delta"u8);
            w.WriteString("type"u8, type);
            w.WriteString(field, value);
            w.WriteEndObject();
            End(w);
        }
        w = Begin("content_block_stop"u8);
        w.WriteNumber("index"u8, 0);
        End(w);
    }

    private Utf8JsonWriter Begin(ReadOnlySpan<byte> type)
    {
        _pipe.Write("event: "u8);
        _pipe.Write(type);
        _pipe.Write("\ndata: "u8);
        var w = _json;
        w.Reset();
        w.WriteStartObject();
        w.WriteString("type"u8, type);
        return w;
    }

    private void End(Utf8JsonWriter w)
    {
        w.WriteEndObject();
        w.Flush();
        _pipe.Write("\n\n"u8);
    }
}
