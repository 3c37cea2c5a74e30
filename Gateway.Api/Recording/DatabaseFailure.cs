using Npgsql;

namespace Gateway.Api.Recording;

/// <summary>
/// What a failed database call may say in a log line: PostgreSQL's error code and primary message, or the kind of
/// connection trouble. Never an exception's whole message: Marten's wrappers quote the command, and a command that
/// writes bodies carries prompt text in its parameters.
/// </summary>
public static class DatabaseFailure
{
    public static string Describe(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            // MessageText is the primary message only; Detail (which may quote a value) is left out.
            if (e is PostgresException pg) return $"PostgreSQL {pg.SqlState}: {pg.MessageText}";
        }
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case System.Net.Sockets.SocketException socket: return $"connection failed ({socket.SocketErrorCode})";
                case EndOfStreamException or IOException: return "connection lost";
                case TimeoutException: return "timed out";
                case NpgsqlException { IsTransient: true }: return "connection failed";
            }
        }
        return ex.GetType().Name;
    }
}
