using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Gateway.Domain.Budgets;
using Gateway.Domain.Requests;

namespace Gateway.Analytics;

/// <summary>
/// Turns a request or budget event's JSON, as PostgreSQL hands out the jsonb (UTF-8), straight into Appender rows.
/// Strings go from the event's bytes to DuckDB's as UTF-8 (ids, models and routes are never made into .NET strings),
/// numbers and times are read by <see cref="Utf8JsonReader"/>. Decoding into the domain records first cost as much
/// as reading the events from PostgreSQL (see bench/README.md). Property names come from the domain records, so a
/// renamed field cannot silently drop a column; a missing required field fails the round like a decoding error.
/// </summary>
internal sealed class EventRows
{
    // Columns of `requests`, in the order the table declares them (after seq).
    // The first ten are the string columns of `requests`, in the order the table declares them.
    readonly PropertyNames request = new(
        nameof(RequestCompleted.RequestId), nameof(RequestCompleted.AccountId), nameof(RequestCompleted.TeamId),
        nameof(RequestCompleted.KeyId), nameof(RequestCompleted.Route), nameof(RequestCompleted.ModelAsked),
        nameof(RequestCompleted.ModelServed), nameof(RequestCompleted.ProviderId), nameof(RequestCompleted.CredentialKind),
        nameof(RequestCompleted.ErrorCode),
        nameof(RequestCompleted.Status), nameof(RequestCompleted.Streamed),
        nameof(RequestCompleted.PromptTokens), nameof(RequestCompleted.CompletionTokens), nameof(RequestCompleted.CachedPromptTokens),
        nameof(RequestCompleted.UsageEstimated), nameof(RequestCompleted.Cost), nameof(RequestCompleted.UpstreamTtfbMs),
        nameof(RequestCompleted.UpstreamMs), nameof(RequestCompleted.OverheadMs), nameof(RequestCompleted.TotalMs),
        nameof(RequestCompleted.StartedAt), nameof(RequestCompleted.Attempts),
        nameof(RequestCompleted.CacheHit), nameof(RequestCompleted.CostSaved), nameof(RequestCompleted.ClientApi));

    const int Texts = 10, RequestId = 0, TeamId = 2, KeyId = 3, ModelAsked = 5, ErrorCode = 9;

    readonly PropertyNames attempt = new(
        nameof(Attempt.Model), nameof(Attempt.ProviderId), nameof(Attempt.Status), nameof(Attempt.ErrorClass),
        nameof(Attempt.LatencyMs), nameof(Attempt.Outcome));

    readonly PropertyNames debit = new(nameof(BudgetDebited.RequestId), nameof(BudgetDebited.Amount), nameof(BudgetDebited.Budgets));

    readonly PropertyNames charge = new(nameof(BudgetCharge.BudgetId), nameof(BudgetCharge.PeriodStart));

    // One event's values, reused from event to event.
    readonly Utf8[] texts = new Utf8[Texts];
    readonly List<AttemptValues> attempts = [];
    readonly List<(Utf8 Budget, DateTime PeriodStart)> charges = [];

    /// <summary>Appends the `requests` row and the `attempts` rows of one RequestCompleted event.</summary>
    public void AppendRequest(DuckDBAppender requests, DuckDBAppender attemptRows, long seq, byte[] buffer, int offset, int length)
    {
        Array.Clear(texts);
        attempts.Clear();
        int status = 0;
        long prompt = 0, completion = 0, cached = 0;
        bool streamed = false, estimated = false, seenStatus = false, seenTotal = false, seenOverhead = false, seenStarted = false, cacheHit = false;
        decimal cost = 0, saved = 0;
        Utf8 clientApi = default;
        double? ttfb = null, upstream = null;
        double overhead = 0, total = 0;
        var started = default(DateTime);

        var reader = new Utf8JsonReader(buffer.AsSpan(offset, length));
        reader.Read();
        var previous = PropertyNames.Start;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = request.Match(ref reader, ref previous);
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null) continue;
            switch (field)
            {
                case >= 0 and < Texts: texts[field] = Utf8.Of(ref reader, buffer, offset); break;
                case 10: status = reader.GetInt32(); seenStatus = true; break;
                case 11: streamed = reader.GetBoolean(); break;
                case 12: prompt = reader.GetInt64(); break;
                case 13: completion = reader.GetInt64(); break;
                case 14: cached = reader.GetInt64(); break;
                case 15: estimated = reader.GetBoolean(); break;
                case 16: cost = reader.GetDecimal(); break;
                case 17: ttfb = reader.GetDouble(); break;
                case 18: upstream = reader.GetDouble(); break;
                case 19: overhead = reader.GetDouble(); seenOverhead = true; break;
                case 20: total = reader.GetDouble(); seenTotal = true; break;
                case 21: started = reader.GetDateTimeOffset().UtcDateTime; seenStarted = true; break;
                case 22: ReadAttempts(ref reader, buffer, offset); break;
                case 23: cacheHit = reader.GetBoolean(); break;
                case 24: saved = reader.GetDecimal(); break;
                case 25: clientApi = Utf8.Of(ref reader, buffer, offset); break;
                default: reader.Skip(); break;
            }
        }

        Require(seq, texts[RequestId], nameof(RequestCompleted.RequestId));
        Require(seq, texts[KeyId], nameof(RequestCompleted.KeyId));
        Require(seq, texts[TeamId], nameof(RequestCompleted.TeamId));
        Require(seq, texts[ModelAsked], nameof(RequestCompleted.ModelAsked));
        if (!(seenStatus && seenTotal && seenOverhead && seenStarted))
            throw new InvalidDataException($"request event {seq} lacks its status, times or start");

        var fellBack = false;
        foreach (var a in attempts) fellBack |= a.Outcome.Is("fell_back"u8, buffer);

        var row = requests.CreateRow().AppendValue(seq).AppendValue(started);
        for (var i = 0; i < ErrorCode; i++) row = row.Text(texts[i], buffer);
        row.AppendValue(status).Text(texts[ErrorCode], buffer).AppendValue(attempts.Count).AppendValue(fellBack).AppendValue(streamed)
            .AppendValue(prompt).AppendValue(completion).AppendValue(cached).AppendValue(estimated)
            .AppendValue(cost).AppendValue(ttfb).AppendValue(upstream).AppendValue(overhead).AppendValue(total)
            .AppendValue(cacheHit).AppendValue(saved).Text(clientApi, buffer)
            .EndRow();

        for (var i = 0; i < attempts.Count; i++)
        {
            var a = attempts[i];
            attemptRows.CreateRow().AppendValue(seq).AppendValue(started).Text(texts[RequestId], buffer).AppendValue(i + 1)
                .Text(a.Model, buffer).Text(a.Provider, buffer).AppendValue(a.Status).Text(a.ErrorClass, buffer)
                .AppendValue(a.LatencyMs).Text(a.Outcome, buffer).EndRow();
        }
    }

    void ReadAttempts(ref Utf8JsonReader reader, byte[] buffer, int offset)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var values = new AttemptValues();
            var previous = PropertyNames.Start;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = attempt.Match(ref reader, ref previous);
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) continue;
                switch (field)
                {
                    case 0: values.Model = Utf8.Of(ref reader, buffer, offset); break;
                    case 1: values.Provider = Utf8.Of(ref reader, buffer, offset); break;
                    case 2: values.Status = reader.GetInt32(); break;
                    case 3: values.ErrorClass = Utf8.Of(ref reader, buffer, offset); break;
                    case 4: values.LatencyMs = reader.GetDouble(); break;
                    case 5: values.Outcome = Utf8.Of(ref reader, buffer, offset); break;
                    default: reader.Skip(); break;
                }
            }
            if (values.Model.IsNull || values.Provider.IsNull || values.Outcome.IsNull)
                throw new InvalidDataException("an attempt lacks its model, provider or outcome");
            attempts.Add(values);
        }
    }

    /// <summary>Appends one `budget_debits` row per budget a BudgetDebited event charged.</summary>
    public void AppendDebits(DuckDBAppender debits, long seq, DateTime at, byte[] buffer, int offset, int length)
    {
        charges.Clear();
        var requestId = default(Utf8);
        decimal? amount = null;
        var reader = new Utf8JsonReader(buffer.AsSpan(offset, length));
        reader.Read();
        var previous = PropertyNames.Start;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = debit.Match(ref reader, ref previous);
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null) continue;
            switch (field)
            {
                case 0: requestId = Utf8.Of(ref reader, buffer, offset); break;
                case 1: amount = reader.GetDecimal(); break;
                case 2: ReadCharges(ref reader, buffer, offset); break;
                default: reader.Skip(); break;
            }
        }
        Require(seq, requestId, nameof(BudgetDebited.RequestId));
        if (amount is null) throw new InvalidDataException($"budget event {seq} lacks its amount");
        foreach (var (budget, periodStart) in charges)
            debits.CreateRow().AppendValue(seq).AppendValue(at).Text(requestId, buffer).Text(budget, buffer)
                .AppendValue(periodStart).AppendValue(amount).EndRow();
    }

    void ReadCharges(ref Utf8JsonReader reader, byte[] buffer, int offset)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            Utf8 budget = default;
            DateTime? periodStart = null;
            var previous = PropertyNames.Start;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = charge.Match(ref reader, ref previous);
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) continue;
                switch (field)
                {
                    case 0: budget = Utf8.Of(ref reader, buffer, offset); break;
                    case 1: periodStart = reader.GetDateTimeOffset().UtcDateTime; break;
                    default: reader.Skip(); break;
                }
            }
            if (budget.IsNull || periodStart is null) throw new InvalidDataException("a budget charge lacks its budget or period");
            charges.Add((budget, periodStart.Value));
        }
    }

    static void Require(long seq, Utf8 value, string name)
    {
        if (value.IsNull) throw new InvalidDataException($"event {seq} lacks {JsonNamingPolicy.CamelCase.ConvertName(name)}");
    }

    struct AttemptValues
    {
        public Utf8 Model, Provider, ErrorClass, Outcome;
        public int? Status;
        public double LatencyMs;
    }

    /// <summary>
    /// Matches property names against a record's, camelCased as Marten stores them. PostgreSQL hands jsonb keys out in
    /// one fixed order, so the name after each name is remembered and tried first: one comparison per property.
    /// </summary>
    sealed class PropertyNames
    {
        public const int Start = -1;
        readonly byte[][] names;
        readonly int[] after; // after[i + 1]: the property seen last time after property i (Start is -1)

        public PropertyNames(params string[] properties)
        {
            names = properties.Select(p => Encoding.UTF8.GetBytes(JsonNamingPolicy.CamelCase.ConvertName(p))).ToArray();
            after = new int[names.Length + 1];
            Array.Fill(after, -1);
        }

        /// <summary>The index of the current property name, or -1 for a property the table has no column for.</summary>
        public int Match(ref Utf8JsonReader reader, ref int previous)
        {
            var guess = after[previous + 1];
            if (guess >= 0 && reader.ValueTextEquals(names[guess])) return previous = guess;
            for (var i = 0; i < names.Length; i++)
            {
                if (!reader.ValueTextEquals(names[i])) continue;
                after[previous + 1] = i;
                return previous = i;
            }
            return -1; // not exported: keeps `previous`, so the next known name is still guessed from it
        }
    }
}

/// <summary>
/// A string value of the event: where its UTF-8 bytes are in the slice's buffer, or its own array if it had escapes.
/// The default is null (JSON null or absent): a value in the buffer never starts at 0, its opening quote comes first.
/// </summary>
internal readonly struct Utf8(byte[]? own, int offset, int length)
{
    public bool IsNull => own is null && offset == 0;

    public static Utf8 Of(ref Utf8JsonReader reader, byte[] buffer, int offset)
    {
        if (reader.TokenType != JsonTokenType.String) throw new InvalidDataException($"expected a string, found {reader.TokenType}");
        if (!reader.ValueIsEscaped) return new Utf8(null, offset + (int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
        var unescaped = new byte[reader.ValueSpan.Length];
        return new Utf8(unescaped, 0, reader.CopyString(unescaped));
    }

    public Span<byte> Span(byte[] buffer) => (own ?? buffer).AsSpan(offset, length);

    public bool Is(ReadOnlySpan<byte> text, byte[] buffer) => !IsNull && Span(buffer).SequenceEqual(text);
}

internal static class AppenderRowText
{
    public static IDuckDBAppenderRow Text(this IDuckDBAppenderRow row, Utf8 value, byte[] buffer) =>
        value.IsNull ? row.AppendNullValue() : row.AppendValue(value.Span(buffer));
}
