using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Gateway.Api.Hosting;

/// <summary>
/// Is PostgreSQL answering? A <c>select 1</c> on a fresh connection (a pooled one could be a dead socket that hides
/// a restart), given <see cref="Timeout"/> in all. The answer is kept for <see cref="CacheFor"/> and only one check
/// runs at a time, so however often /health is called, the database sees at most about one query a second.
/// </summary>
public sealed class PostgresHealthCheck(GatewayOptions options, ILogger<PostgresHealthCheck> logger) : IHealthCheck, IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    readonly NpgsqlDataSource dataSource = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(options.Db)
    {
        Pooling = false,
        Timeout = (int)Math.Ceiling(Timeout.TotalSeconds),
        CommandTimeout = (int)Math.Ceiling(Timeout.TotalSeconds),
        ApplicationName = "gateway-health",
    }.ConnectionString).Build();
    readonly SemaphoreSlim one = new(1, 1);
    HealthCheckResult last;
    long lastAt = long.MinValue;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (Fresh()) return last;
        await one.WaitAsync(ct);
        try
        {
            if (Fresh()) return last;
            last = await QueryAsync(ct);
            lastAt = Stopwatch.GetTimestamp();
            return last;
        }
        finally
        {
            one.Release();
        }
    }

    bool Fresh() => lastAt != long.MinValue && Stopwatch.GetElapsedTime(lastAt) < CacheFor;

    async Task<HealthCheckResult> QueryAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var within = CancellationTokenSource.CreateLinkedTokenSource(ct);
        within.CancelAfter(Timeout);
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            await command.ExecuteScalarAsync(within.Token);
            return HealthCheckResult.Healthy($"select 1 answered in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms.");
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            logger.LogWarning("PostgreSQL health check failed after {Ms} ms: {Error}", Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.Message);
            return HealthCheckResult.Unhealthy($"PostgreSQL did not answer select 1 within {Timeout.TotalSeconds:0} s.");
        }
    }

    public void Dispose()
    {
        dataSource.Dispose();
        one.Dispose();
    }
}
