using System.Diagnostics;
using Gateway.Api.Budgets;
using Gateway.Api.ControlPlane;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Requests;

namespace Gateway.Api.RequestPath.Completion;

/// <summary>
/// What one request has gathered on its way through; becomes its <see cref="RequestCompleted"/> event. Each step
/// writes what it learned through one method named after it, so the record's fields are set in one place.
/// </summary>
public sealed class RequestTrace(Guid requestId, GatewayKey key, Operation operation, long startTimestamp, DateTimeOffset startedAt)
{
    readonly List<Attempt> attempts = new(1);
    // When traced: each attempt's client span (null for a target passed over without a call) and when its call ended.
    List<(Activity? Span, DateTime EndedAt)>? attemptSpans;

    public Guid RequestId { get; } = requestId;
    /// <summary>The client's wire format (per request for formats that keep state, such as Responses).</summary>
    public ClientDialect? Dialect { get; set; }
    /// <summary>The current attempt's target speaks the client's own format: body, answer and stream pass as they are.</summary>
    public bool Native { get; set; }
    /// <summary>Why the request has no OpenAI form, when only a target speaking the client's format can take it.</summary>
    public TranslationException? Untranslatable { get; set; }
    /// <summary>The request's key in the response cache, when its answer is to be kept (for <see cref="CacheTtl"/>).</summary>
    public string? CacheKey { get; set; }
    public TimeSpan CacheTtl { get; set; }
    /// <summary>This request is the one asking upstream for its cache key's answer; others asking the same wait for it.</summary>
    public bool LeadsCache { get; set; }
    /// <summary>Served from the response cache: what the cached answer cost when it was made.</summary>
    public decimal? CacheSaved { get; private set; }

    public void ServedFromCache(CatalogModel model, decimal saved)
    {
        Model = model;
        CacheSaved = saved;
    }

    /// <summary>What the request cost, priced by the model's version in force when it started.</summary>
    public decimal Cost => Model is null || CacheSaved is not null ? 0m : Model.PriceAt(StartedAt).Cost(PromptTokens, CompletionTokens, CachedPromptTokens, CacheCreationTokens);
    /// <summary>The request's record has been handed to the recorder (once only).</summary>
    public bool Recorded { get; private set; }
    public DateTimeOffset StartedAt { get; } = startedAt;
    public GatewayKey Key { get; } = key;
    public Operation Operation { get; } = operation;
    public string ModelAsked { get; private set; } = "";
    public CatalogModel? Model { get; private set; }
    public bool Streamed { get; private set; }
    public int? UpstreamStatus { get; private set; }
    public long UpstreamStart { get; private set; }
    public long UpstreamFirstByte { get; private set; }
    public long UpstreamEnd { get; private set; }
    public long PromptTokens { get; private set; }
    public long CompletionTokens { get; private set; }
    public long TotalTokens { get; private set; }
    public long CachedPromptTokens { get; private set; }
    public long CacheCreationTokens { get; private set; }
    public bool UsageEstimated { get; private set; }
    public Guid? CredentialId { get; private set; }
    public string? CredentialKind { get; private set; }
    public string? Route { get; private set; }
    public BudgetReservation? Reservation { get; private set; }
    /// <summary>Prompt tokens as the gateway counted them before forwarding, when budgets or limits needed them.</summary>
    public long? EstimatedPromptTokens { get; private set; }
    /// <summary>The budget that sent this request to its cheaper model, if one did.</summary>
    public Guid? DowngradedBy { get; private set; }
    public IReadOnlyList<Attempt> Attempts => attempts;
    /// <summary>The request's server span, when tracing.</summary>
    public Activity? Span { get; private set; }
    public IReadOnlyList<(Activity? Span, DateTime EndedAt)> AttemptSpans => attemptSpans ?? [];

    public void Traced(Activity? span)
    {
        Span = span;
        if (span is not null) attemptSpans = new(1);
    }

    /// <summary>The answer's id and finish reasons, gathered only when the request's span wants them.</summary>
    public ResponseFacts? Response { get; private set; }

    /// <summary>An OpenAI-format answer or chunk passed to the client: its facts go on the span, if traced.</summary>
    public void Answered(ReadOnlySpan<byte> openAiJson)
    {
        if (Span is not { IsAllDataRequested: true }) return;
        (Response ??= new ResponseFacts()).Read(openAiJson);
    }
    public int AttemptCount => attempts.Count;

    public TokenUsage Usage => new(PromptTokens, CompletionTokens, CachedPromptTokens, CacheCreationTokens);

    // Admission

    /// <summary>The body was read and checked: the model it asks for (by route name, when it names one) and whether it streams.</summary>
    public void Asked(string model, bool streamed, string? route)
    {
        ModelAsked = model;
        Streamed = streamed;
        Route = route;
    }

    /// <summary>A request refused before its body was understood still names the model it asked for, as far as the body tells.</summary>
    public void NameModelFrom(ReadOnlySpan<byte> body)
    {
        if (ModelAsked.Length == 0) ModelAsked = ModelNamed.In(body);
    }

    /// <summary>The prompt's tokens, counted once per request, whoever asks first (budgets, tokens-per-minute limits, usage).</summary>
    public long CountPrompt(UsageEstimator estimator, ReadOnlySpan<byte> openAiBody) =>
        EstimatedPromptTokens ??= estimator.CountPrompt(openAiBody, Operation);

    public void Downgraded(Guid budgetId) => DowngradedBy = budgetId;

    public void Reserved(BudgetReservation? reservation) => Reservation = reservation;

    // Attempts

    /// <summary>Whose provider key pays: its kind (gateway, team, request) and its id, never the secret.</summary>
    public void PaidWith(string kind, Guid? credentialId)
    {
        CredentialKind = kind;
        CredentialId = credentialId;
    }

    /// <summary>The first attempt was sent upstream at <paramref name="timestamp"/>; later ones leave the start as it was.</summary>
    public void UpstreamStarted(long timestamp)
    {
        if (UpstreamStart == 0) UpstreamStart = timestamp;
    }

    /// <summary>The upstream's first byte (for streams, first token) arrived now.</summary>
    public void UpstreamFirstByteNow() => UpstreamFirstByte = Stopwatch.GetTimestamp();

    /// <summary>A target passed over without a call (disabled, unsupported, circuit open); returns its index in the trail.</summary>
    public int Skipped(CatalogModel target, string errorClass)
    {
        attempts.Add(new Attempt(target.PublicId, target.Provider.Id, null, errorClass, 0, "fell_back"));
        attemptSpans?.Add((null, default));
        return attempts.Count - 1;
    }

    /// <summary>An upstream call ended (served when <paramref name="errorClass"/> is null); returns its index in the trail.</summary>
    public int Attempted(CatalogModel target, int? status, string? errorClass, double latencyMs, Activity? span = null)
    {
        UpstreamStatus = status;
        attempts.Add(new Attempt(target.PublicId, target.Provider.Id, status, errorClass, latencyMs, errorClass is null ? "served" : "retried"));
        attemptSpans?.Add((span, DateTime.UtcNow));
        return attempts.Count - 1;
    }

    /// <summary>What became of an attempt once the next step was known: fell_back or failed.</summary>
    public void AttemptEnded(int index, string outcome) => attempts[index] = attempts[index] with { Outcome = outcome };

    /// <summary>The attempt that serves the request: its model is the one the record names and prices.</summary>
    public void Serving(CatalogModel model) => Model = model;

    // Relay

    public void UpstreamEndedNow() => UpstreamEnd = Stopwatch.GetTimestamp();

    /// <summary>The serving attempt's stream broke off after it had reached the client.</summary>
    public void MarkStreamBroken()
    {
        if (attempts.Count > 0) attempts[^1] = attempts[^1] with { ErrorClass = "stream_broken", Outcome = "failed" };
    }

    /// <summary>Usage as the upstream reported it.</summary>
    public void SetUsage(TokenUsage usage)
    {
        PromptTokens = usage.PromptTokens;
        CompletionTokens = usage.CompletionTokens;
        TotalTokens = usage.TotalTokens;
        CachedPromptTokens = usage.CachedPromptTokens;
        CacheCreationTokens = usage.CacheCreationTokens;
    }

    /// <summary>The upstream reported no usage: the gateway's count of the prompt (set first, so it stands even if the answer cannot be counted).</summary>
    public void EstimatedPrompt(long promptTokens) => PromptTokens = promptTokens;

    /// <summary>The gateway's count of the answer: the record is marked estimated.</summary>
    public void EstimatedCompletion(long completionTokens)
    {
        CompletionTokens = completionTokens;
        TotalTokens = PromptTokens + CompletionTokens;
        UsageEstimated = true;
    }

    /// <summary>
    /// Over the gateway's count, what a stream that ended early had reported on the way: its prompt count when it gave
    /// one, and its completion count when larger.
    /// </summary>
    public void KeepReported(TokenUsage partial)
    {
        if (partial.PromptTokens > 0)
        {
            PromptTokens = partial.PromptTokens;
            CachedPromptTokens = partial.CachedPromptTokens;
            CacheCreationTokens = partial.CacheCreationTokens;
        }
        CompletionTokens = Math.Max(CompletionTokens, partial.CompletionTokens);
        TotalTokens = PromptTokens + CompletionTokens;
    }

    // Completion

    /// <summary>Claims the request's one record: false when it was already handed to the recorder.</summary>
    public bool TryClaimRecord()
    {
        if (Recorded) return false;
        Recorded = true;
        return true;
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
            Cost = Cost,
            Streamed = Streamed,
            UpstreamTtfbMs = ttfbMs,
            UpstreamMs = upstreamMs,
            TotalMs = totalMs,
            OverheadMs = Math.Max(0, totalMs - (upstreamMs ?? 0)),
            StartedAt = StartedAt,
            Route = Route,
            DowngradedBy = DowngradedBy,
            Attempts = attempts.Count == 0 ? [] : attempts.ToArray(),
            CompletedAt = completedAt,
            TraceId = Span?.TraceId.ToHexString(),
            ClientApi = Dialect?.ApiFor(Operation),
            CacheHit = CacheSaved is not null,
            CostSaved = CacheSaved,
        };
    }
}
