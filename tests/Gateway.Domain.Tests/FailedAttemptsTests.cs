using Gateway.Domain.Requests;

namespace Gateway.Domain.Tests;

public class FailedAttemptsTests
{
    static readonly Guid Provider = Guid.NewGuid();

    static Attempt Tried(string model, string errorClass, int? status) => new(model, Provider, status, errorClass, 1.5, "fell_back");

    static LastAttempt Last(string errorClass, int? status = null, string? message = null, string? code = null, TimeSpan? retryAfter = null) =>
        new(errorClass, status, message, code, retryAfter, "mock");

    static ClientError Single(LastAttempt last) =>
        FailedAttempts.Answer([Tried("mock/a", last.ErrorClass!, last.Status)], null, singleTarget: true, timeBudgetSpent: false, last);

    [Fact]
    public void a_rate_limited_upstream_is_a_429_with_its_message_and_its_retry_after_rounded_up()
    {
        var error = Single(Last(AttemptErrors.RateLimited, 429, "slow down", retryAfter: TimeSpan.FromSeconds(1.2)));
        Assert.Equal(new ClientError(429, "Provider 'mock' is rate limiting requests: slow down", ErrorTypes.RateLimit, "rate_limit_exceeded", null, 2), error);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public void a_refused_provider_credential_is_the_gateway_s_problem_not_the_client_s(int status)
    {
        var error = Single(Last(AttemptErrors.ClientError, status, "bad key"));
        Assert.Equal(new ClientError(502, $"Provider 'mock' refused the credential (HTTP {status}).", ErrorTypes.Upstream, "upstream_auth_failed"), error);
    }

    [Fact]
    public void a_rejected_request_keeps_the_upstream_s_status_and_code()
    {
        Assert.Equal(new ClientError(422, "Provider 'mock' rejected the request: bad field", ErrorTypes.InvalidRequest, "invalid_field"),
            Single(Last(AttemptErrors.ClientError, 422, "bad field", "invalid_field")));
        Assert.Equal("upstream_rejected", Single(Last(AttemptErrors.ClientError, 400)).Code);
        Assert.Equal("Provider 'mock' rejected the request", Single(Last(AttemptErrors.ClientError, 400)).Message);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(529)]
    public void an_overloaded_upstream_is_a_503(int status)
    {
        var error = Single(Last(AttemptErrors.ServerError, status, "busy", retryAfter: TimeSpan.FromSeconds(3)));
        Assert.Equal(new ClientError(503, $"Provider 'mock' is overloaded or unavailable (HTTP {status}): busy", ErrorTypes.Upstream, "upstream_overloaded", null, 3), error);
    }

    [Fact]
    public void another_server_error_is_a_502_naming_its_status() =>
        Assert.Equal(new ClientError(502, "Provider 'mock' failed with HTTP 500", ErrorTypes.Upstream, "upstream_error"), Single(Last(AttemptErrors.ServerError, 500)));

    [Fact]
    public void timeouts_are_504s_told_from_the_status_or_the_attempt_s_own_message()
    {
        Assert.Equal(new ClientError(504, "Provider 'mock' timed out (HTTP 408)", ErrorTypes.Upstream, "upstream_timeout"), Single(Last(AttemptErrors.Timeout, 408, "ignored")));
        Assert.Equal(new ClientError(504, "Provider 'mock' did not answer within 50 ms.", ErrorTypes.Upstream, "upstream_timeout"),
            Single(Last(AttemptErrors.Timeout, null, "Provider 'mock' did not answer within 50 ms.")));
        Assert.Equal("The provider timed out.", Single(Last(AttemptErrors.SlowFirstToken)).Message);
    }

    [Fact]
    public void unreachable_broken_and_out_of_rotation_targets_say_so()
    {
        Assert.Equal(new ClientError(502, "gone", ErrorTypes.Upstream, "upstream_unreachable"), Single(Last(AttemptErrors.Unreachable, null, "gone")));
        Assert.Equal(new ClientError(502, "cut", ErrorTypes.Upstream, "stream_interrupted"), Single(Last(AttemptErrors.StreamBroken, 200, "cut")));
        Assert.Equal(new ClientError(503, "'mock/a' is out of rotation.", ErrorTypes.Upstream, "circuit_open"), Single(Last(AttemptErrors.CircuitOpen, null, "'mock/a' is out of rotation")));
    }

    [Fact]
    public void a_retry_after_is_passed_on_only_for_rate_limits_and_server_errors() =>
        Assert.Null(Single(Last(AttemptErrors.Timeout, 504, retryAfter: TimeSpan.FromSeconds(5))).RetryAfterSeconds);

    [Fact]
    public void the_upstream_s_message_is_quoted_only_for_rate_limits_server_and_client_errors() =>
        Assert.Equal("Provider 'mock' timed out (HTTP 504)", Single(Last(AttemptErrors.Timeout, 504, "upstream said this")).Message);

    [Fact]
    public void no_attempt_at_all_means_no_target_was_available()
    {
        Assert.Equal(new ClientError(503, "No target of this route is available.", ErrorTypes.Upstream, "no_target_available"),
            FailedAttempts.Answer([], null, singleTarget: true, timeBudgetSpent: false, null));
        Assert.Equal("Route 'smart': its time budget ran out after all 0 attempts failed (). No target of this route is available.",
            FailedAttempts.Answer([], "smart", singleTarget: false, timeBudgetSpent: true, null).Message);
    }

    [Fact]
    public void targets_only_passed_over_mean_no_target_was_available()
    {
        var error = FailedAttempts.Answer([Tried("mock/a", AttemptErrors.Disabled, null)], "smart", singleTarget: false, timeBudgetSpent: false,
            new LastAttempt(AttemptErrors.Disabled, null, "'mock/a' is disabled", null, null, "mock"));
        Assert.Equal("Route 'smart': all 1 attempts failed (mock/a: disabled). No target of this route is available.", error.Message);
        Assert.Equal(503, error.Status);
    }

    [Fact]
    public void a_route_names_every_attempt_with_its_class_and_status_then_the_last_error()
    {
        Attempt[] trail = [Tried("mock/a", AttemptErrors.Timeout, null), Tried("mock/b", AttemptErrors.ServerError, 500), Tried("mock/c", AttemptErrors.RateLimited, 429)];
        var error = FailedAttempts.Answer(trail, "smart", singleTarget: false, timeBudgetSpent: false, Last(AttemptErrors.RateLimited, 429, "slow down"));
        Assert.Equal("Route 'smart': all 3 attempts failed (mock/a: timeout; mock/b: server_error 500; mock/c: rate_limited 429). " +
            "Provider 'mock' is rate limiting requests: slow down", error.Message);
        Assert.Equal(429, error.Status);
    }

    [Fact]
    public void a_spent_time_budget_is_named_in_the_summary()
    {
        var error = FailedAttempts.Answer([Tried("mock/a", AttemptErrors.Timeout, null)], "smart", singleTarget: false, timeBudgetSpent: true,
            Last(AttemptErrors.Timeout, null, "the route's time budget ran out"));
        Assert.Equal("Route 'smart': its time budget ran out after all 1 attempts failed (mock/a: timeout). the route's time budget ran out", error.Message);
    }

    [Fact]
    public void a_plain_model_retried_on_its_one_target_is_summarised_without_a_route_name()
    {
        Attempt[] trail = [Tried("mock/a", AttemptErrors.ServerError, 500), Tried("mock/a", AttemptErrors.ServerError, 502)];
        var error = FailedAttempts.Answer(trail, null, singleTarget: true, timeBudgetSpent: false, Last(AttemptErrors.ServerError, 502));
        Assert.Equal("all 2 attempts failed (mock/a: server_error 500; mock/a: server_error 502). Provider 'mock' failed with HTTP 502", error.Message);
    }

    [Fact]
    public void an_attempt_with_no_provider_is_told_as_the_provider() =>
        Assert.Equal("The provider failed with HTTP 500",
            FailedAttempts.Answer([], null, true, false, new LastAttempt(AttemptErrors.ServerError, 500, null, null, null, null)).Message);
}
