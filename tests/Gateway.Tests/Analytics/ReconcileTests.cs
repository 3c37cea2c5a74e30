using Gateway.Analytics;
using Gateway.Domain.Budgets;
using Marten;
using Marten.Events;

namespace Gateway.Tests.Analytics;

/// <summary>The ledger checked against itself: event store, budget debits, balance projections and DuckDB agree to the cent, or the report names who does not.</summary>
[Collection(GatewayCollection.Name)]
public class ReconcileTests(GatewayFixture gateway)
{
    [Fact]
    public async Task reconciliation_agrees_then_names_the_request_behind_each_planted_difference()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 100m, output: 300m);
        await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 100m, period = "lifetime" });
        var ids = new List<Guid>();
        using (var client = gateway.Client(key.Secret))
            for (var i = 0; i < 5; i++)
            {
                using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));
                ids.Add(Guid.Parse(response.Headers.GetValues("x-request-id").Single()));
            }
        await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        var to = DateTimeOffset.UtcNow.AddSeconds(1);
        var path = Path.Combine(Path.GetTempPath(), $"gw-reconcile-{Guid.NewGuid():N}.duckdb");
        await new EventExporter(gateway.ConnectionString, "gateway", path).ExportAsync();
        var reconciler = new Reconciler(gateway.ConnectionString, "gateway", path);

        var clean = await reconciler.RunAsync(from, to);
        Assert.True(clean.Agrees, Reconciler.Format(clean));
        Assert.Equal(5, clean.Requests);

        // A row altered in the analytics copy.
        using (var duck = AnalyticsSchema.Open(path))
        using (var command = duck.CreateCommand())
        {
            command.CommandText = $"update requests set cost = cost + 0.05 where request_id = '{ids[1]}'";
            command.ExecuteNonQuery();
        }
        // A debit that does not match its request.
        await using (var session = gateway.Store.LightweightSession())
        {
            var budget = (await session.Query<Gateway.Projections.BudgetView>().ToListAsync()).Single(b => b.ScopeId == key.Id);
            session.Events.Append(ids[3], new BudgetDebited(ids[3], 0.01m, [new BudgetCharge(budget.Id, DateTimeOffset.MinValue)]));
            await session.SaveChangesAsync();
        }

        var report = await reconciler.RunAsync(from, to);

        Assert.False(report.Agrees);
        Assert.Contains(report.Differences, d => d.Kind == "DuckDB cost differs" && d.Subject == ids[1].ToString());
        Assert.Contains(report.Differences, d => d.Kind == "budget debit differs from the request's cost" && d.Subject == ids[3].ToString());
        Assert.DoesNotContain(report.Differences, d => d.Subject == ids[0].ToString());
    }
}
