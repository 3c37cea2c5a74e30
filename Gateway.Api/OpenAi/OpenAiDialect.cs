using System.IO.Pipelines;
using System.Text.Json;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Requests;

namespace Gateway.Api.OpenAi;

/// <summary>OpenAI's format on the client side: bodies pass as they are, streams are <c>data:</c> chunks and <c>[DONE]</c>.</summary>
public sealed class OpenAiDialect : ClientDialect
{
    public static readonly OpenAiDialect Instance = new();

    public override string InvalidKeyMessage => GatewayKeyAuth.InvalidKeyMessage;

    public override bool SpeaksOpenAi => true;

    public override string ApiFor(Operation operation) => operation == Operation.Embeddings ? "embeddings" : "chat.completions";

    public override bool TranslateRequest(ReadOnlySpan<byte> body, PooledBuffer output) => false;

    public override byte[] Error(int status, string message, string type, string? code, string? param = null) =>
        OpenAiError.Serialize(message, type, code, param);

    public override bool TranslateResponse(ReadOnlySpan<byte> openAiResponse, PooledBuffer output) => false;

    public override ClientStream OpenStream(RequestHead head, Guid requestId, DateTimeOffset created, string model, PipeWriter writer) =>
        new OpenAiClientStream(writer, head.IncludeUsage, requestId, created, model);
}

internal sealed class OpenAiClientStream(PipeWriter writer, bool includeUsage, Guid requestId, DateTimeOffset created, string model) : ClientStream(writer)
{
    static readonly byte[] DataPrefix = "data: "u8.ToArray();
    static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    bool sentUsage;

    public override void Start(TokenUsage prompt) { }

    public override void OnChunk(ReadOnlySpan<byte> chunkJson)
    {
        if (chunkJson.IndexOf("\"choices\":[]"u8) >= 0)
        {
            // We always ask upstreams for usage; the client sees the usage chunk only if it asked too.
            if (!includeUsage) return;
            sentUsage = true;
        }
        Frame(chunkJson);
    }

    public override void Complete(TokenUsage usage)
    {
        // The upstream sent no usage but the client asked for it: send the gateway's count (marked estimated in the record).
        if (includeUsage && !sentUsage)
        {
            Hold(DataPrefix);
            Hold(UsageChunk(usage));
            Hold(EventEnd);
        }
        Hold(Done);
    }

    public override void Fail(int status, string message)
    {
        Hold(DataPrefix);
        Hold(OpenAiError.Serialize(message, ErrorTypes.Upstream, "stream_interrupted"));
        Hold(EventEnd);
    }

    void Frame(ReadOnlySpan<byte> json)
    {
        Write(DataPrefix);
        Write(json);
        Write(EventEnd);
    }

    byte[] UsageChunk(TokenUsage usage)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", "chatcmpl-" + requestId.ToString("N"));
            w.WriteString("object", "chat.completion.chunk");
            w.WriteNumber("created", created.ToUnixTimeSeconds());
            w.WriteString("model", model);
            w.WriteStartArray("choices");
            w.WriteEndArray();
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", usage.PromptTokens);
            w.WriteNumber("completion_tokens", usage.CompletionTokens);
            w.WriteNumber("total_tokens", usage.TotalTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
