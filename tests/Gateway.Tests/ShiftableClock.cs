namespace Gateway.Tests;

/// <summary>
/// The gateway's clock in tests: real time, plus an offset a test can move forward (key expiry, rotation grace,
/// budget periods) and must put back. Everything in the gateway that reads the time reads this one.
/// </summary>
public sealed class ShiftableClock : TimeProvider
{
    long offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref offsetTicks));

    /// <summary>Moves the clock forward; dispose the result to move it back.</summary>
    public IDisposable Shift(TimeSpan by)
    {
        Interlocked.Add(ref offsetTicks, by.Ticks);
        return new Restore(this, by);
    }

    sealed class Restore(ShiftableClock clock, TimeSpan by) : IDisposable
    {
        public void Dispose() => Interlocked.Add(ref clock.offsetTicks, -by.Ticks);
    }
}
