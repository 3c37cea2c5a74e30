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

    /// <summary>
    /// Waits for the next round trip that covers <paramref name="amount"/>; when none is under way this call starts the
    /// runner, which runs <paramref name="grant"/> for one round after another until nobody is waiting.
    /// </summary>
    /// <param name="grant">One round trip: true when it got this node more (or found it already had room).</param>
    /// <param name="failed">Told of a round trip that threw; its round completes as not granted.</param>
    public Task<bool> JoinAsync(decimal amount, Func<SliceRound, Task<bool>> grant, Action<Exception> failed, CancellationToken ct)
    {
        SliceRound round;
        bool starts;
        lock (gate)
        {
            gathering ??= new SliceRound();
            gathering.Add(amount);
            round = gathering;
            starts = !running;
            running = true;
        }
        if (starts) _ = RunAsync(grant, failed);
        return round.Task.WaitAsync(ct);
    }

    async Task RunAsync(Func<SliceRound, Task<bool>> grant, Action<Exception> failed)
    {
        while (Next() is { } round)
        {
            var granted = false;
            try { granted = await grant(round); }
            catch (Exception ex) { failed(ex); }
            round.Complete(granted);
        }
    }

    /// <summary>The round to run next, or null (and the runner stops) when nobody is waiting.</summary>
    SliceRound? Next()
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

    internal void Complete(bool granted) => done.TrySetResult(granted);
}
