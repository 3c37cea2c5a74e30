using Gateway.Domain.Requests;
using Gateway.Domain.Routes;

namespace Gateway.Domain.Tests;

public class UpstreamStatusTests
{
    static readonly RoutePolicy Moves = RoutePolicy.Default;
    static readonly RoutePolicy Stays = RoutePolicy.Default with { OnRateLimit = false, OnServerError = false, OnTimeout = false };

    [Theory]
    [InlineData(429, AttemptErrors.RateLimited)]
    [InlineData(408, AttemptErrors.Timeout)]
    [InlineData(504, AttemptErrors.Timeout)]
    [InlineData(500, AttemptErrors.ServerError)]
    [InlineData(502, AttemptErrors.ServerError)]
    [InlineData(503, AttemptErrors.ServerError)]
    [InlineData(529, AttemptErrors.ServerError)]
    [InlineData(400, AttemptErrors.ClientError)]
    [InlineData(401, AttemptErrors.ClientError)]
    [InlineData(404, AttemptErrors.ClientError)]
    [InlineData(422, AttemptErrors.ClientError)]
    [InlineData(302, AttemptErrors.ClientError)]
    public void each_status_has_its_error_class(int status, string errorClass) =>
        Assert.Equal(errorClass, RouteFailures.OfStatus(status, Moves).ErrorClass);

    [Theory]
    [InlineData(429)]
    [InlineData(408)]
    [InlineData(504)]
    [InlineData(500)]
    [InlineData(503)]
    public void the_route_moves_on_from_rate_limits_timeouts_and_server_errors_only_when_its_policy_says_so(int status)
    {
        Assert.True(RouteFailures.OfStatus(status, Moves).MayMoveOn);
        Assert.False(RouteFailures.OfStatus(status, Stays).MayMoveOn);
    }

    [Fact]
    public void each_kind_of_failure_follows_its_own_switch()
    {
        var onlyTimeouts = RoutePolicy.Default with { OnRateLimit = false, OnServerError = false, OnTimeout = true };
        Assert.False(RouteFailures.OfStatus(429, onlyTimeouts).MayMoveOn);
        Assert.False(RouteFailures.OfStatus(500, onlyTimeouts).MayMoveOn);
        Assert.True(RouteFailures.OfStatus(504, onlyTimeouts).MayMoveOn);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    public void the_request_s_own_fault_never_moves_on_since_another_target_would_refuse_it_too(int status) =>
        Assert.False(RouteFailures.OfStatus(status, Moves).MayMoveOn);

    [Fact]
    public void only_failures_that_say_the_target_is_unhealthy_trip_its_breaker()
    {
        Assert.True(AttemptErrors.CountsAgainstTarget(AttemptErrors.ServerError));
        Assert.True(AttemptErrors.CountsAgainstTarget(AttemptErrors.Unreachable));
        Assert.True(AttemptErrors.CountsAgainstTarget(AttemptErrors.Timeout));
        Assert.True(AttemptErrors.CountsAgainstTarget(AttemptErrors.SlowFirstToken));
        Assert.True(AttemptErrors.CountsAgainstTarget(AttemptErrors.StreamBroken));
        Assert.False(AttemptErrors.CountsAgainstTarget(AttemptErrors.RateLimited));
        Assert.False(AttemptErrors.CountsAgainstTarget(AttemptErrors.ClientError));
        Assert.False(AttemptErrors.CountsAgainstTarget(null));
    }
}

public class RetryTests
{
    [Fact]
    public void a_server_error_with_attempts_left_is_retried() =>
        Assert.True(RouteFailures.MayRetry(AttemptErrors.ServerError, mayMoveOn: true, attemptsBefore: 0, maxAttempts: 2, retryAfter: null));

    [Fact]
    public void the_last_attempt_the_route_allows_is_not_retried() =>
        Assert.False(RouteFailures.MayRetry(AttemptErrors.ServerError, mayMoveOn: true, attemptsBefore: 1, maxAttempts: 2, retryAfter: null));

    [Fact]
    public void a_failure_the_policy_does_not_move_on_from_is_not_retried() =>
        Assert.False(RouteFailures.MayRetry(AttemptErrors.RateLimited, mayMoveOn: false, attemptsBefore: 0, maxAttempts: 5, retryAfter: null));

    [Fact]
    public void the_request_s_own_fault_is_not_retried() =>
        Assert.False(RouteFailures.MayRetry(AttemptErrors.ClientError, mayMoveOn: true, attemptsBefore: 0, maxAttempts: 5, retryAfter: null));

    [Fact]
    public void a_served_attempt_is_not_retried() =>
        Assert.False(RouteFailures.MayRetry(null, mayMoveOn: false, attemptsBefore: 0, maxAttempts: 5, retryAfter: null));

    [Fact]
    public void a_retry_after_up_to_the_longest_wait_is_waited_out_and_a_longer_one_moves_on()
    {
        Assert.True(RouteFailures.MayRetry(AttemptErrors.RateLimited, true, 0, 5, RouteFailures.LongestRetryWait));
        Assert.False(RouteFailures.MayRetry(AttemptErrors.RateLimited, true, 0, 5, RouteFailures.LongestRetryWait + TimeSpan.FromMilliseconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(10), RouteFailures.LongestRetryWait);
    }
}
