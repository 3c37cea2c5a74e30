using System.Diagnostics;
using Gateway.Api.ControlPlane;
using Gateway.Api.Providers;
using Gateway.Domain.Requests;

namespace Gateway.Api.OpenAi;

/// <summary>What one request has gathered on its way through; becomes its <see cref="RequestCompleted"/> event.</summary>
public sealed class RequestTrace(Guid requestId, GatewayKey key, Operation operation, long startTimestamp, DateTimeOffset startedAt)
{
    public Guid RequestId { get; } = requestId;
    /// <summary>The request's record has been handed to the recorder (once only).</summary>
    public bool Recorded { get; set; }
    public DateTimeOffset StartedAt { get; } = startedAt;
    public GatewayKey Key { get; } = key;
    public Operation Operation { get; } = operation;
    public string ModelAsked { get; set; } = "";
    public CatalogModel? Model { get; set; }
    public bool Streamed { get; set; }
    public int? UpstreamStatus { get; set; }
    public long UpstreamStart { get; set; }
    public long UpstreamFirstByte { get; set; }
    public long UpstreamEnd { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    public long TotalTokens { get; set; }
    public long CachedPromptTokens { get; set; }
    public long CacheCreationTokens { get; set; }
    public bool UsageEstimated { get; set; }
    public Guid? CredentialId { get; set; }
    public string? Route { get; set; }
    public Budgets.BudgetReservation? Reservation { get; set; }
    /// <summary>Prompt tokens as the gateway counted them before forwarding, when budgets or limits needed them.</summary>
    public long? EstimatedPromptTokens { get; set; }
    /// <summary>The budget that sent this request to its cheaper model, if one did.</summary>
    public Guid? DowngradedBy { get; set; }
    public List<Attempt> Attempts { get; } = new(1);

    /// <summary>The serving attempt's stream broke off after it had reached the client.</summary>
    public void MarkStreamBroken()
    {
        if (Attempts.Count > 0) Attempts[^1] = Attempts[^1] with { ErrorClass = "stream_broken", Outcome = "failed" };
    }
    public string? CredentialKind { get; set; }

    public TokenUsage Usage => new(PromptTokens, CompletionTokens, CachedPromptTokens, CacheCreationTokens);

    public void SetUsage(TokenUsage usage)
    {
        PromptTokens = usage.PromptTokens;
        CompletionTokens = usage.CompletionTokens;
        TotalTokens = usage.TotalTokens;
        CachedPromptTokens = usage.CachedPromptTokens;
        CacheCreationTokens = usage.CacheCreationTokens;
    }

    public RequestCompleted ToEvent(int status, string? errorCode, DateTimeOffset completedAt)
    {
        var now = Stopwatch.GetTimestamp();
        var totalMs = Stopwatch.GetElapsedTime(startTimestamp, now).TotalMilliseconds;
        double? upstreamMs = UpstreamStart == 0 ? null : Stopwatch.GetElapsedTime(UpstreamStart, UpstreamEnd == 0 ? now : UpstreamEnd).TotalMilliseconds;
        double? ttfbMs = UpstreamFirstByte == 0 ? null : Stopwatch.GetElapsedTime(UpstreamStart, UpstreamFirstByte).TotalMilliseconds;
        return new RequestCompleted
        {
            RequestId = RequestId,
            KeyId = Key.Id,
            TeamId = Key.TeamId,
            AccountId = Key.AccountId,
            Operation = Operation == Operation.Chat ? "chat" : "embeddings",
            ModelAsked = ModelAsked,
            ModelServed = Model?.PublicId,
            ProviderId = Model?.Provider.Id,
            CredentialId = CredentialId,
            CredentialKind = CredentialKind,
            Status = status,
            ErrorCode = errorCode,
            UpstreamStatus = UpstreamStatus,
            PromptTokens = PromptTokens,
            CompletionTokens = CompletionTokens,
            TotalTokens = TotalTokens,
            CachedPromptTokens = CachedPromptTokens,
            CacheCreationTokens = CacheCreationTokens,
            UsageEstimated = UsageEstimated,
            // Priced by the version in force when the request started: a later price change never rewrites it.
            Cost = Model is null ? 0m : Model.PriceAt(StartedAt).Cost(PromptTokens, CompletionTokens, CachedPromptTokens),
            Streamed = Streamed,
            UpstreamTtfbMs = ttfbMs,
            UpstreamMs = upstreamMs,
            TotalMs = totalMs,
            OverheadMs = Math.Max(0, totalMs - (upstreamMs ?? 0)),
            StartedAt = StartedAt,
            Route = Route,
            DowngradedBy = DowngradedBy,
            Attempts = Attempts.Count == 0 ? [] : Attempts.ToArray(),
            CompletedAt = completedAt,
        };
    }
}
