using DuckDB.NET.Data;

namespace Gateway.Analytics;

/// <summary>Running usage of one gateway key: its requests' totals, as far as the export has reached.</summary>
public sealed record KeyUsage(Guid Id, Guid TeamId, long Requests, long FailedRequests, long PromptTokens, long CompletionTokens,
    long TotalTokens, long CachedPromptTokens, decimal Cost, DateTimeOffset? LastRequestAt);

/// <summary>
/// A key's usage, summed over its exported requests. It used to be a projection the async daemon folded from every
/// request event in PostgreSQL; the export already reads each of them once, so the key's totals are a scan of its
/// column here instead (bench/README.md, "Third pass").
/// </summary>
public static class KeyUsageQuery
{
    public static KeyUsage Run(DuckDBConnection db, Guid keyId, Guid teamId)
    {
        using var command = db.CreateCommand();
        command.CommandText = """
            select count(*), count(*) filter (where status >= 400), coalesce(sum(prompt_tokens), 0)::bigint,
                   coalesce(sum(completion_tokens), 0)::bigint, coalesce(sum(cached_tokens), 0)::bigint, coalesce(sum(cost), 0), max(time)
            from requests where key_id = $key
            """;
        command.Parameters.Add(new DuckDBParameter("key", keyId.ToString()));
        using var reader = command.ExecuteReader();
        reader.Read();
        long Long(int i) => reader.GetInt64(i);
        var prompt = Long(2);
        var completion = Long(3);
        DateTimeOffset? last = reader.IsDBNull(6) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(6), DateTimeKind.Utc));
        return new KeyUsage(keyId, teamId, Long(0), Long(1), prompt, completion, prompt + completion, Long(4), reader.GetDecimal(5), last);
    }
}
