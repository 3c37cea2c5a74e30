using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace MockProvider;

/// <summary>
/// Writes a <see cref="ResponsesReply"/> as the Responses event stream: response.created, response.in_progress, the
/// reasoning item, output_item.added, content_part.added, output_text.delta… (or function_call_arguments.delta…), the
/// matching .done events, then response.completed (response.incomplete when cut by max_output_tokens). Every event
/// carries its <c>sequence_number</c>, as <c>event:</c> plus <c>data:</c>.
/// </summary>
internal sealed class ResponsesSse(PipeWriter pipe, ResponsesReply reply) : IAnswerStream
{
    private readonly Utf8JsonWriter _json = new(pipe, JsonOut.Options);
    private int _sequence;

    public int Pieces => reply.Answer.Pieces;

    public void Open()
    {
        var w = Begin("response.created"u8);
        w.WritePropertyName("response"u8);
        reply.WriteResponse(w, done: false);
        End(w);
        w = Begin("response.in_progress"u8);
        w.WritePropertyName("response"u8);
        reply.WriteResponse(w, done: false);
        End(w);

        if (reply.Request.Reasons)
        {
            foreach (var type in new[] { "response.output_item.added", "response.output_item.done" })
            {
                w = Begin(System.Text.Encoding.UTF8.GetBytes(type));
                w.WriteNumber("output_index"u8, 0);
                w.WritePropertyName("item"u8);
                reply.WriteReasoningItem(w);
                End(w);
            }
        }

        w = Begin("response.output_item.added"u8);
        w.WriteNumber("output_index"u8, reply.ItemIndex);
        w.WritePropertyName("item"u8);
        reply.WriteItem(w, done: false);
        End(w);
        if (reply.Answer.Tool is null)
        {
            w = BeginInItem("response.content_part.added"u8);
            w.WritePropertyName("part"u8);
            reply.WritePart(w, empty: true);
            End(w);
        }
    }

    public void Piece(int index)
    {
        Utf8JsonWriter w;
        if (reply.Answer.Tool is { } tool)
        {
            w = BeginInItem("response.function_call_arguments.delta"u8, part: false);
            w.WriteString("delta"u8, tool.Pieces[index]);
        }
        else
        {
            w = BeginInItem("response.output_text.delta"u8);
            w.WriteString("delta"u8, reply.Answer.Text.Segments[index]);
            w.WriteStartArray("logprobs"u8);
            w.WriteEndArray();
        }
        End(w);
    }

    public void Close()
    {
        var answer = reply.Answer;
        Utf8JsonWriter w;
        if (answer.Tool is { } tool)
        {
            w = BeginInItem("response.function_call_arguments.done"u8, part: false);
            w.WriteString("arguments"u8, tool.Arguments);
            End(w);
        }
        else if (answer.Blocked)
        {
            w = BeginInItem("response.refusal.delta"u8);
            w.WriteString("delta"u8, ResponsesApi.Refusal);
            End(w);
            w = BeginInItem("response.refusal.done"u8);
            w.WriteString("refusal"u8, ResponsesApi.Refusal);
            End(w);
        }
        else
        {
            w = BeginInItem("response.output_text.done"u8);
            if (answer.Truncated) w.WriteString("text"u8, answer.Text.Truncated(answer.Words));
            else w.WriteString("text"u8, answer.Text.EncodedText);
            w.WriteStartArray("logprobs"u8);
            w.WriteEndArray();
            End(w);
        }
        if (answer.Tool is null)
        {
            w = BeginInItem("response.content_part.done"u8);
            w.WritePropertyName("part"u8);
            reply.WritePart(w);
            End(w);
        }
        w = Begin("response.output_item.done"u8);
        w.WriteNumber("output_index"u8, reply.ItemIndex);
        w.WritePropertyName("item"u8);
        reply.WriteItem(w, done: true);
        End(w);

        w = Begin(answer.Truncated ? "response.incomplete"u8 : "response.completed"u8);
        w.WritePropertyName("response"u8);
        reply.WriteResponse(w, done: true);
        End(w);
    }

    private Utf8JsonWriter BeginInItem(ReadOnlySpan<byte> type, bool part = true)
    {
        var w = Begin(type);
        w.WriteString("item_id"u8, reply.ItemId);
        w.WriteNumber("output_index"u8, reply.ItemIndex);
        if (part) w.WriteNumber("content_index"u8, 0);
        return w;
    }

    private Utf8JsonWriter Begin(ReadOnlySpan<byte> type)
    {
        pipe.Write("event: "u8);
        pipe.Write(type);
        pipe.Write("\ndata: "u8);
        var w = _json;
        w.Reset();
        w.WriteStartObject();
        w.WriteString("type"u8, type);
        w.WriteNumber("sequence_number"u8, _sequence++);
        return w;
    }

    private void End(Utf8JsonWriter w)
    {
        w.WriteEndObject();
        w.Flush();
        pipe.Write("\n\n"u8);
    }
}
