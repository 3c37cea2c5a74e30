namespace MockProvider;

/// <summary>
/// Content and fault knobs for one upstream model name. Immutable so an in-flight request keeps one
/// consistent view while a test swaps behaviors concurrently; derive variants with <c>with</c>.
/// </summary>
public sealed record ModelBehavior
{
    public static ModelBehavior Normal { get; } = new();

    /// <summary>Reply text; <c>{model}</c> is replaced by the requested model name. Null = default reply.</summary>
    public string? Reply { get; init; }

    /// <summary>Delay before a non-streaming response (or an injected error); for streams, the TTFT unless <see cref="TtftMs"/> is set.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Streaming only: delay between the response headers and the first chunk.</summary>
    public int TtftMs { get; init; }

    /// <summary>Streaming only: delay before each content chunk after the first, and before the finish chunk.</summary>
    public int ChunkDelayMs { get; init; }

    /// <summary>HTTP status (&gt;= 400) to answer with, with the error body the called format's provider sends for it (e.g. 529 overloaded_error on Anthropic).</summary>
    public int? Status { get; init; }

    /// <summary>Sent with a 429: as <c>Retry-After</c> (OpenAI, Azure, Anthropic) or as the RetryInfo retryDelay (Gemini).</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>When &gt; 0, only the first N requests for a model get <see cref="Status"/>; 0 = every request.</summary>
    public int FailFirst { get; init; }

    /// <summary>When &gt; 1 (and <see cref="FailFirst"/> is 0), every Nth request for a model gets <see cref="Status"/>: 2 fails half.</summary>
    public int FailEvery { get; init; }

    /// <summary>Streaming only: abort the connection after this many content events (no finish event, no [DONE] / message_stop).</summary>
    public int? CutAfterChunks { get; init; }

    /// <summary>Accept the request and never answer until the client gives up or the server stops.</summary>
    public bool Hang { get; init; }

    /// <summary>Never report usage, even when the client asked for stream usage.</summary>
    public bool OmitUsage { get; init; }

    /// <summary>
    /// Answer with this tool call instead of text, in every wire format. Its output tokens are the words of its name
    /// and arguments; max_tokens never truncates it, since a half-written call is useless to test against.
    /// </summary>
    public MockToolCall? ToolCall { get; init; }

    /// <summary>
    /// How many prompt tokens are reported as read from the provider's prompt cache, capped at the prompt's size:
    /// cached tokens are part of the prompt, and each format then splits them the way its provider does.
    /// </summary>
    public int CacheReadTokens { get; init; }

    /// <summary>The provider's safety system withholds the reply: no content, and the format's "blocked" finish reason.</summary>
    public bool SafetyBlock { get; init; }

    internal int TimeToFirstTokenMs => TtftMs > 0 ? TtftMs : LatencyMs;

    // Only requests that may wait need to learn about server shutdown; the rest skip the registration cost.
    internal bool MayWait => Hang || LatencyMs > 0 || TtftMs > 0 || ChunkDelayMs > 0;

    internal bool InjectsError => Status is >= 400;

    internal string? Validate()
    {
        if (LatencyMs < 0 || TtftMs < 0 || ChunkDelayMs < 0) return "Delays must not be negative.";
        if (Status is < 100 or > 599) return "status must be a valid HTTP status code.";
        if (RetryAfterSeconds < 0) return "retryAfterSeconds must not be negative.";
        if (FailFirst < 0) return "failFirst must not be negative.";
        if (FailEvery < 0) return "failEvery must not be negative.";
        if (CutAfterChunks < 0) return "cutAfterChunks must not be negative.";
        if (CacheReadTokens < 0) return "cacheReadTokens must not be negative.";
        return ToolCall?.Validate();
    }
}
