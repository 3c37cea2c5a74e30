namespace Gateway.Api.Providers;

/// <summary>Token counts as a provider reported them, in OpenAI's terms.</summary>
/// <param name="PromptTokens">All input tokens, including cached and cache-creation ones.</param>
/// <param name="CachedPromptTokens">Input tokens read from the provider's prompt cache.</param>
/// <param name="CacheCreationTokens">Input tokens written to the provider's prompt cache.</param>
public readonly record struct TokenUsage(long PromptTokens, long CompletionTokens, long CachedPromptTokens = 0, long CacheCreationTokens = 0)
{
    public long TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>Writes OpenAI's <c>usage</c> property; <paramref name="reasoningTokens"/> only when the provider reports them.</summary>
    public void WriteOpenAi(System.Text.Json.Utf8JsonWriter w, long? reasoningTokens = null)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", PromptTokens);
        w.WriteNumber("completion_tokens", CompletionTokens);
        w.WriteNumber("total_tokens", TotalTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", CachedPromptTokens);
        w.WriteEndObject();
        if (reasoningTokens is { } reasoning)
        {
            w.WriteStartObject("completion_tokens_details");
            w.WriteNumber("reasoning_tokens", reasoning);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}

/// <summary>A request that cannot be expressed in the other wire format; <see cref="Param"/> names the field.</summary>
public sealed class TranslationException(string message, string? param = null) : Exception(message)
{
    public string? Param { get; } = param;
}

/// <summary>Receives OpenAI <c>chat.completion.chunk</c> JSON objects (unframed) as a translator produces them.</summary>
public interface IChunkSink
{
    void OnChunk(ReadOnlySpan<byte> chunkJson);
}

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
