using JasperFx.Events;

namespace Gateway.Projections;

public static class EventTime
{
    /// <summary>
    /// The event's timestamp as PostgreSQL keeps it (microseconds). An inline projection sees the time the session
    /// stamped, with .NET's 100 ns ticks; a replay sees the stored one. Truncating both the same way makes a view
    /// rebuilt from the events equal the live one.
    /// </summary>
    public static DateTimeOffset At(this IEvent e) => new(e.Timestamp.Ticks - e.Timestamp.Ticks % 10, e.Timestamp.Offset);
}
