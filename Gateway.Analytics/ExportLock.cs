using Npgsql;

namespace Gateway.Analytics;

/// <summary>
/// Only one exporter at a time, whatever the number of gateway nodes and commands: a PostgreSQL session-level
/// advisory lock, held by the connection for as long as it stays open.
/// </summary>
public sealed class ExportLock : IAsyncDisposable
{
    public const long ExportLockId = 0x6761_7465_7761_79; // "gateway"

    /// <summary>The lock of the hash-chain writer (see docs/audit.md): a different job, held independently.</summary>
    public const long ChainLockId = 0x6761_7465_6368_6e; // "gatechn"

    readonly NpgsqlConnection connection;

    ExportLock(NpgsqlConnection connection) => this.connection = connection;

    /// <returns>The held lock, or null when another exporter holds it.</returns>
    public static async Task<ExportLock?> TryTakeAsync(string postgres, CancellationToken ct, long lockId = ExportLockId)
    {
        var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock($1)", connection);
        command.Parameters.AddWithValue(lockId);
        if ((bool)(await command.ExecuteScalarAsync(ct))!) return new ExportLock(connection);
        await connection.DisposeAsync();
        return null;
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
