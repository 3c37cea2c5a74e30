using System.Buffers;
using System.IO.Pipelines;
using Gateway.Api.Providers;

namespace Gateway.Api.OpenAi;

/// <summary>
/// The wire format a client speaks to the gateway: OpenAI's on /v1/chat/completions, Anthropic's on /v1/messages.
/// Inside, every request is OpenAI-format; a dialect translates at the edges, in both directions.
/// </summary>
public abstract class ClientDialect
{
    public abstract string InvalidKeyMessage { get; }

    /// <summary>Writes the client's body in OpenAI's format to <paramref name="output"/>; false when it already is.</summary>
    /// <exception cref="System.Text.Json.JsonException">Malformed JSON.</exception>
    /// <exception cref="TranslationException">Well-formed, but not a valid request.</exception>
    public abstract bool TranslateRequest(ReadOnlySpan<byte> body, PooledBuffer output);

    public abstract byte[] Error(int status, string message, string type, string? code, string? param = null);

    /// <summary>Writes a complete OpenAI-format answer in the client's format to <paramref name="output"/>; false when it already is.</summary>
    public abstract bool TranslateResponse(ReadOnlySpan<byte> openAiResponse, PooledBuffer output);

    public abstract ClientStream OpenStream(RequestHead head, RequestTrace trace, PipeWriter writer);
}

/// <summary>
/// One streamed answer on its way to the client: OpenAI chunks in, the client's SSE frames out, and a copy of
/// what was sent kept for the record.
/// </summary>
public abstract class ClientStream(PipeWriter writer) : IChunkSink, IDisposable
{
    const int CaptureLimit = 1024 * 1024;
    readonly PooledBuffer captured = new(8 * 1024);

    /// <summary>Something was written since the last flush.</summary>
    public bool Pending { get; set; }

    /// <summary>What the client was sent, up to 1 MiB.</summary>
    public ReadOnlySpan<byte> Captured => captured.Span;

    /// <summary>True when what is sent is OpenAI chunks, so the capture can also serve to count tokens.</summary>
    public abstract bool SendsOpenAiChunks { get; }

    public abstract void Start();

    public abstract void OnChunk(ReadOnlySpan<byte> chunkJson);

    /// <summary>Ends a successful answer; called once its record is durable.</summary>
    public abstract void Complete(TokenUsage usage);

    /// <summary>Ends a stream that broke off after it started, with an error event.</summary>
    public abstract void Fail(int status, string message);

    /// <summary>The error event <see cref="Fail"/> would write, for the record before it is sent.</summary>
    public abstract void CaptureFailure(int status, string message);

    protected void Write(ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes);
        Capture(bytes);
        Pending = true;
    }

    protected void Capture(ReadOnlySpan<byte> bytes)
    {
        if (captured.Length + bytes.Length <= CaptureLimit) captured.Write(bytes);
    }

    public void Dispose() => captured.Dispose();
}
