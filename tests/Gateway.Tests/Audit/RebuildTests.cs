using Gateway.Api.Audit;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gateway.Tests.Audit;

/// <summary>Every projection replayed from the events equals the live one; a live document edited behind the gateway's back is named and repaired.</summary>
[Collection(GatewayCollection.Name)]
public class RebuildTests(GatewayFixture gateway)
{
    /// <summary>
    /// Rebuilds in place under the running test gateway (the command refuses to; the test owns the timing): its views
    /// may have been refreshed from half-rebuilt tables meanwhile, so they are reloaded afterwards for the tests that follow.
    /// </summary>
    async Task<IReadOnlyList<ProjectionComparison>> RebuildAsync(string? only)
    {
        var results = await ProjectionRebuild.RebuildAndCompareAsync(gateway.Store, gateway.ConnectionString, only, default);
        var views = gateway.Host.Services.GetRequiredService<Gateway.Api.ControlPlane.ControlPlaneViews>();
        await views.ReloadAsync();
        await Task.Delay(200);
        await views.ReloadAsync();
        return results;
    }

    [Fact]
    public async Task rebuilt_projections_equal_the_live_ones_and_a_drifted_document_is_named()
    {
        var key = await gateway.NewKeyAsync("rebuild");
        var model = await gateway.NewModelAsync();
        await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 5m, period = "monthly" });
        using (var client = gateway.Client(key.Secret))
            for (var i = 0; i < 3; i++)
            {
                using var _ = await Chat.PostAsync(client, Chat.Request(model.PublicId, $"rebuild {i}"));
            }
        await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));

        var first = await RebuildAsync(null);
        Assert.Contains(first, r => r.Projection.Contains("BudgetPeriodBalance", StringComparison.Ordinal) && r.Rebuilt > 0);
        Assert.Contains(first, r => r.Projection.Contains("KeyView", StringComparison.Ordinal) && r.Rebuilt > 0);
        Assert.All(first, r => Assert.True(r.Differences.Count == 0,
            $"{r.Projection}: {string.Join("; ", r.Differences.Take(3).Select(d => $"{d.Id} {d.Kind} {d.Field} live={d.Live} rebuilt={d.Rebuilt}"))}"));

        // Someone edits a live view in the database: the rebuild names the document and field, and restores it from the events.
        await using (var pg = new NpgsqlConnection(gateway.ConnectionString))
        {
            await pg.OpenAsync();
            await using var edit = new NpgsqlCommand("update gateway.mt_doc_keyview set data = jsonb_set(data, '{name}', '\"edited behind our back\"') where id = $1", pg);
            edit.Parameters.AddWithValue(key.Id);
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        }
        var second = await RebuildAsync("KeyView");
        var difference = Assert.Single(Assert.Single(second).Differences);
        Assert.Equal(key.Id.ToString(), difference.Id);
        Assert.Equal("name", difference.Field);
        await using var session = gateway.Store.QuerySession();
        Assert.Equal("test key", (await session.LoadAsync<Gateway.Projections.KeyView>(key.Id))!.Name);
    }
}
