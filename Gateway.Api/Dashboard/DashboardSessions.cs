using Npgsql;

namespace Gateway.Api.Dashboard;

/// <summary>
/// The dashboard's live sessions, in PostgreSQL so that signing out on one node ends the session on every node: the
/// cookie is a sealed ticket naming a session id, and a ticket whose session was ended (or is older than
/// <see cref="DashboardServices.SessionLifetime"/>) no longer signs anyone in, even if a copy of the cookie survives.
/// </summary>
public sealed class DashboardSessions(GatewayOptions options)
{
    string Table => $"\"{options.Schema}\".{DashboardTables.Sessions}";
    static int LifetimeSeconds => (int)DashboardServices.SessionLifetime.TotalSeconds;

    public async Task<Guid> StartAsync(Guid adminKeyId, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var connection = await OpenAsync(ct);
        // Sessions long over are dropped as new ones start: the table holds a day of sign-ins at most.
        await using (var sweep = new NpgsqlCommand($"delete from {Table} where started_at < now() - interval '1 day'", connection))
            await sweep.ExecuteNonQueryAsync(ct);
        await using var command = new NpgsqlCommand($"insert into {Table} (id, admin_key_id, started_at) values ($1, $2, now())", connection);
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(adminKeyId);
        await command.ExecuteNonQueryAsync(ct);
        return id;
    }

    public async Task<bool> IsLiveAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select exists (select 1 from {Table} where id = $1 and ended_at is null and started_at > now() - make_interval(secs => $2))", connection);
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(LifetimeSeconds);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    public async Task EndAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand($"update {Table} set ended_at = now() where id = $1 and ended_at is null", connection);
        command.Parameters.AddWithValue(id);
        await command.ExecuteNonQueryAsync(ct);
    }

    async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(options.Db);
        await connection.OpenAsync(ct);
        return connection;
    }
}
