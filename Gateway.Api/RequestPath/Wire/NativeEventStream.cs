using System.IO.Pipelines;

namespace Gateway.Api.RequestPath.Wire;

/// <summary>
/// An answer served natively: the upstream's own SSE events passed on one by one, each as <c>event:</c> (when the
/// upstream named it) and <c>data:</c>, the data rewritten where the dialect says. The event that ends the answer is held
/// back until the record is durable, like every stream's end.
/// </summary>
public abstract class NativeEventStream(PipeWriter writer) : ClientStream(writer)
{
    readonly PooledBuffer frame = new(1024);
    bool stopped;

    public override bool Native => true;

    public override void Start(TokenUsage prompt) { }

    public override void OnChunk(ReadOnlySpan<byte> chunkJson) { }

    public sealed override void OnUpstreamEvent(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> data)
    {
        if (stopped) return;
        frame.Clear();
        if (eventName.Length > 0)
        {
            frame.Write("event: "u8);
            frame.Write(eventName);
            frame.Write("\n"u8);
        }
        frame.Write("data: "u8);
        var ends = WriteData(eventName.IsEmpty ? EventType.Of(data) : eventName, data, frame);
        frame.Write("\n\n"u8);
        if (ends)
        {
            stopped = true;
            Hold(frame.Span);
        }
        else Write(frame.Span);
    }

    /// <summary>Writes the event's data as the client gets it.</summary>
    /// <param name="type">The event's name, or its JSON's <c>type</c> when the upstream sent no name.</param>
    /// <returns>True for the event that ends the answer.</returns>
    protected abstract bool WriteData(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data, PooledBuffer frame);

    /// <summary>The end event, for an upstream that completed without sending its own; none by default.</summary>
    protected virtual ReadOnlySpan<byte> MissingEnd => default;

    public override void Complete(TokenUsage usage)
    {
        if (stopped) return;
        stopped = true;
        if (!MissingEnd.IsEmpty) Hold(MissingEnd);
    }

    /// <summary>A stream that broke off ends with an <c>error</c> event in the client's format.</summary>
    public override void Fail(int status, string message)
    {
        if (stopped) return;
        stopped = true;
        frame.Clear();
        frame.Write("event: error\ndata: "u8);
        WriteError(status, message, frame);
        frame.Write("\n\n"u8);
        Hold(frame.Span);
    }

    /// <summary>Writes the data of the <c>error</c> event that ends a broken stream.</summary>
    protected abstract void WriteError(int status, string message, PooledBuffer frame);

    public override void Dispose()
    {
        frame.Dispose();
        base.Dispose();
    }
}
