using System.Net;
using Gateway.Api.Budgets;
using Gateway.Api.Fleet;
using Gateway.Api.Hosting;
using Gateway.Domain.Budgets;
using Gateway.Projections;
using Gateway.Tests.Faults;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Budgets;

/// <summary>
/// One budget, several nodes: each spends from the slice of the budget it leased from the allotment in PostgreSQL, so
/// together they never pass the limit; what a node does not spend goes back, when it stops or when it dies.
/// </summary>
[Collection(GatewayCollection.Name)]
public class BudgetLeaseTests(GatewayFixture gateway, Xunit.Abstractions.ITestOutputHelper output)
{
    const decimal PerRequest = 0.07m; // the mock's 7-word reply at 10,000 USD per million output tokens, max_tokens 7

    static object Ask(string model) => new { model, max_tokens = 7, messages = new[] { new { role = "user", content = "Hello there general Kenobi" } } };

    [Fact]
    public async Task two_nodes_flooding_one_budget_serve_what_it_covers_and_not_a_cent_more()
    {
        await using var other = KestrelNode.Start(gateway);
        using (var ready = other.Client(null)) await Eventually.ReadAsync(async () => (await ready.GetAsync("/readyz")).IsSuccessStatusCode, ok => ok);
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: 10_000m);
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 30 * PerRequest, period = "lifetime" });
        var budgetId = budget.GetProperty("id").GetGuid();
        await Eventually.ReadAsync(() => Task.FromResult(other.Services.GetRequiredService<BudgetLedger>().Find(budgetId) is not null), found => found);
        using var here = gateway.Client(key.Secret);
        using var there = other.Client(key.Secret);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 120).Select(async i =>
        {
            using var response = await Chat.PostAsync(i % 2 == 0 ? here : there, Ask(model.PublicId));
            return response.StatusCode;
        }));

        var served = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.Equal(120 - served, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.InRange(served, 28, 30);
        await using var session = gateway.Store.QuerySession();
        var debits = (await session.Events.QueryRawEventDataOnly<BudgetDebited>().ToListAsync()).Where(d => d.Budgets.Any(b => b.BudgetId == budgetId)).ToList();
        Assert.Equal(served * PerRequest, debits.Sum(d => d.Amount));
        Assert.All(debits, d => Assert.NotNull(d.Budgets.Single().LeaseId));
        var allotment = await session.LoadAsync<BudgetAllotment>(BudgetLeasePolicy.AllotmentId(budgetId, DateTimeOffset.MinValue));
        Assert.True(allotment!.Committed <= 30 * PerRequest, $"handed out {allotment.Committed}");
        output.WriteLine($"served {served} of 120; {allotment.Granted} granted, {allotment.Returned} returned, {allotment.Leases.Count} leases open");
    }

    [Fact]
    public async Task a_node_that_stops_gives_back_what_it_did_not_spend()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: 10_000m);
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 100 * PerRequest, period = "lifetime" });
        var budgetId = budget.GetProperty("id").GetGuid();
        var id = BudgetLeasePolicy.AllotmentId(budgetId, DateTimeOffset.MinValue);
        Guid node;
        await using (var other = KestrelNode.Start(gateway))
        {
            node = other.Services.GetRequiredService<NodeIdentity>().Id;
            await Eventually.ReadAsync(() => Task.FromResult(other.Services.GetRequiredService<BudgetLedger>().Find(budgetId) is not null), found => found);
            using var client = other.Client(key.Secret);
            for (var i = 0; i < 3; i++)
            {
                using var response = await Chat.PostAsync(client, Ask(model.PublicId));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            await using var during = gateway.Store.QuerySession();
            Assert.Contains((await during.LoadAsync<BudgetAllotment>(id))!.Leases, l => l.NodeId == node);
        }

        await using var session = gateway.Store.QuerySession();
        var allotment = (await session.LoadAsync<BudgetAllotment>(id))!;
        Assert.DoesNotContain(allotment.Leases, l => l.NodeId == node);
        // What it kept is what its three requests were debited.
        Assert.Equal(3 * PerRequest, allotment.Granted - allotment.Returned);
        var returns = await session.Events.QueryRawEventDataOnly<BudgetLeaseReturned>().Where(r => r.BudgetId == budgetId).ToListAsync();
        Assert.Contains(returns, r => r.Closed);
    }

    [Fact]
    public async Task a_lease_of_a_node_no_longer_seen_expires_and_what_it_did_not_spend_is_spent_elsewhere()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: 10_000m);
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 3 * PerRequest, period = "lifetime" });
        var budgetId = budget.GetProperty("id").GetGuid();
        var id = BudgetLeasePolicy.AllotmentId(budgetId, DateTimeOffset.MinValue);
        // A node that took the whole budget, spent one request's worth of it, and died (it never said it was alive).
        var (dead, lease) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await using (var session = gateway.Store.LightweightSession())
        {
            session.Events.StartStream(id, new BudgetAllotmentOpened(budgetId, DateTimeOffset.MinValue, 3 * PerRequest, 0),
                new BudgetLeaseGranted(budgetId, DateTimeOffset.MinValue, lease, dead, 3 * PerRequest));
            await session.SaveChangesAsync();
        }
        await using (var session = gateway.Store.LightweightSession())
        {
            session.Events.StartStream(Guid.CreateVersion7(), new BudgetDebited(Guid.CreateVersion7(), PerRequest, [new BudgetCharge(budgetId, DateTimeOffset.MinValue, lease)]));
            await session.SaveChangesAsync();
        }
        using var client = gateway.Client(key.Secret);

        // The sweep runs every second on the node holding its lock; run one here too, to not wait for it.
        await gateway.Host.Services.GetRequiredService<FleetSweep>().SweepAsync(CancellationToken.None);

        await using var query = gateway.Store.QuerySession();
        var expiry = (await query.Events.QueryRawEventDataOnly<BudgetLeaseExpired>().Where(e => e.LeaseId == lease).ToListAsync()).Single();
        Assert.Equal((dead, 2 * PerRequest), (expiry.NodeId, expiry.ReclaimedUsd));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await Chat.PostAsync(client, Ask(model.PublicId));
            statuses.Add(response.StatusCode);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }
}
