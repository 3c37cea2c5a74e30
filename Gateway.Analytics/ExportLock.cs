using Npgsql;

namespace Gateway.Analytics;

/// <summary>
/// Only one exporter at a time, whatever the number of gateway nodes and commands: a PostgreSQL session-level
/// advisory lock, held by the connection for as long as it stays open.
/// </summary>
public sealed class ExportLock : IAsyncDisposable
{
    const long LockId = 0x6761_7465_7761_79; // "gateway"

    readonly NpgsqlConnection connection;

    ExportLock(NpgsqlConnection connection) => this.connection = connection;

    /// <returns>The held lock, or null when another exporter holds it.</returns>
    public static async Task<ExportLock?> TryTakeAsync(string postgres, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock($1)", connection);
        command.Parameters.AddWithValue(LockId);
        if ((bool)(await command.ExecuteScalarAsync(ct))!) return new ExportLock(connection);
        await connection.DisposeAsync();
        return null;
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
