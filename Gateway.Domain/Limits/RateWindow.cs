namespace Gateway.Domain.Limits;

/// <summary>
/// A sliding rate-limit window counted in segments: the window is six segments long, and a request fits when the
/// segments of the last window (the current one included) hold fewer permits than the limit. Segments are aligned to
/// the Unix epoch, so every node counts the same segment at the same instant.
/// </summary>
public static class RateWindow
{
    public const int Segments = 6;

    public static long SegmentOf(DateTimeOffset now, TimeSpan window) => now.ToUnixTimeMilliseconds() / SegmentMilliseconds(window);

    /// <summary>When the segment after <paramref name="segment"/> starts: the earliest instant a full window can have room again.</summary>
    public static DateTimeOffset NextSegmentAt(long segment, TimeSpan window) =>
        DateTimeOffset.FromUnixTimeMilliseconds((segment + 1) * SegmentMilliseconds(window));

    /// <summary>
    /// How many permits to grant a node that needs <paramref name="need"/> now (its first waiting request alone
    /// <paramref name="minimum"/>) and took <paramref name="pace"/> in this segment so far, from <paramref name="left"/>
    /// left in the window: what is waiting, plus as much again as its pace, never more than half of the rest.
    /// </summary>
    public static long Grant(long left, long need, long minimum, long pace)
    {
        if (left <= 0 || left < minimum) return 0;
        if (left <= need) return left;
        return need + Math.Min(Math.Max(0, pace), (left - need) / 2);
    }

    static long SegmentMilliseconds(TimeSpan window) => Math.Max(1, (long)window.TotalMilliseconds / Segments);
}
