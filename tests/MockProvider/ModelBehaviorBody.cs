namespace MockProvider;

/// <summary>
/// JSON shape of <c>PUT /_mock/...</c>. Deserializing <see cref="ModelBehavior"/> directly would zero absent
/// init-only members (the serializer sets them all), losing defaults such as RetryAfterSeconds = 1.
/// </summary>
internal sealed class ModelBehaviorBody
{
    public string? Reply { get; set; }
    public int? LatencyMs { get; set; }
    public int? TtftMs { get; set; }
    public int? ChunkDelayMs { get; set; }
    public int? Status { get; set; }
    public int? RetryAfterSeconds { get; set; }
    public int? FailFirst { get; set; }
    public int? FailEvery { get; set; }
    public int? CutAfterChunks { get; set; }
    public bool? Hang { get; set; }
    public bool? OmitUsage { get; set; }
    public MockToolCall? ToolCall { get; set; }
    public int? CacheReadTokens { get; set; }
    public bool? SafetyBlock { get; set; }

    public ModelBehavior ToBehavior()
    {
        var normal = ModelBehavior.Normal;
        return new ModelBehavior
        {
            Reply = Reply,
            LatencyMs = LatencyMs ?? normal.LatencyMs,
            TtftMs = TtftMs ?? normal.TtftMs,
            ChunkDelayMs = ChunkDelayMs ?? normal.ChunkDelayMs,
            Status = Status,
            RetryAfterSeconds = RetryAfterSeconds ?? normal.RetryAfterSeconds,
            FailFirst = FailFirst ?? normal.FailFirst,
            FailEvery = FailEvery ?? normal.FailEvery,
            CutAfterChunks = CutAfterChunks,
            Hang = Hang ?? normal.Hang,
            OmitUsage = OmitUsage ?? normal.OmitUsage,
            ToolCall = ToolCall,
            CacheReadTokens = CacheReadTokens ?? normal.CacheReadTokens,
            SafetyBlock = SafetyBlock ?? normal.SafetyBlock,
        };
    }
}
