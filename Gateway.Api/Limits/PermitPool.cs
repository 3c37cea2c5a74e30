using Gateway.Api.Fleet;

namespace Gateway.Api.Limits;

/// <summary>
/// What this node holds of one rate limit in the current segment: permits it was granted from the fleet's window and
/// has not used. Permits are only used in the segment they were counted in, so the fleet never passes the limit; those
/// a node did not use by the segment's end (or that arrived after it) are given back to that segment with the node's
/// next grant, so that they do not stay counted as used.
/// </summary>
public sealed class PermitPool(string limiter)
{
    readonly object gate = new();
    long segment = -1, available, taken, takenBefore;
    List<(long Segment, long Permits)> unused = [];

    /// <summary><c>{owner:N}:{r|t}</c>: the row name in the fleet's window table.</summary>
    public string Limiter { get; } = limiter;
    /// <summary>The limit as this node last heard of it (a change applies to the window as counted so far).</summary>
    public volatile int Limit;
    public SliceRounds Rounds { get; } = new();

    public bool TryTake(long count, long now)
    {
        lock (gate)
        {
            Roll(now);
            if (available < count) return false;
            available -= count;
            taken += count;
            return true;
        }
    }

    /// <summary>
    /// The pace its next grant follows: what this node has taken in the segment so far, or in the whole segment before
    /// when that was more (so a busy limiter starts a segment with one round trip, not a series of small ones).
    /// </summary>
    public long Pace(long now)
    {
        lock (gate)
        {
            Roll(now);
            return Math.Max(taken, takenBefore);
        }
    }

    public long Available(long now)
    {
        lock (gate)
        {
            Roll(now);
            return available;
        }
    }

    public void Granted(long inSegment, long permits)
    {
        lock (gate)
        {
            Roll(inSegment);
            if (inSegment == segment) available += permits;
            else unused.Add((inSegment, permits));
        }
    }

    /// <summary>Permits counted in past segments that this node did not use: to give back with the next grant.</summary>
    public List<(long Segment, long Permits)> TakeUnused()
    {
        lock (gate)
        {
            if (unused.Count == 0) return [];
            var taken = unused;
            unused = [];
            return taken;
        }
    }

    void Roll(long now)
    {
        if (now <= segment) return;
        if (available > 0) unused.Add((segment, available));
        takenBefore = now == segment + 1 ? taken : 0;
        (segment, available, taken) = (now, 0, 0);
    }
}
