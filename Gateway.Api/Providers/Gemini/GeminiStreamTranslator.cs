using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers.Gemini;

/// <summary>
/// Turns streamGenerateContent?alt=sse events, each a whole GenerateContentResponse, into OpenAI chunks.
/// One instance serves one stream; it is not thread-safe.
/// </summary>
public sealed class GeminiStreamTranslator(string publicModel) : IStreamTranslator
{
    static readonly JsonEncodedText ChunkObject = JsonEncodedText.Encode("chat.completion.chunk");
    static readonly JsonEncodedText Assistant = JsonEncodedText.Encode("assistant");

    readonly JsonEncodedText model = JsonEncodedText.Encode(publicModel, GeminiResponse.Options.Encoder);
    readonly ArrayBufferWriter<byte> buffer = new(512);
    Utf8JsonWriter? writer;
    JsonEncodedText id;
    long created;
    long reasoningTokens;

    // Per choice index; Gemini streams one candidate unless candidateCount asks for more.
    Choice[] choices = new Choice[1];

    struct Choice
    {
        public bool Started, Finished;
        public int ToolCalls;
    }

    public bool Completed { get; private set; }
    public bool SawContent { get; private set; }
    public TokenUsage? Usage { get; private set; }
    public string? Error { get; private set; }

    public void OnEvent(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> data, IChunkSink sink)
    {
        if (Completed || Error is not null || data.IsEmpty || data.SequenceEqual("[DONE]"u8))
            return;
        var rented = ArrayPool<byte>.Shared.Rent(data.Length);
        try
        {
            data.CopyTo(rented);
            using var document = JsonDocument.Parse(rented.AsMemory(0, data.Length));
            Translate(document.RootElement, sink);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    void Translate(JsonElement root, IChunkSink sink)
    {
        if (root.TryGetProperty("error", out var error))
        {
            Error = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message)
                ? message.GetString() ?? "Gemini reported an error."
                : error.ToString();
            return;
        }
        if (created == 0)
        {
            id = JsonEncodedText.Encode(GeminiResponse.CompletionId(root), GeminiResponse.Options.Encoder);
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        }
        // Counts are cumulative, so the latest report replaces the earlier ones
        if (GeminiResponse.ReadUsage(root, out var reasoning) is { } usage)
        {
            Usage = usage;
            reasoningTokens = reasoning;
        }

        var finishedNow = false;
        if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array
            && candidates.GetArrayLength() > 0)
        {
            var position = 0;
            foreach (var candidate in candidates.EnumerateArray())
                finishedNow |= TranslateCandidate(candidate, GeminiResponse.CandidateIndex(candidate, position++), sink);
        }
        else if (GeminiResponse.IsPromptBlocked(root))
        {
            Start(0, sink);
            Finish(0, GeminiResponse.ContentFilter, sink);
            finishedNow = true;
        }

        if (finishedNow && AllFinished())
        {
            Begin();
            writer!.WriteStartArray("choices");
            writer.WriteEndArray();
            (Usage ?? default).WriteOpenAi(writer, reasoningTokens);
            Emit(sink);
            Completed = true;
        }
    }

    bool TranslateCandidate(JsonElement candidate, int index, IChunkSink sink)
    {
        if (index < 0 || index > 63)
            return false; // not a candidate index Gemini would send; ignore rather than grow without bound
        Start(index, sink);
        foreach (var part in GeminiResponse.Parts(candidate))
        {
            if (GeminiResponse.IsAnswerText(part, out var text))
            {
                var raw = JsonMarshal.GetRawUtf8Value(text);
                if (raw.Length <= 2)
                    continue; // an empty string, often beside a thought signature
                BeginDelta(index);
                writer!.WritePropertyName("content");
                writer.WriteRawValue(raw, skipInputValidation: true);
                EndDelta(default, sink);
            }
            else if (part.TryGetProperty("functionCall", out var call))
            {
                // Gemini sends each call whole, so one delta carries name and complete arguments
                BeginDelta(index);
                writer!.WriteStartArray("tool_calls");
                GeminiResponse.WriteToolCall(writer, call, choices[index].ToolCalls++);
                writer.WriteEndArray();
                EndDelta(default, sink);
            }
            else
                continue;
            SawContent = true;
        }
        if (!candidate.TryGetProperty("finishReason", out _) || choices[index].Finished)
            return false;
        Finish(index, GeminiResponse.MapFinishReason(candidate, choices[index].ToolCalls > 0), sink);
        return true;
    }

    void Start(int index, IChunkSink sink)
    {
        if (index >= choices.Length)
            Array.Resize(ref choices, index + 1);
        if (choices[index].Started)
            return;
        choices[index].Started = true;
        BeginDelta(index);
        writer!.WriteString("role", Assistant);
        writer.WriteString("content", ""u8);
        EndDelta(default, sink);
    }

    void Finish(int index, JsonEncodedText reason, IChunkSink sink)
    {
        choices[index].Finished = true;
        BeginDelta(index);
        EndDelta(reason, sink);
        SawContent = true;
    }

    bool AllFinished()
    {
        foreach (var choice in choices)
            if (choice.Started && !choice.Finished)
                return false;
        return true;
    }

    void Begin()
    {
        buffer.ResetWrittenCount();
        if (writer is null)
            writer = new Utf8JsonWriter(buffer, GeminiResponse.Options);
        else
            writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        writer.WriteString("object"u8, ChunkObject);
        writer.WriteNumber("created"u8, created);
        writer.WriteString("model"u8, model);
    }

    void BeginDelta(int index)
    {
        Begin();
        writer!.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, index);
        writer.WriteStartObject("delta"u8);
    }

    void EndDelta(JsonEncodedText finishReason, IChunkSink sink)
    {
        writer!.WriteEndObject();
        writer.WriteNull("logprobs"u8);
        if (finishReason.EncodedUtf8Bytes.IsEmpty)
            writer.WriteNull("finish_reason"u8);
        else
            writer.WriteString("finish_reason"u8, finishReason);
        writer.WriteEndObject();
        writer.WriteEndArray();
        Emit(sink);
    }

    void Emit(IChunkSink sink)
    {
        writer!.WriteEndObject();
        writer.Flush();
        sink.OnChunk(buffer.WrittenSpan);
    }
}
