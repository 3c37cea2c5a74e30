using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Faults;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Keys;

/// <summary>A key's requests-per-minute limit holds across nodes: they take permits from one window in PostgreSQL.</summary>
[Collection(GatewayCollection.Name)]
public class FleetRateLimitTests(GatewayFixture gateway)
{
    [Fact]
    public async Task two_nodes_flooding_a_key_limited_to_twenty_requests_a_minute_serve_twenty()
    {
        await using var other = KestrelNode.Start(gateway);
        using (var ready = other.Client(null)) await Eventually.ReadAsync(async () => (await ready.GetAsync("/readyz")).IsSuccessStatusCode, ok => ok);
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using (var admin = gateway.Client(GatewayFixture.AdminKey))
        using (var scoped = await admin.PutAsJsonAsync($"/admin/keys/{key.Id}/scope", new { requestsPerMinute = 20 }))
            Assert.True(scoped.IsSuccessStatusCode);
        using var here = gateway.Client(key.Secret);
        using var there = other.Client(key.Secret);
        // The change reaches the other node by its notification: wait until its view of the key has the limit.
        var views = other.Services.GetRequiredService<Gateway.Api.ControlPlane.ControlPlaneViews>();
        await Eventually.ReadAsync(() => Task.FromResult(views.Current.KeysByHash.Values.Any(k => k.Key.Id == key.Id && k.Key.RequestsPerMinute == 20)), ok => ok);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            using var response = await Chat.PostAsync(i % 2 == 0 ? here : there, Chat.Request(model.PublicId));
            return response.StatusCode;
        }));

        Assert.Equal(20, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(40, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(20, gateway.Mock.Requests.Snapshot().Count(r => r.Model == model.Upstream));
    }
}
