using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Domain.Requests;
using MockProvider;

namespace Gateway.Tests.Routing;

/// <summary>A provider's failure must not become the user's: a route moves on to its fallbacks, and says so on the record.</summary>
[Collection(GatewayCollection.Name)]
public class FallbackTests(GatewayFixture gateway)
{
    /// <summary>
    /// .NET timers on Linux run on the coarse monotonic clock, which can trail <see cref="Stopwatch"/> by one kernel
    /// tick (up to 10 ms), so a 300 ms timeout can be seen to fire at 291 ms. The bounds below allow that tick and no more.
    /// </summary>
    private const int TimerTickMs = 10;

    [Theory]
    [InlineData(429, "rate_limited")]
    [InlineData(500, "server_error")]
    [InlineData(503, "server_error")]
    public async Task a_failing_primary_falls_back_and_the_trail_says_why(int status, string errorClass)
    {
        var key = await gateway.NewKeyAsync();
        var primary = await gateway.NewModelAsync(provider: "mock-anthropic");
        var fallback = await gateway.NewModelAsync(input: 5m, output: 10m);
        gateway.SetBehavior(primary, new ModelBehavior { Status = status });
        var route = await gateway.NewRouteAsync(null, primary, fallback);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(route, "Hello there general Kenobi"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(fallback.PublicId, response.Headers.GetValues("x-gateway-model").Single());
        Assert.Equal("2", response.Headers.GetValues("x-gateway-attempts").Single());
        var body = await Chat.JsonAsync(response);
        Assert.Equal($"This is a mock reply from {fallback.Upstream}.", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        var record = await gateway.RecordAsync(response);
        Assert.Equal((route, route, fallback.PublicId), (record.Route, record.ModelAsked, record.ModelServed));
        Assert.Equal(2, record.Attempts.Count);
        Assert.Equal((primary.PublicId, (int?)status, errorClass, "fell_back"),
            (record.Attempts[0].Model, record.Attempts[0].Status, record.Attempts[0].ErrorClass, record.Attempts[0].Outcome));
        Assert.Equal((fallback.PublicId, (int?)200, (string?)null, "served"),
            (record.Attempts[1].Model, record.Attempts[1].Status, record.Attempts[1].ErrorClass, record.Attempts[1].Outcome));
        Assert.Equal(fallback.Cost(4, 7), record.Cost);
    }

    [Fact]
    public async Task a_refused_connection_falls_back()
    {
        var key = await gateway.NewKeyAsync();
        var down = await gateway.NewUnreachableModelAsync();
        var fallback = await gateway.NewModelAsync();
        var route = await gateway.NewRouteAsync(null, down, fallback);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(route));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await gateway.RecordAsync(response);
        Assert.Equal(["unreachable", null], record.Attempts.Select(a => a.ErrorClass));
    }

    [Fact]
    public async Task a_hung_connection_falls_back_within_the_first_token_threshold()
    {
        var key = await gateway.NewKeyAsync();
        var hung = await gateway.NewModelAsync();
        var fallback = await gateway.NewModelAsync();
        gateway.SetBehavior(hung, new ModelBehavior { Hang = true });
        var route = await gateway.NewRouteAsync(new { firstTokenTimeoutMs = 300 }, hung, fallback);
        using var client = gateway.Client(key.Secret);
        var clock = Stopwatch.StartNew();

        using var response = await Chat.PostAsync(client, Chat.Request(route));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(clock.ElapsedMilliseconds, 300 - TimerTickMs, 2_000);
        var record = await gateway.RecordAsync(response);
        Assert.Equal(["slow_first_token", null], record.Attempts.Select(a => a.ErrorClass));
        Assert.InRange(record.Attempts[0].LatencyMs, 300 - TimerTickMs, 1_500);
    }

    [Fact]
    public async Task a_slow_first_token_in_a_stream_falls_back_before_the_client_sees_a_byte()
    {
        var key = await gateway.NewKeyAsync();
        var slow = await gateway.NewModelAsync(provider: "mock-gemini");
        var fallback = await gateway.NewModelAsync(provider: "mock-anthropic");
        gateway.SetBehavior(slow, new ModelBehavior { TtftMs = 5_000 });
        var route = await gateway.NewRouteAsync(new { firstTokenTimeoutMs = 300 }, slow, fallback);
        using var client = gateway.Client(key.Secret);
        var clock = Stopwatch.StartNew();

        using var response = await Chat.PostAsync(client, Chat.Request(route, "stream me please", stream: true));

        var events = await Chat.EventsAsync(response);
        Assert.InRange(clock.ElapsedMilliseconds, 300 - TimerTickMs, 2_500);
        Assert.Equal("[DONE]", events[^1]);
        var text = string.Concat(events[..^1].Select(e => JsonDocument.Parse(e).RootElement.GetProperty("choices"))
            .Where(c => c.GetArrayLength() > 0)
            .Select(c => c[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.Equal($"This is a mock reply from {fallback.Upstream}.", text);
        var record = await gateway.RecordAsync(response);
        Assert.True(record.Streamed);
        Assert.Equal(["slow_first_token", null], record.Attempts.Select(a => a.ErrorClass));
        Assert.Equal(fallback.PublicId, record.ModelServed);
    }

    [Fact]
    public async Task when_every_target_fails_one_error_names_every_attempt()
    {
        var key = await gateway.NewKeyAsync();
        var first = await gateway.NewModelAsync();
        var second = await gateway.NewModelAsync(provider: "mock-gemini");
        gateway.SetBehavior(first, new ModelBehavior { Status = 500 });
        gateway.SetBehavior(second, new ModelBehavior { Status = 502 });
        var route = await gateway.NewRouteAsync(null, first, second);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(route));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("2", response.Headers.GetValues("x-gateway-attempts").Single());
        var error = (await Chat.JsonAsync(response)).GetProperty("error");
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains($"Route '{route}'", message);
        Assert.Contains($"{first.PublicId}: server_error 500", message);
        Assert.Contains($"{second.PublicId}: server_error 502", message);
        Assert.Equal("upstream_error", error.GetProperty("code").GetString());
        var record = await gateway.RecordAsync(response);
        Assert.Equal(["fell_back", "failed"], record.Attempts.Select(a => a.Outcome));
        Assert.Null(record.ModelServed);
        Assert.Equal(0m, record.Cost);
    }

    [Fact]
    public async Task a_client_error_does_not_fall_through()
    {
        var key = await gateway.NewKeyAsync();
        var primary = await gateway.NewModelAsync();
        var fallback = await gateway.NewModelAsync();
        gateway.SetBehavior(primary, new ModelBehavior { Status = 400 });
        var route = await gateway.NewRouteAsync(null, primary, fallback);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(route));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(gateway.Mock.Requests.Snapshot(), r => r.Model == fallback.Upstream);
        var record = await gateway.RecordAsync(response);
        Assert.Equal([("client_error", "failed")], record.Attempts.Select(a => (a.ErrorClass!, a.Outcome)));
    }

    [Fact]
    public async Task a_retry_on_the_same_target_waits_as_long_as_retry_after_says()
    {
        var key = await gateway.NewKeyAsync();
        var primary = await gateway.NewModelAsync();
        var fallback = await gateway.NewModelAsync();
        gateway.SetBehavior(primary, new ModelBehavior { Status = 429, RetryAfterSeconds = 1, FailFirst = 1 });
        var route = await gateway.NewRouteAsync(new { retriesPerTarget = 1 }, primary, fallback);
        using var client = gateway.Client(key.Secret);
        var clock = Stopwatch.StartNew();

        using var response = await Chat.PostAsync(client, Chat.Request(route));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(clock.ElapsedMilliseconds, 1_000 - TimerTickMs, 5_000);
        var record = await gateway.RecordAsync(response);
        Assert.Equal([(primary.PublicId, "retried"), (primary.PublicId, "served")], record.Attempts.Select(a => (a.Model, a.Outcome)));
    }

    [Fact]
    public async Task a_disabled_primary_is_skipped()
    {
        var key = await gateway.NewKeyAsync();
        var primary = await gateway.NewModelAsync();
        var fallback = await gateway.NewModelAsync();
        var route = await gateway.NewRouteAsync(null, primary, fallback);
        await gateway.AdminPostAsync($"/admin/models/{primary.Id}/disable", null);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(route));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = await gateway.RecordAsync(response);
        Assert.Equal([("disabled", "fell_back"), (null, "served")], record.Attempts.Select(a => (a.ErrorClass, a.Outcome)));
    }

    [Fact]
    public async Task a_route_change_applies_to_the_next_request()
    {
        var key = await gateway.NewKeyAsync();
        var first = await gateway.NewModelAsync();
        var second = await gateway.NewModelAsync();
        var route = await gateway.NewRouteAsync(null, first, second);
        using var client = gateway.Client(key.Secret);
        using (var before = await Chat.PostAsync(client, Chat.Request(route)))
            Assert.Equal(first.PublicId, before.Headers.GetValues("x-gateway-model").Single());

        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var put = await admin.PutAsJsonAsync($"/admin/routes/{route}", new { name = route, primary = second.PublicId, fallbacks = new[] { first.PublicId } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        using var after = await Chat.PostAsync(client, Chat.Request(route));
        Assert.Equal(second.PublicId, after.Headers.GetValues("x-gateway-model").Single());
    }
}
