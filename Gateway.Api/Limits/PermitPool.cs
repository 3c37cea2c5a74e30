using Gateway.Api.Fleet;

namespace Gateway.Api.Limits;

/// <summary>
/// What this node holds of one rate limit in the current segment: permits it was granted from the fleet's window and
/// has not used. Permits not used by the end of their segment are dropped (they were counted as used), so the fleet
/// never passes the limit; what it costs is permits a node took and did not need.
/// </summary>
public sealed class PermitPool(string limiter, int limit)
{
    readonly object gate = new();
    long segment = -1, available, taken;

    /// <summary><c>{owner:N}:{r|t}:{limit}</c>: the row name in the fleet's window table.</summary>
    public string Limiter { get; } = limiter;
    public int Limit { get; } = limit;
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

    /// <summary>What this node has taken in the segment so far: the pace its next grant follows.</summary>
    public long Pace(long now)
    {
        lock (gate)
        {
            Roll(now);
            return taken;
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
        }
    }

    void Roll(long now)
    {
        if (now <= segment) return;
        (segment, available, taken) = (now, 0, 0);
    }
}
