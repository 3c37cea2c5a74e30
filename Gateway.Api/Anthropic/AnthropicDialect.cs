using System.IO.Pipelines;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Anthropic;

/// <summary>
/// Anthropic's Messages format on the client side (<c>POST /v1/messages</c>), so apps built on the Anthropic SDKs
/// use the gateway and any catalog model: requests are translated to OpenAI's format, answers and streams back.
/// </summary>
public sealed class AnthropicDialect : ClientDialect
{
    public static readonly AnthropicDialect Instance = new();

    public override string InvalidKeyMessage =>
        "Invalid or revoked API key. Send a gateway key as 'x-api-key: <key>' or 'Authorization: Bearer <key>'.";

    public override string ApiFor(Operation operation) => "messages";

    /// <summary>A model served by Anthropic gets the request as the client wrote it: cache_control, thinking, citations, documents.</summary>
    public override string? NativeKind => Gateway.Domain.Providers.ProviderKinds.Anthropic;

    public override bool TranslatePartly(ReadOnlySpan<byte> body, PooledBuffer output)
    {
        MessagesRequest.Write(MessagesRequest.WithoutAnthropicOnlyParts(body), output);
        return true;
    }

    public override ClientStream OpenNativeStream(string publicModel, PipeWriter writer) => new AnthropicNativeStream(writer, publicModel);

    public override bool TranslateRequest(ReadOnlySpan<byte> body, PooledBuffer output)
    {
        MessagesRequest.Write(body, output);
        return true;
    }

    public override byte[] Error(int status, string message, string type, string? code, string? param = null) =>
        AnthropicErrors.Serialize(status, param is null ? message : $"{param}: {message}");

    public override bool TranslateResponse(ReadOnlySpan<byte> openAiResponse, PooledBuffer output)
    {
        MessagesResponse.Write(openAiResponse, output);
        return true;
    }

    public override ClientStream OpenStream(RequestHead head, Guid requestId, DateTimeOffset created, string model, PipeWriter writer) =>
        new AnthropicClientStream(writer, new MessagesStreamEncoder(model, "msg_" + requestId.ToString("N")));
}

internal sealed class AnthropicClientStream(PipeWriter writer, MessagesStreamEncoder encoder) : ClientStream(writer)
{
    readonly PooledBuffer frames = new(1024);

    public override bool OpensWithPromptCount => true;

    public override void Start(TokenUsage prompt) => encoder.Start(prompt);

    public override void OnChunk(ReadOnlySpan<byte> chunkJson)
    {
        frames.Clear();
        encoder.OnChunk(chunkJson, frames);
        if (frames.Length > 0) Write(frames.Span);
    }

    public override void Complete(TokenUsage usage)
    {
        frames.Clear();
        encoder.Complete(usage, frames);
        Hold(frames.Span);
    }

    public override void Fail(int status, string message)
    {
        frames.Clear();
        encoder.Fail(status, message, frames);
        Hold(frames.Span);
    }

    public override void Dispose()
    {
        frames.Dispose();
        base.Dispose();
    }
}

/// <summary>
/// An Anthropic stream passed on as Anthropic sent it: every event byte for byte, but for the public model name in
/// <c>message_start</c>; <c>message_stop</c> is held back until the record is durable, like every stream's end.
/// </summary>
internal sealed class AnthropicNativeStream(PipeWriter writer, string publicModel) : NativeEventStream(writer)
{
    protected override bool WriteData(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data, PooledBuffer frame)
    {
        if (type.SequenceEqual("message_start"u8)) JsonModelSplice.Write(data, 2, publicModel, frame);
        else frame.Write(data);
        return type.SequenceEqual("message_stop"u8);
    }

    protected override ReadOnlySpan<byte> MissingEnd => "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"u8;

    protected override void WriteError(int status, string message, PooledBuffer frame) => frame.Write(AnthropicErrors.Serialize(status, message));
}
