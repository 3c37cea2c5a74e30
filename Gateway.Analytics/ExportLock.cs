using Npgsql;

namespace Gateway.Analytics;

/// <summary>
/// Only one exporter at a time per event store, whatever the number of gateway nodes and commands: a PostgreSQL
/// session-level advisory lock, held by the connection for as long as it stays open. Lock ids are per job and per
/// Marten schema, so gateways whose event stores share one database in different schemas never wait on each other.
/// </summary>
public sealed class ExportLock : IAsyncDisposable
{
    /// <summary>The DuckDB exporter's lock.</summary>
    public static long ExportLockId(string schema) => IdFor("analytics-export", schema);

    /// <summary>The lock of the hash-chain writer (see docs/audit.md): a different job, held independently.</summary>
    public static long ChainLockId(string schema) => IdFor("event-chain", schema);

    /// <summary>The lock of the request-body retention sweep.</summary>
    public static long BodyRetentionLockId(string schema) => IdFor("body-retention", schema);

    /// <summary>
    /// A lock id that every process computes alike: the first 8 bytes of SHA-256 over job and schema (lower-cased, as
    /// PostgreSQL folds the unquoted name).
    /// </summary>
    public static long IdFor(string job, string schema) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes($"gateway:{job}:{schema.ToLowerInvariant()}")));

    readonly NpgsqlConnection connection;
    readonly long lockId;

    ExportLock(NpgsqlConnection connection, long lockId) => (this.connection, this.lockId) = (connection, lockId);

    /// <returns>The held lock, or null when another exporter holds it.</returns>
    public static async Task<ExportLock?> TryTakeAsync(string postgres, CancellationToken ct, long lockId)
    {
        var connection = new NpgsqlConnection(postgres);
        try
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("select pg_try_advisory_lock($1)", connection);
            command.Parameters.AddWithValue(lockId);
            if ((bool)(await command.ExecuteScalarAsync(ct))!) return new ExportLock(connection, lockId);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>
    /// Unlocks, then closes. Closing alone would not do: the connection goes back to Npgsql's pool with its session,
    /// and the lock, alive until its next use. When the unlock fails the connection is broken, and a broken connection
    /// is not pooled: its session, and the lock, end with it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("select pg_advisory_unlock($1)", connection);
            command.Parameters.AddWithValue(lockId);
            await command.ExecuteScalarAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
