namespace Gateway.Api.Fleet;

/// <summary>
/// The round trips a node makes for more of one shared quota (a budget's allotment, a rate limit's window), one at a
/// time: requests that find the node's slice short while a round trip is under way join the next one, which asks for
/// all of them at once.
/// </summary>
public sealed class SliceRounds
{
    readonly object gate = new();
    SliceRound? gathering;
    bool running;

    /// <param name="starts">True when no round is under way: the caller runs them.</param>
    public SliceRound Join(decimal amount, out bool starts)
    {
        lock (gate)
        {
            gathering ??= new SliceRound();
            gathering.Add(amount);
            starts = !running;
            running = true;
            return gathering;
        }
    }

    /// <summary>The round to run next, or null (and the runner stops) when nobody is waiting.</summary>
    public SliceRound? Next()
    {
        lock (gate)
        {
            var next = gathering;
            gathering = null;
            if (next is null) running = false;
            return next;
        }
    }
}

/// <summary>One round trip: what the requests in it need together, and the smallest of them.</summary>
public sealed class SliceRound
{
    readonly TaskCompletionSource<bool> done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public decimal Demand { get; private set; }
    public decimal Minimum { get; private set; } = decimal.MaxValue;
    /// <summary>True when the round got this node more of the budget (or found it already had room).</summary>
    public Task<bool> Task => done.Task;

    internal void Add(decimal amount) => (Demand, Minimum) = (Demand + amount, Math.Min(Minimum, amount));

    public void Complete(bool granted) => done.TrySetResult(granted);
}
