using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers;

/// <summary>
/// Writes the OpenAI chunks of a translated stream with one choice, each into one reused buffer and handed to the sink
/// at once: the chunk's frame (id, object, created, model), its delta written by the caller, then its finish reason;
/// and the usage chunk (<c>"choices":[]</c>) that ends a stream.
/// </summary>
public sealed class ChunkWriter(string publicModel)
{
    static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly JsonEncodedText model = JsonEncodedText.Encode(publicModel, Options.Encoder);
    readonly long created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    readonly ArrayBufferWriter<byte> buffer = new(1024);
    Utf8JsonWriter? writer;

    /// <summary>The upstream's id for the answer, once it has said it.</summary>
    public JsonEncodedText Id { get; set; } = JsonEncodedText.Encode("");

    /// <summary>A chunk with content, a tool call or a finish reason has been written.</summary>
    public bool SawContent { get; private set; }

    /// <summary>A chunk with a finish reason has been written.</summary>
    public bool Finished { get; private set; }

    public static JsonEncodedText Encode(string value) => JsonEncodedText.Encode(value, Options.Encoder);

    /// <summary>Opens a chunk and its <c>delta</c> object, for the caller to write into.</summary>
    public Utf8JsonWriter BeginChunk()
    {
        var w = BeginObject();
        w.WriteStartArray("choices"u8);
        w.WriteStartObject();
        w.WriteNumber("index"u8, 0);
        w.WriteStartObject("delta"u8);
        return w;
    }

    /// <param name="isContent">False for the opening role chunk: until content, the caller may still fall back elsewhere.</param>
    public void EndChunk(IChunkSink sink, string? finishReason, bool isContent = true)
    {
        SawContent |= isContent;
        var w = writer!;
        w.WriteEndObject();
        if (finishReason is null) w.WriteNull("finish_reason"u8);
        else
        {
            w.WriteString("finish_reason"u8, finishReason);
            Finished = true;
        }
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        Send(sink);
    }

    /// <summary>The chunk that ends a stream: no choices, the usage.</summary>
    public void WriteUsage(IChunkSink sink, TokenUsage usage, long? reasoningTokens = null)
    {
        var w = BeginObject();
        w.WriteStartArray("choices"u8);
        w.WriteEndArray();
        usage.WriteOpenAi(w, reasoningTokens);
        w.WriteEndObject();
        Send(sink);
    }

    Utf8JsonWriter BeginObject()
    {
        buffer.ResetWrittenCount();
        if (writer is null) writer = new Utf8JsonWriter(buffer, Options);
        else writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("id"u8, Id);
        writer.WriteString("object"u8, "chat.completion.chunk"u8);
        writer.WriteNumber("created"u8, created);
        writer.WriteString("model"u8, model);
        return writer;
    }

    void Send(IChunkSink sink)
    {
        writer!.Flush();
        sink.OnChunk(buffer.WrittenSpan);
    }
}
