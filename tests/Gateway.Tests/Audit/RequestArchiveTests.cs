using System.Net;
using Gateway.Api.Audit;
using Gateway.Projections;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gateway.Tests.Audit;

/// <summary>
/// Old request streams leave the event table's hot partition for its archived one once the audit chain and the
/// projections have passed them. Nothing is lost: the request is still shown, the chain and the reconciliation still
/// read it, and a rebuilt budget balance still counts its debit.
/// </summary>
[Collection(GatewayCollection.Name)]
public class RequestArchiveTests(GatewayFixture gateway)
{
    [Fact]
    public async Task request_streams_chained_and_projected_move_to_the_archived_partition_and_stay_counted()
    {
        var key = await gateway.NewKeyAsync("archive");
        var model = await gateway.NewModelAsync();
        var budget = (await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 5m, period = "monthly" }))
            .GetProperty("id").GetGuid();
        using var client = gateway.Client(key.Secret);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, $"archive {i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            ids.Add(Guid.Parse(response.Headers.GetValues("x-request-id").Single()));
        }
        await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        var balanceBefore = await BalanceAsync(budget);
        Assert.Equal(3, balanceBefore.Requests);

        // Archived once the chain has linked them (every second) and the projections have passed them.
        var archive = gateway.Host.Services.GetRequiredService<RequestArchive>();
        var archived = await Eventually.ReadAsync(async () =>
        {
            await archive.ArchiveAsync(DateTimeOffset.UtcNow.AddSeconds(1), CancellationToken.None);
            return await PartitionsOfAsync(ids);
        }, partitions => partitions.Count > 0 && partitions.All(p => p.Contains("archived")), tries: 50);
        Assert.All(archived, p => Assert.Contains("archived", p));
        // Keys, budgets and other streams stay in the hot partition.
        Assert.DoesNotContain(await PartitionsOfAsync([key.Id, budget]), p => p.Contains("archived"));

        // Still the key's requests, read from the whole table (as the export, the chain and the reconciliation read it)…
        Assert.Equal(3L, await gateway.ScalarAsync<long>("select count(*) from gateway.mt_events where type = 'request_completed' and data->>'keyId' = $1", key.Id.ToString()));
        // …and still shown by the admin API.
        var shown = await gateway.AdminGetAsync($"/admin/requests/{ids[0]}");
        Assert.Equal(ids[0], shown.GetProperty("record").GetProperty("requestId").GetGuid());

        // A rebuild of the balances replays the archived partition too: the same balance, no differences.
        var rebuilt = Assert.Single(await ProjectionRebuild.RebuildAndCompareAsync(gateway.Store, gateway.ConnectionString, "BudgetPeriodBalance", default));
        Assert.True(rebuilt.Differences.Count == 0, string.Join("; ", rebuilt.Differences.Take(3).Select(d => $"{d.Id} {d.Kind} {d.Field}")));
        var balanceAfter = await BalanceAsync(budget);
        Assert.Equal(balanceBefore.Settled, balanceAfter.Settled);
        Assert.Equal(3, balanceAfter.Requests);
    }

    async Task<BudgetPeriodBalance> BalanceAsync(Guid budget)
    {
        await using var session = gateway.Store.QuerySession();
        var prefix = BudgetPeriodBalance.PrefixOf(budget);
        return Assert.Single(await session.Query<BudgetPeriodBalance>().Where(b => b.Id.StartsWith(prefix)).ToListAsync());
    }

    async Task<List<string>> PartitionsOfAsync(IEnumerable<Guid> streams)
    {
        await using var connection = new NpgsqlConnection(gateway.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select tableoid::regclass::text from gateway.mt_events where stream_id = any($1)", connection)
        {
            Parameters = { new() { Value = streams.ToArray() } },
        };
        var partitions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) partitions.Add(reader.GetString(0));
        return partitions;
    }
}
