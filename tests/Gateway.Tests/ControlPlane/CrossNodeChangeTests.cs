using System.Diagnostics;
using System.Net;
using Gateway.Tests.Faults;

namespace Gateway.Tests.ControlPlane;

/// <summary>
/// A change made through one node reaches another within a second (PostgreSQL LISTEN/NOTIFY), not at its next periodic
/// refresh: the second node here refreshes only every ten minutes.
/// </summary>
[Collection(GatewayCollection.Name)]
public class CrossNodeChangeTests(GatewayFixture gateway, Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task a_key_issued_and_revoked_through_one_node_is_served_then_refused_by_another_within_a_second()
    {
        await using var other = KestrelNode.Start(gateway, ("Gateway:ControlPlaneRefreshInterval", "00:10:00"));
        using (var ready = other.Client(null)) await WaitUntilAsync(async () => (await ready.GetAsync("/readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(30));

        var model = await gateway.NewModelAsync();
        var key = await gateway.NewKeyAsync();
        using var client = other.Client(key.Secret);
        var served = await WaitUntilAsync(async () =>
        {
            using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));
            return response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(5));
        Assert.True(served <= Within, $"the other node served the new key and model after {served.TotalMilliseconds:0} ms");

        await gateway.AdminPostAsync($"/admin/keys/{key.Id}/revoke", new { reason = "leaked" });
        var refused = await WaitUntilAsync(async () =>
        {
            using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(5));
        Assert.True(refused <= Within, $"the other node refused the revoked key after {refused.TotalMilliseconds:0} ms");

        var another = await gateway.NewKeyAsync();
        using var anotherClient = other.Client(another.Secret);
        await WaitUntilAsync(async () =>
        {
            using var response = await Chat.PostAsync(anotherClient, Chat.Request(model.PublicId));
            return response.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(5));
        await gateway.AdminPostAsync($"/admin/models/{model.Id}/disable", new { });
        var disabled = await WaitUntilAsync(async () =>
        {
            using var response = await Chat.PostAsync(anotherClient, Chat.Request(model.PublicId));
            return response.StatusCode != HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(5));
        Assert.True(disabled <= Within, $"the other node stopped serving the disabled model after {disabled.TotalMilliseconds:0} ms");
        output.WriteLine($"other node: new key and model served after {served.TotalMilliseconds:0} ms, revoked key refused after " +
            $"{refused.TotalMilliseconds:0} ms, disabled model refused after {disabled.TotalMilliseconds:0} ms");
    }

    /// <summary>How long until the condition held; fails if it never did within the limit.</summary>
    static async Task<TimeSpan> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < limit, $"not within {limit.TotalSeconds} s");
            await Task.Delay(20);
        }
        return watch.Elapsed;
    }
}
