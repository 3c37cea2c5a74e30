using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace MockProvider;

/// <summary>
/// Writes an <see cref="Answer"/> as GenerateContentResponse objects: one whole for generateContent, or one per piece for
/// streamGenerateContent, framed as SSE (<c>alt=sse</c>) or, as Google does without it, as one JSON array written incrementally.
/// </summary>
internal sealed class GeminiResponse : IAnswerStream
{
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly Answer _answer;
    private readonly string _model;
    private readonly string _responseId = JsonOut.NewId("");
    private readonly bool _sse;
    private bool _started;

    public GeminiResponse(PipeWriter pipe, Answer answer, string model, bool sse)
    {
        _pipe = pipe;
        _json = new Utf8JsonWriter(pipe, JsonOut.Options);
        _answer = answer;
        _model = model;
        _sse = sse;
    }

    public int Pieces => _answer.Tool is null ? _answer.Pieces : 1;

    // Gemini has no preamble: the first chunk already carries text.
    public void Open()
    {
    }

    public void Piece(int index)
    {
        var w = Begin();
        if (_answer.Tool is not null)
        {
            // Google sends a function call whole, in one chunk that also ends the turn.
            Write(w, _answer, _model, _responseId, text: null, "STOP", _answer.OutputTokens);
        }
        else
        {
            // Usage on every chunk counts the output so far, so a cut stream still reports what was sent.
            Write(w, _answer, _model, _responseId, _answer.Text.Segments[index], finishReason: null, Math.Min(index + 1, _answer.Words));
        }
        End(w);
    }

    public void Close()
    {
        if (_answer.Tool is null)
        {
            var w = Begin();
            Write(w, _answer, _model, _responseId, _answer.Blocked ? null : JsonEncodedText.Encode(""), FinishReason(_answer), _answer.OutputTokens);
            End(w);
        }
        if (!_sse) _pipe.Write(_started ? "]"u8 : "[]"u8);
    }

    public static Task SendAsync(HttpContext ctx, Answer answer, string model) =>
        JsonOut.SendAsync(ctx, StatusCodes.Status200OK, (answer, model), static (w, s) =>
        {
            var a = s.answer;
            JsonEncodedText? text = a.Blocked || a.Tool is not null ? null
                : a.Truncated ? JsonEncodedText.Encode(a.Text.Truncated(a.Words), JsonOut.Options.Encoder)
                : a.Text.EncodedText;
            Write(w, a, s.model, JsonOut.NewId(""), text, FinishReason(a), a.OutputTokens);
        });

    private static string FinishReason(in Answer a) => a.Blocked ? "SAFETY" : a.Truncated ? "MAX_TOKENS" : "STOP";

    /// <param name="text">The text part; null writes the tool call when there is one, else no content at all (a blocked reply).</param>
    private static void Write(Utf8JsonWriter w, in Answer a, string model, string responseId, JsonEncodedText? text, string? finishReason, int outputTokens)
    {
        w.WriteStartObject();
        w.WriteStartArray("candidates"u8);
        w.WriteStartObject();
        if (text is not null || a.Tool is not null)
        {
            w.WriteStartObject("content"u8);
            w.WriteStartArray("parts"u8);
            w.WriteStartObject();
            if (text is { } t)
            {
                w.WriteString("text"u8, t);
            }
            else
            {
                w.WriteStartObject("functionCall"u8);
                w.WriteString("name"u8, a.Tool!.Name);
                w.WritePropertyName("args"u8);
                w.WriteRawValue(a.Tool.CompactArguments);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("role"u8, "model"u8);
            w.WriteEndObject();
        }
        if (finishReason is not null) w.WriteString("finishReason"u8, finishReason);
        if (a.Blocked) WriteBlockedRatings(w);
        w.WriteNumber("index"u8, 0);
        w.WriteEndObject();
        w.WriteEndArray();

        if (!a.OmitUsage)
        {
            // Google counts cached tokens inside promptTokenCount and leaves zero counts out, as proto3 JSON does.
            w.WriteStartObject("usageMetadata"u8);
            w.WriteNumber("promptTokenCount"u8, a.PromptTokens);
            if (outputTokens > 0) w.WriteNumber("candidatesTokenCount"u8, outputTokens);
            w.WriteNumber("totalTokenCount"u8, a.PromptTokens + outputTokens);
            if (a.CachedTokens > 0) w.WriteNumber("cachedContentTokenCount"u8, a.CachedTokens);
            w.WriteEndObject();
        }
        w.WriteString("modelVersion"u8, model);
        w.WriteString("responseId"u8, responseId);
        w.WriteEndObject();
    }

    private static void WriteBlockedRatings(Utf8JsonWriter w)
    {
        w.WriteStartArray("safetyRatings"u8);
        Rating(w, "HARM_CATEGORY_SEXUALLY_EXPLICIT"u8, "NEGLIGIBLE"u8, blocked: false);
        Rating(w, "HARM_CATEGORY_HATE_SPEECH"u8, "NEGLIGIBLE"u8, blocked: false);
        Rating(w, "HARM_CATEGORY_HARASSMENT"u8, "NEGLIGIBLE"u8, blocked: false);
        Rating(w, "HARM_CATEGORY_DANGEROUS_CONTENT"u8, "HIGH"u8, blocked: true);
        w.WriteEndArray();

        static void Rating(Utf8JsonWriter w, ReadOnlySpan<byte> category, ReadOnlySpan<byte> probability, bool blocked)
        {
            w.WriteStartObject();
            w.WriteString("category"u8, category);
            w.WriteString("probability"u8, probability);
            if (blocked) w.WriteBoolean("blocked"u8, true);
            w.WriteEndObject();
        }
    }

    private Utf8JsonWriter Begin()
    {
        if (_sse) _pipe.Write("data: "u8);
        else _pipe.Write(_started ? ",\r\n"u8 : "["u8);
        _started = true;
        _json.Reset();
        return _json;
    }

    private void End(Utf8JsonWriter w)
    {
        w.Flush();
        if (_sse) _pipe.Write("\r\n\r\n"u8);
    }
}
