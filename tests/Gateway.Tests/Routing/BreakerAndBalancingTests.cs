using System.Net;
using Gateway.Domain.Routes;
using Marten;
using MockProvider;

namespace Gateway.Tests.Routing;

[Collection(GatewayCollection.Name)]
public class BreakerAndBalancingTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_failing_target_is_taken_out_of_rotation_then_probed_back_and_both_are_events()
    {
        var key = await gateway.NewKeyAsync();
        var flaky = await gateway.NewModelAsync();
        var fallback = await gateway.NewModelAsync();
        gateway.SetBehavior(flaky, new ModelBehavior { Status = 500 });
        var route = await gateway.NewRouteAsync(null, flaky, fallback);
        using var client = gateway.Client(key.Secret);

        // The fixture's breaker opens once 4 attempts were seen, at least half failed.
        for (var i = 0; i < 4; i++)
        {
            using var failing = await Chat.PostAsync(client, Chat.Request(route));
            Assert.Equal(HttpStatusCode.OK, failing.StatusCode);
        }
        var sentToFlaky = gateway.Mock.Requests.Snapshot().Count(r => r.Model == flaky.Upstream);
        using (var skipped = await Chat.PostAsync(client, Chat.Request(route)))
        {
            Assert.Equal(HttpStatusCode.OK, skipped.StatusCode);
            var record = await gateway.RecordAsync(skipped);
            Assert.Equal([("circuit_open", "fell_back"), (null, "served")], record.Attempts.Select(a => (a.ErrorClass, a.Outcome)));
        }
        Assert.Equal(sentToFlaky, gateway.Mock.Requests.Snapshot().Count(r => r.Model == flaky.Upstream));

        // It recovers; after the cool-down (1 s in the fixture) one probe goes through and closes the breaker.
        gateway.SetBehavior(flaky, ModelBehavior.Normal);
        await Task.Delay(1_200);
        using (var probe = await Chat.PostAsync(client, Chat.Request(route)))
        {
            Assert.Equal(flaky.PublicId, probe.Headers.GetValues("x-gateway-model").Single());
        }

        var history = await EventsOfAsync(flaky.Id, expected: 3);
        Assert.Equal([typeof(CircuitOpened), typeof(CircuitHalfOpened), typeof(CircuitClosed)], history);
    }

    [Fact]
    public async Task weighted_balancing_splits_a_tier_by_weight()
    {
        var key = await gateway.NewKeyAsync();
        var heavy = await gateway.NewModelAsync();
        var light = await gateway.NewModelAsync();
        var route = $"lb-{Guid.NewGuid():N}"[..12];
        await gateway.AdminPostAsync("/admin/routes", new
        {
            name = route,
            tiers = new[] { new[] { new { model = heavy.PublicId, weight = 3 }, new { model = light.PublicId, weight = 1 } } },
        });
        using var client = gateway.Client(key.Secret);

        var served = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            using var response = await Chat.PostAsync(client, Chat.Request(route));
            served.Add(response.Headers.GetValues("x-gateway-model").Single());
        }

        // 3:1 expected: 150 of 200; the bounds are over 5 standard deviations wide.
        Assert.InRange(served.Count(s => s == heavy.PublicId), 120, 180);
        Assert.Equal(200, served.Count(s => s == heavy.PublicId || s == light.PublicId));
    }

    [Fact]
    public async Task least_latency_balancing_prefers_the_faster_target()
    {
        var key = await gateway.NewKeyAsync();
        var slow = await gateway.NewModelAsync();
        var fast = await gateway.NewModelAsync();
        gateway.SetBehavior(slow, new ModelBehavior { LatencyMs = 80 });
        var route = $"ll-{Guid.NewGuid():N}"[..12];
        await gateway.AdminPostAsync("/admin/routes", new
        {
            name = route,
            tiers = new[] { new[] { new { model = slow.PublicId, weight = 1 }, new { model = fast.PublicId, weight = 1 } } },
            policy = new { balancing = "least-latency" },
        });
        using var client = gateway.Client(key.Secret);

        var served = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await Chat.PostAsync(client, Chat.Request(route));
            served.Add(response.Headers.GetValues("x-gateway-model").Single());
        }

        // Each target is measured once, then the faster one takes the traffic.
        Assert.True(served.Count(s => s == fast.PublicId) >= 10, string.Join(", ", served));
    }

    [Fact]
    public async Task a_route_naming_an_unknown_model_or_an_existing_name_is_refused()
    {
        var model = await gateway.NewModelAsync();
        var unknown = await gateway.AdminPostAsync("/admin/routes", new { name = "broken-route", primary = "nobody/nothing" }, expectedStatus: 400);
        Assert.Contains("nobody/nothing", unknown.GetProperty("detail").GetString());
        var route = await gateway.NewRouteAsync(null, model);
        await gateway.AdminPostAsync("/admin/routes", new { name = route, primary = model.PublicId }, expectedStatus: 409);
        await gateway.AdminPostAsync("/admin/routes", new { name = "a/b", primary = model.PublicId }, expectedStatus: 400);
    }

    async Task<List<Type>> EventsOfAsync(Guid modelId, int expected)
    {
        // Breaker events are written off the request path: give them a moment.
        for (var i = 0; ; i++)
        {
            await using var session = gateway.Store.QuerySession();
            var events = (await session.Events.FetchStreamAsync(modelId))
                .Select(e => e.EventType)
                .Where(t => t.Namespace == typeof(CircuitOpened).Namespace)
                .ToList();
            if (events.Count >= expected || i == 50) return events;
            await Task.Delay(100);
        }
    }
}
