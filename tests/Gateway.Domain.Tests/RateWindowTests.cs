using Gateway.Domain.Limits;

namespace Gateway.Domain.Tests;

public class RateWindowTests
{
    [Fact]
    public void segments_are_sixths_of_the_window_aligned_to_the_epoch()
    {
        var window = TimeSpan.FromMinutes(1);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000_009_999);
        Assert.Equal(100_000_000, RateWindow.SegmentOf(at, window));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_000_000_010_000), RateWindow.NextSegmentAt(RateWindow.SegmentOf(at, window), window));
    }

    [Fact]
    public void a_grant_covers_what_waits_plus_the_pace_and_leaves_half_of_the_rest()
    {
        Assert.Equal(0, RateWindow.Grant(left: 0, need: 3, minimum: 1, pace: 10));
        Assert.Equal(2, RateWindow.Grant(left: 2, need: 3, minimum: 1, pace: 10));
        Assert.Equal(3 + 10, RateWindow.Grant(left: 60, need: 3, minimum: 1, pace: 10));
        Assert.Equal(3 + 28, RateWindow.Grant(left: 60, need: 3, minimum: 1, pace: 100));
        Assert.Equal(0, RateWindow.Grant(left: 50, need: 100, minimum: 100, pace: 0));
    }
}
