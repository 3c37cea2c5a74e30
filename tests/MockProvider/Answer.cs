namespace MockProvider;

/// <summary>
/// What the mock answers to one request, decided once from the behavior and the request, so every wire format
/// carries the same content and the same token counts and only the encoding differs.
/// </summary>
internal readonly struct Answer
{
    public ReplyPlan Text { get; private init; }
    public ToolCallPlan? Tool { get; private init; }
    public bool Blocked { get; private init; }

    /// <summary>max_tokens cut the text reply short.</summary>
    public bool Truncated { get; private init; }

    /// <summary>Reply words actually sent (after max_tokens).</summary>
    public int Words { get; private init; }

    public int PromptTokens { get; private init; }

    /// <summary>The part of <see cref="PromptTokens"/> reported as read from the prompt cache.</summary>
    public int CachedTokens { get; private init; }

    public bool OmitUsage { get; private init; }

    /// <summary>The part of <see cref="PromptTokens"/> reported as written to the prompt cache.</summary>
    public int CacheWriteTokens { get; private init; }

    /// <summary>Extended thinking was asked for: a thinking block (with its signature) comes before the answer.</summary>
    public bool Thinking { get; private init; }

    public const string ThinkingText = "The user greets me; a short answer will do.";

    /// <summary>A request that marks cache breakpoints: all but its last two prompt tokens are written on first sight, read after.</summary>
    public Answer WithPromptCache(bool firstSight)
    {
        var cacheable = Math.Max(0, PromptTokens - 2);
        return firstSight ? this with { CacheWriteTokens = cacheable, CachedTokens = 0 } : this with { CacheWriteTokens = 0, CachedTokens = cacheable };
    }

    public Answer WithThinking() => this with { Thinking = true };

    /// <summary>The signature Anthropic puts on a thinking block, which a client must send back unchanged.</summary>
    public static string ThinkingSignature(string model) => "sig-" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(model + ":" + ThinkingText));

    public int OutputTokens => Blocked ? 0 : Tool?.OutputTokens ?? Words;

    /// <summary>Content events a fragmenting stream sends: reply segments, or argument pieces of the tool call.</summary>
    public int Pieces => Blocked ? 0 : Tool?.Pieces.Length ?? (Truncated ? Words : Text.Segments.Length);

    public static Answer Decide(ModelBehavior behavior, string model, int promptTokens, int? maxTokens)
    {
        var text = ReplyPlan.For(behavior.Reply, model);
        bool blocked = behavior.SafetyBlock;
        var tool = !blocked && behavior.ToolCall is { } call ? ToolCallPlan.For(call) : null;
        int words = text.WordCount;
        bool truncated = !blocked && tool is null && maxTokens is int max && max < words;
        if (truncated) words = maxTokens!.Value;
        return new Answer
        {
            Text = text,
            Tool = tool,
            Blocked = blocked,
            Truncated = truncated,
            Words = blocked || tool is not null ? 0 : words,
            PromptTokens = promptTokens,
            CachedTokens = Math.Min(behavior.CacheReadTokens, promptTokens),
            OmitUsage = behavior.OmitUsage,
        };
    }
}
