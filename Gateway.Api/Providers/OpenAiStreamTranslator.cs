using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers;

/// <summary>
/// An OpenAI-format upstream stream is already made of chunks: each is passed on with the public model
/// name in place of the upstream one, and its usage read on the way.
/// </summary>
public sealed class OpenAiStreamTranslator(byte[] publicModelJson) : IStreamTranslator, IDisposable
{
    readonly PooledBuffer renamed = new(2048);

    public bool Completed { get; private set; }
    public bool SawContent { get; private set; }
    public TokenUsage? Usage { get; private set; }
    public string? Error => null;

    public void OnEvent(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> data, IChunkSink sink)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            Completed = true;
            return;
        }
        if (!ResponseScan.TryScan(data, out var scan))
        {
            sink.OnChunk(data); // not ours to judge: relayed as sent
            return;
        }
        if (scan.ChoiceCount > 0) SawContent = true;
        if (scan.HasUsage) Usage = scan.Usage;
        if (scan.ModelStart < 0)
        {
            sink.OnChunk(data);
            return;
        }
        renamed.Clear();
        scan.WriteWithModel(data, publicModelJson, renamed);
        sink.OnChunk(renamed.Span);
    }

    public void Dispose() => renamed.Dispose();
}
