using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Tests.Audit;

/// <summary>The state of a key and a budget at past instants is what it was then, folded from the events.</summary>
[Collection(GatewayCollection.Name)]
public class TimeTravelTests(GatewayFixture gateway)
{
    async Task<DateTimeOffset> InstantAsync()
    {
        // Event timestamps come from PostgreSQL's clock, these from the test's: keep each step clear of the next.
        await Task.Delay(60);
        var now = DateTimeOffset.UtcNow;
        await Task.Delay(60);
        return now;
    }

    async Task PutAsync(string url, object body)
    {
        using var client = gateway.Client(GatewayFixture.AdminKey);
        using var response = await client.PutAsJsonAsync(url, body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    async Task<JsonElement> AtAsync(string entity, Guid id, DateTimeOffset at) =>
        await gateway.AdminGetAsync($"/admin/history/{entity}/{id}/at?time={Uri.EscapeDataString(at.ToString("O"))}");

    [Fact]
    public async Task a_key_at_three_past_instants_is_what_it_was_then()
    {
        var model = await gateway.NewModelAsync();
        var before = await InstantAsync();
        var key = await gateway.NewKeyAsync("time-travel");
        var issued = await InstantAsync();
        await PutAsync($"/admin/keys/{key.Id}/scope", new { allowedModels = new[] { model.PublicId }, requestsPerMinute = 7 });
        var scoped = await InstantAsync();
        await gateway.AdminPostAsync($"/admin/keys/{key.Id}/revoke", new { reason = "left the company" });
        var revoked = await InstantAsync();

        using (var none = await gateway.Client(GatewayFixture.AdminKey).GetAsync($"/admin/history/key/{key.Id}/at?time={Uri.EscapeDataString(before.ToString("O"))}"))
            Assert.Equal(404, (int)none.StatusCode);

        var atIssued = await AtAsync("key", key.Id, issued);
        Assert.Equal("active", atIssued.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, atIssued.GetProperty("key").GetProperty("allowedModels").ValueKind);
        Assert.Equal(key.TeamId, atIssued.GetProperty("key").GetProperty("teamId").GetGuid());

        // Any offset names the same instant; another entity's id is not a key.
        var atIssuedInParis = await AtAsync("key", key.Id, issued.ToOffset(TimeSpan.FromHours(2)));
        Assert.Equal("active", atIssuedInParis.GetProperty("status").GetString());
        using (var team = await gateway.Client(GatewayFixture.AdminKey).GetAsync($"/admin/history/key/{key.TeamId}/at?time={Uri.EscapeDataString(revoked.ToString("O"))}"))
            Assert.Equal(404, (int)team.StatusCode);

        var atScoped = await AtAsync("key", key.Id, scoped);
        Assert.Equal("active", atScoped.GetProperty("status").GetString());
        Assert.Equal([model.PublicId], atScoped.GetProperty("key").GetProperty("allowedModels").EnumerateArray().Select(m => m.GetString()!));
        Assert.Equal(7, atScoped.GetProperty("key").GetProperty("requestsPerMinute").GetInt32());

        var atRevoked = await AtAsync("key", key.Id, revoked);
        Assert.Equal("revoked", atRevoked.GetProperty("status").GetString());
        Assert.Equal("left the company", atRevoked.GetProperty("key").GetProperty("revokedReason").GetString());

        // Which keys could call the model: this key only while scoped to it and not yet revoked.
        var callersScoped = await gateway.AdminGetAsync($"/admin/history/callers?model={Uri.EscapeDataString(model.PublicId)}&time={Uri.EscapeDataString(scoped.ToString("O"))}");
        Assert.Contains(callersScoped.GetProperty("keys").EnumerateArray(), k => k.GetProperty("keyId").GetGuid() == key.Id);
        var callersRevoked = await gateway.AdminGetAsync($"/admin/history/callers?model={Uri.EscapeDataString(model.PublicId)}&time={Uri.EscapeDataString(revoked.ToString("O"))}");
        Assert.DoesNotContain(callersRevoked.GetProperty("keys").EnumerateArray(), k => k.GetProperty("keyId").GetGuid() == key.Id);

        // The history: each change in order, with who made it, why, and the state after it.
        var history = (await gateway.AdminGetAsync($"/admin/history/key/{key.Id}")).EnumerateArray().ToList();
        Assert.Equal(["KeyIssued", "KeyScopeSet", "KeyRevoked"], history.Select(h => h.GetProperty("change").GetString()!));
        Assert.True(history[2].GetProperty("stateAfter").GetProperty("revoked").GetBoolean());
        Assert.False(history[1].GetProperty("stateAfter").GetProperty("revoked").GetBoolean());
        Assert.False(string.IsNullOrEmpty(history[2].GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task a_budget_at_three_past_instants_has_the_limit_and_spend_it_had_then()
    {
        var key = await gateway.NewKeyAsync("time-travel-budget");
        var model = await gateway.NewModelAsync(input: 1000m, output: 2000m);
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "team", scopeId = key.TeamId, limitUsd = 10m, period = "daily" });
        var budgetId = budget.GetProperty("id").GetGuid();
        var set = await InstantAsync();

        using var client = gateway.Client(key.Secret);
        var costs = new List<decimal>();
        for (var i = 0; i < 2; i++)
        {
            using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, $"spend {i}"));
            costs.Add((await gateway.RecordAsync(response)).Cost);
        }
        var spentTwo = await InstantAsync();
        await PutAsync($"/admin/budgets/{budgetId}", new { scope = "team", scopeId = key.TeamId, limitUsd = 25m, period = "daily" });
        using (var third = await Chat.PostAsync(client, Chat.Request(model.PublicId, "spend 2")))
            costs.Add((await gateway.RecordAsync(third)).Cost);
        var raised = await InstantAsync();

        var atSet = await AtAsync("budget", budgetId, set);
        Assert.Equal(10m, atSet.GetProperty("budget").GetProperty("limitUsd").GetDecimal());
        Assert.Equal(0m, atSet.GetProperty("spentUsd").GetDecimal());

        var atTwo = await AtAsync("budget", budgetId, spentTwo);
        Assert.Equal(10m, atTwo.GetProperty("budget").GetProperty("limitUsd").GetDecimal());
        Assert.Equal(costs[0] + costs[1], atTwo.GetProperty("spentUsd").GetDecimal());
        Assert.Equal(10m - costs[0] - costs[1], atTwo.GetProperty("remainingUsd").GetDecimal());
        Assert.Equal(DateTimeOffset.UtcNow.UtcDateTime.Date, atTwo.GetProperty("periodStart").GetDateTimeOffset().UtcDateTime.Date);

        var atRaised = await AtAsync("budget", budgetId, raised);
        Assert.Equal(25m, atRaised.GetProperty("budget").GetProperty("limitUsd").GetDecimal());
        Assert.Equal(costs.Sum(), atRaised.GetProperty("spentUsd").GetDecimal());
        Assert.True(costs.All(c => c > 0));

        // Every request the key made in the period, with its cost.
        var requests = await gateway.AdminGetAsync($"/admin/history/key/{key.Id}/requests?from={Uri.EscapeDataString(set.ToString("O"))}&to={Uri.EscapeDataString(raised.ToString("O"))}");
        Assert.Equal(3, requests.GetProperty("count").GetInt32());
        Assert.Equal(costs.Sum(), requests.GetProperty("costUsd").GetDecimal());
    }

    [Fact]
    public async Task a_request_in_flight_at_the_instant_counts_as_reserved_not_spent()
    {
        var key = await gateway.NewKeyAsync("time-travel-in-flight");
        var model = await gateway.NewModelAsync(input: 1000m, output: 2000m);
        gateway.SetBehavior(model, new MockProvider.ModelBehavior { LatencyMs = 1500 });
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 10m, period = "lifetime" });
        var budgetId = budget.GetProperty("id").GetGuid();
        await InstantAsync();

        using var client = gateway.Client(key.Secret);
        var slow = Chat.PostAsync(client, Chat.Request(model.PublicId, "take your time"));
        await Task.Delay(700);
        var during = DateTimeOffset.UtcNow; // the request started ~700 ms ago and has ~800 ms to go
        using var response = await slow;
        var cost = (await gateway.RecordAsync(response)).Cost;
        var after = await InstantAsync();

        var atDuring = await AtAsync("budget", budgetId, during);
        Assert.Equal(0m, atDuring.GetProperty("spentUsd").GetDecimal());
        Assert.Equal(cost, atDuring.GetProperty("reservedUsd").GetDecimal());
        Assert.Equal(1, atDuring.GetProperty("requestsInFlight").GetInt32());
        Assert.Equal(10m - cost, atDuring.GetProperty("remainingUsd").GetDecimal());

        var atAfter = await AtAsync("budget", budgetId, after);
        Assert.Equal(cost, atAfter.GetProperty("spentUsd").GetDecimal());
        Assert.Equal(0m, atAfter.GetProperty("reservedUsd").GetDecimal());
    }
}
