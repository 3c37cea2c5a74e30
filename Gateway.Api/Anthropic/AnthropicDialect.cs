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
