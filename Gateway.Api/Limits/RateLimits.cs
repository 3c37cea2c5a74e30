using System.Collections.Concurrent;
using Gateway.Api.ControlPlane;
using Gateway.Api.Fleet;
using Gateway.Domain.Limits;
using Gateway.Projections;
using Npgsql;

namespace Gateway.Api.Limits;

/// <summary>
/// Requests-per-minute and tokens-per-minute limits of keys and teams, across every node: a sliding window of six
/// segments counted in PostgreSQL (<see cref="RateWindow"/>), from which each node takes permits in slices and spends
/// them in memory. A request waits on the database only when its node's slice of a limit is used up; requests short
/// at the same time share that round trip. Tokens are the request's estimate — prompt tokens counted with the
/// tokenizer plus its max_tokens — since the real count is only known after the call.
/// </summary>
public sealed class RateLimits(GatewayOptions options, TimeProvider time, ILogger<RateLimits> logger)
{
    readonly ConcurrentDictionary<(Guid Owner, bool Tokens), PermitPool> pools = new();

    /// <summary>Null when every limit lets the request through; else which limit refused it and when to come back.</summary>
    public async ValueTask<RateLimitRefusal?> AcquireAsync(GatewayKey key, Func<long> estimatedTokens, CancellationToken ct)
    {
        if (await RefuseAsync(key.Id, "key", false, key.RequestsPerMinute, 1, ct) is { } keyRequests) return keyRequests;
        if (await RefuseAsync(key.TeamId, "team", false, key.TeamRequestsPerMinute, 1, ct) is { } teamRequests) return teamRequests;
        if (key.TokensPerMinute is null && key.TeamTokensPerMinute is null) return null;
        var tokens = estimatedTokens();
        return await RefuseAsync(key.Id, "key", true, key.TokensPerMinute, tokens, ct) ?? await RefuseAsync(key.TeamId, "team", true, key.TeamTokensPerMinute, tokens, ct);
    }

    ValueTask<RateLimitRefusal?> RefuseAsync(Guid owner, string scope, bool tokens, int? limit, long count, CancellationToken ct)
    {
        if (limit is not { } perWindow) return new((RateLimitRefusal?)null);
        if (count > perWindow) return new(new RateLimitRefusal(scope, tokens, perWindow, count, options.RateLimitWindow));
        // One window per owner and kind whatever the limit: a changed limit applies to what the window already counted.
        var pool = pools.GetOrAdd((owner, tokens), static k => new PermitPool($"{k.Owner:N}:{(k.Tokens ? 't' : 'r')}"));
        pool.Limit = perWindow;
        var segment = RateWindow.SegmentOf(time.GetUtcNow(), options.RateLimitWindow);
        return pool.TryTake(count, segment) ? new((RateLimitRefusal?)null) : WaitForPermitsAsync(pool, scope, tokens, count, ct);
    }

    async ValueTask<RateLimitRefusal?> WaitForPermitsAsync(PermitPool pool, string scope, bool tokens, long count, CancellationToken ct)
    {
        for (var round = 0; round < 8; round++)
        {
            var granted = await pool.Rounds.JoinAsync(count, GrantRoundAsync(pool), ex => logger.LogWarning("Taking rate-limit permits failed: {Error}", ex.Message), ct);
            var segment = RateWindow.SegmentOf(time.GetUtcNow(), options.RateLimitWindow);
            if (pool.TryTake(count, segment)) return null;
            if (!granted) return new RateLimitRefusal(scope, tokens, pool.Limit, count, RetryAfter(segment));
        }
        return new RateLimitRefusal(scope, tokens, pool.Limit, count, RetryAfter(RateWindow.SegmentOf(time.GetUtcNow(), options.RateLimitWindow)));
    }

    TimeSpan RetryAfter(long segment) => RateWindow.NextSegmentAt(segment, options.RateLimitWindow) - time.GetUtcNow();

    /// <summary>One round trip for a pool: what its waiting requests need beyond the permits it holds.</summary>
    Func<SliceRound, Task<bool>> GrantRoundAsync(PermitPool pool) => async round =>
    {
        var segment = RateWindow.SegmentOf(time.GetUtcNow(), options.RateLimitWindow);
        var held = pool.Available(segment);
        var need = (long)round.Demand - held;
        // Bounded: a request waits for permits a few seconds at most, whatever the database does.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return need <= 0 || await GrantAsync(pool, segment, need, Math.Max(1, (long)round.Minimum - held), pool.Pace(segment), timeout.Token) > 0;
    };

    /// <summary>One grant, serialised per limiter by a transaction-scoped advisory lock: the window's count decides.</summary>
    async Task<long> GrantAsync(PermitPool pool, long segment, long need, long minimum, long pace, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var table = $"{options.Schema}.{RateWindowsTable.Name}";
        await using (var take = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction) { Parameters = { new() { Value = pool.Limiter } } })
            await take.ExecuteNonQueryAsync(ct);
        // The segment as of holding the lock: a grant that waited for it counts where it is used, not where it was asked for.
        segment = RateWindow.SegmentOf(time.GetUtcNow(), options.RateLimitWindow);
        await using (var read = new NpgsqlBatch(connection, transaction))
        {
            var unused = pool.TakeUnused();
            foreach (var (past, permits) in unused.Where(u => u.Segment > segment - RateWindow.Segments))
                read.BatchCommands.Add(new NpgsqlBatchCommand($"update {table} set used = greatest(0, used - $3) where limiter = $1 and segment = $2")
                {
                    Parameters = { new() { Value = pool.Limiter }, new() { Value = past }, new() { Value = permits } },
                });
            read.BatchCommands.Add(new NpgsqlBatchCommand($"select coalesce(sum(used), 0)::bigint as used from {table} where limiter = $1 and segment > $2 and segment <= $3")
            {
                Parameters = { new() { Value = pool.Limiter }, new() { Value = segment - RateWindow.Segments }, new() { Value = segment } },
            });
            await using var reader = await read.ExecuteReaderAsync(ct);
            long used = 0;
            do
            {
                if (reader.FieldCount == 1 && reader.GetName(0) == "used" && await reader.ReadAsync(ct)) used = reader.GetInt64(0);
            }
            while (await reader.NextResultAsync(ct));
            var grant = RateWindow.Grant(pool.Limit - used, need, minimum, pace);
            await reader.DisposeAsync();
            if (grant > 0)
            {
                await using var write = new NpgsqlCommand(
                    $"insert into {table} (limiter, segment, used) values ($1, $2, $3) on conflict (limiter, segment) do update set used = {table}.used + excluded.used",
                    connection, transaction) { Parameters = { new() { Value = pool.Limiter }, new() { Value = segment }, new() { Value = grant } } };
                await write.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
            if (grant > 0) pool.Granted(segment, grant);
            return grant;
        }
    }

    /// <summary>Drops the segments that are out of every window (run by the lease sweep's leader).</summary>
    public static string SweepSql(string schema) => $"delete from {schema}.{RateWindowsTable.Name} where segment < ?";
}

/// <param name="Scope">key or team.</param>
/// <param name="Tokens">True for the tokens-per-minute limit, false for requests per minute.</param>
public sealed record RateLimitRefusal(string Scope, bool Tokens, int Limit, long Requested, TimeSpan RetryAfter)
{
    public string Message => Tokens
        ? $"Rate limit reached for this {Scope} on tokens per minute: limit {Limit}, this request needs up to {Requested} (prompt and max_tokens). Try again in {Math.Ceiling(RetryAfter.TotalSeconds)} s."
        : $"Rate limit reached for this {Scope} on requests per minute: limit {Limit}. Try again in {Math.Ceiling(RetryAfter.TotalSeconds)} s.";
}
