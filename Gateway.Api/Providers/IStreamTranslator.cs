using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers;

/// <summary>
/// Turns one upstream's SSE events into OpenAI chunks as they arrive. It always ends a successful stream with
/// a chunk carrying the finish_reason and then a usage chunk (<c>"choices":[]</c>); the caller decides what
/// the client sees.
/// </summary>
public interface IStreamTranslator
{
    /// <param name="eventName">The SSE <c>event:</c> field, empty when the upstream sends none.</param>
    /// <param name="data">The SSE <c>data:</c> payload (lines joined with \n).</param>
    void OnEvent(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> data, IChunkSink sink);

    /// <summary>The upstream signalled a complete, successful end of the answer.</summary>
    bool Completed { get; }

    /// <summary>A chunk with content, a tool call or a finish reason has been produced.</summary>
    bool SawContent { get; }

    /// <summary>Usage reported by the upstream so far (null when none was reported).</summary>
    TokenUsage? Usage { get; }

    /// <summary>The message of an error the upstream reported inside the stream, if any.</summary>
    string? Error { get; }
}
