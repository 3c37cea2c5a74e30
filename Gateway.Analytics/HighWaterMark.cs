using Npgsql;

namespace Gateway.Analytics;

/// <summary>
/// Marten's high-water mark: every event at or below it has committed (or its sequence number was never used), so a
/// reader that stops there never skips a lower sequence still committing. Readers of the event table follow it.
/// </summary>
public static class HighWaterMark
{
    public static async Task<long> ReadAsync(NpgsqlConnection pg, string schema, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select coalesce((select last_seq_id from {schema}.mt_event_progression where name = 'HighWaterMark'), 0)", pg);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }
}
