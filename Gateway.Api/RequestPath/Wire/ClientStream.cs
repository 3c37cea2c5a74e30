using System.Buffers;
using System.IO.Pipelines;

namespace Gateway.Api.RequestPath.Wire;

/// <summary>
/// One streamed answer on its way to the client: OpenAI chunks in, the client's SSE frames out, and a copy of
/// what was sent kept for the record.
/// </summary>
public abstract class ClientStream(PipeWriter writer) : IChunkSink, IDisposable
{
    const int CaptureLimit = 1024 * 1024;
    readonly PooledBuffer captured = new(8 * 1024);
    readonly PooledBuffer tail = new(256);

    /// <summary>Something was written since the last flush.</summary>
    public bool Pending { get; set; }

    /// <summary>What the client was sent, up to 1 MiB.</summary>
    public ReadOnlySpan<byte> Captured => captured.Span;

    /// <summary>The client's format states the prompt's token count in its first event (Anthropic's <c>message_start</c>).</summary>
    public virtual bool OpensWithPromptCount => false;

    /// <param name="prompt">The prompt's count when <see cref="OpensWithPromptCount"/>; else default.</param>
    public abstract void Start(TokenUsage prompt);

    public abstract void OnChunk(ReadOnlySpan<byte> chunkJson);

    /// <summary>A stream served natively takes the upstream's own SSE events instead of OpenAI chunks.</summary>
    public virtual bool Native => false;

    /// <summary>One upstream SSE event, when <see cref="Native"/>.</summary>
    public virtual void OnUpstreamEvent(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> data) { }

    /// <summary>
    /// Prepares the end of a successful answer (held back, see <see cref="Hold"/>); <see cref="Release"/> sends it
    /// once the record is durable.
    /// </summary>
    public abstract void Complete(TokenUsage usage);

    /// <summary>Prepares the error event that ends a stream which broke off after it started; sent by <see cref="Release"/>.</summary>
    public abstract void Fail(int status, string message);

    /// <summary>Sends what <see cref="Complete"/> or <see cref="Fail"/> held back.</summary>
    public void Release()
    {
        writer.Write(tail.Span);
        tail.Clear();
        Pending = true;
    }

    protected void Write(ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes);
        Capture(bytes);
        Pending = true;
    }

    /// <summary>Part of the final frames: captured for the record now, sent only on <see cref="Release"/>.</summary>
    protected void Hold(ReadOnlySpan<byte> bytes)
    {
        tail.Write(bytes);
        Capture(bytes);
    }

    void Capture(ReadOnlySpan<byte> bytes)
    {
        if (captured.Length + bytes.Length <= CaptureLimit) captured.Write(bytes);
    }

    public virtual void Dispose()
    {
        captured.Dispose();
        tail.Dispose();
    }
}
