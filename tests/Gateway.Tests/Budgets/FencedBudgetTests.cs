using System.Net;

namespace Gateway.Tests.Budgets;

/// <summary>
/// A node that cannot reach PostgreSQL for half a lease lifetime stops reserving from its budget leases (the sweep may
/// be giving them to other nodes): a budgeted request admitted then is refused with 503, once its record can be kept.
/// </summary>
[Collection(IsolatedGatewayCollection.Name)]
public class FencedBudgetTests(IsolatedGatewayFixture isolated)
{
    [Fact]
    public async Task a_budgeted_request_admitted_while_the_node_cannot_keep_its_leases_is_refused_and_later_ones_are_served()
    {
        var team = await isolated.AdminPostAsync("/admin/teams", new { name = $"fenced-{Guid.NewGuid():N}" });
        var key = await isolated.AdminPostAsync("/admin/keys", new { teamId = team.GetProperty("id").GetGuid(), name = "fenced" });
        var model = $"fenced-{Guid.NewGuid():N}"[..16];
        await isolated.AdminPostAsync("/admin/models", new { provider = "mock", model, inputPricePerMillion = 1m, outputPricePerMillion = 1m });
        await isolated.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.GetProperty("id").GetGuid(), limitUsd = 10m, period = "lifetime" });
        using var client = isolated.Client(key.GetProperty("key").GetString());
        async Task<(HttpStatusCode Status, string Body)> AskAsync()
        {
            using var response = await Chat.PostAsync(client, Chat.Request($"mock/{model}"));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await AskAsync()).Status);

        Task<(HttpStatusCode Status, string Body)> during;
        isolated.Database.Cut();
        try
        {
            // The lease lifetime is 15 s: fenced after 7.5 s without a heartbeat (one try every ~2 s, each bounded to ~4 s).
            await Task.Delay(TimeSpan.FromSeconds(13));
            // Refused at admission; the answer waits for its record, as every answer does with the durable ledger.
            during = AskAsync();
            await Task.Delay(500);
        }
        finally
        {
            isolated.Database.Restore();
        }

        var refused = await during.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Contains("budget_unavailable", refused.Body);
        var again = await Eventually.ReadAsync(AskAsync, r => r.Status == HttpStatusCode.OK, tries: 40, delayMs: 500);
        Assert.Equal(HttpStatusCode.OK, again.Status);
    }
}
