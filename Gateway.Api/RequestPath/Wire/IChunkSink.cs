namespace Gateway.Api.RequestPath.Wire;

/// <summary>Receives OpenAI <c>chat.completion.chunk</c> JSON objects (unframed) as a translator produces them.</summary>
public interface IChunkSink
{
    void OnChunk(ReadOnlySpan<byte> chunkJson);
}
