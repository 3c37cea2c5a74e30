using System.Net.Http.Json;
using DuckDB.NET.Data;
using Gateway.Analytics;
using Gateway.Api.Audit;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Gateway.Tests.Audit;

/// <summary>Erasing bodies removes them from every store; the financial record and the hash chain stay intact.</summary>
[Collection(GatewayCollection.Name)]
public class ErasureTests(GatewayFixture gateway)
{
    async Task<List<Guid>> SendAsync(TestKey key, TestModel model, string marker, int count)
    {
        using var client = gateway.Client(key.Secret);
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, $"my name is {marker} and I live at {i} Main Street"));
            Assert.True(response.IsSuccessStatusCode);
            ids.Add(Guid.Parse(response.Headers.GetValues("x-request-id").Single()));
        }
        return ids;
    }

    Task<long> ScalarAsync(string sql, params object[] args) => gateway.ScalarAsync<long>(sql, args);

    /// <summary>Rows holding the text anywhere: events (data and headers), every document table, the bodies table, every DuckDB table.</summary>
    async Task<long> OccurrencesAsync(string text, string duckDbFile)
    {
        var needle = $"%{text}%";
        var total = await ScalarAsync("select count(*) from gateway.mt_events where data::text like $1 or coalesce(headers::text, '') like $1", needle)
                    + await ScalarAsync("select count(*) from gateway.request_bodies where request like $1 or response like $1", needle);
        await using (var pg = new NpgsqlConnection(gateway.ConnectionString))
        {
            await pg.OpenAsync();
            var documents = new List<string>();
            await using (var tables = new NpgsqlCommand("select table_name from information_schema.columns where table_schema = 'gateway' and column_name = 'data' and table_name like 'mt_doc_%'", pg))
            await using (var reader = await tables.ExecuteReaderAsync())
                while (await reader.ReadAsync()) documents.Add(reader.GetString(0));
            Assert.NotEmpty(documents);
            foreach (var table in documents) total += await ScalarAsync($"select count(*) from gateway.{table} where data::text like $1", needle);
        }
        using var duck = AnalyticsSchema.OpenForReading(duckDbFile, TimeSpan.FromSeconds(10));
        foreach (var table in AnalyticsSchema.Tables)
        {
            using var command = duck.CreateCommand();
            command.CommandText = $"select count(*) from {table} t where t::varchar like $needle";
            command.Parameters.Add(new DuckDBParameter("needle", needle));
            total += Convert.ToInt64(command.ExecuteScalar());
        }
        return total;
    }

    [Fact]
    public async Task erased_bodies_are_gone_from_every_store_while_costs_and_the_chain_stay()
    {
        var model = await gateway.NewModelAsync(input: 3m, output: 5m);
        var subject = await gateway.NewKeyAsync("erasure");
        var other = await gateway.NewKeyAsync("erasure-other");
        var marker = $"Person{Guid.NewGuid():N}";
        var otherMarker = $"Person{Guid.NewGuid():N}";
        var requests = await SendAsync(subject, model, marker, 2);
        // One body stored by an older gateway, before rows carried their key and team: found through its request event.
        await ScalarAsync("with u as (update gateway.request_bodies set key_id = null, team_id = null where request_id = $1 returning 1) select count(*) from u", requests[1]);
        await SendAsync(other, model, otherMarker, 1);
        await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        var duckDb = Path.Combine(Path.GetTempPath(), $"erasure-{Guid.NewGuid():N}.duckdb");
        var exporter = new EventExporter(gateway.ConnectionString, "gateway", duckDb);
        await exporter.ExportAsync();
        var costBefore = (await gateway.RequestsOfAsync(subject.Id)).Sum(r => r.Cost);
        Assert.True(costBefore > 0);
        Assert.Equal(2, await OccurrencesAsync(marker, duckDb)); // the two bodies, nowhere else

        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var erase = new HttpRequestMessage(HttpMethod.Delete, $"/admin/keys/{subject.Id}/bodies");
        erase.Headers.Add("X-Audit-Reason", "erasure request #42 from the data subject");
        using var erased = await admin.SendAsync(erase);
        Assert.True(erased.IsSuccessStatusCode, await erased.Content.ReadAsStringAsync());
        Assert.Equal(2, (await erased.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("erased").GetInt32());

        await gateway.ChainLinkedAsync();
        await exporter.ExportAsync();
        Assert.Equal(0, await OccurrencesAsync(marker, duckDb));
        Assert.Equal(1, await OccurrencesAsync(otherMarker, duckDb)); // only what was asked

        // The ledger is whole: every record, the same cost in the event store and in DuckDB.
        Assert.Equal(costBefore, (await gateway.RequestsOfAsync(subject.Id)).Sum(r => r.Cost));
        using (var duck = AnalyticsSchema.OpenForReading(duckDb, TimeSpan.FromSeconds(10)))
        using (var sum = duck.CreateCommand())
        {
            sum.CommandText = $"select sum(cost) from requests where key_id = '{subject.Id}'";
            Assert.Equal(costBefore, Convert.ToDecimal(sum.ExecuteScalar()));
        }
        var details = await gateway.AdminGetAsync($"/admin/requests/{requests[0]}");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, details.GetProperty("bodies").ValueKind);
        Assert.Equal(model.PublicId, details.GetProperty("record").GetProperty("modelServed").GetString());

        // The erasure is itself on the record, with who and why; and the chain still verifies end to end.
        Assert.Equal(1, await ScalarAsync("select count(*) from gateway.mt_events where type = 'request_bodies_erased' and data->>'keyId' = $1 and (data->>'count')::int = 2 and headers->>'reason' like '%#42%'", subject.Id.ToString()));
        var chain = await new EventChainStore(gateway.ConnectionString, "gateway").VerifyAsync(default);
        Assert.True(chain.Intact, chain.FirstBreak?.Problem);
        File.Delete(duckDb);
    }

    [Fact]
    public async Task bodies_past_their_team_retention_are_removed_by_the_sweep_and_others_are_kept()
    {
        var model = await gateway.NewModelAsync();
        var kept = await gateway.NewKeyAsync("retention-none");
        var expiring = await gateway.NewKeyAsync("retention-1d");
        using (var admin = gateway.Client(GatewayFixture.AdminKey))
        using (var set = await admin.PutAsJsonAsync($"/admin/teams/{expiring.TeamId}/retention", new { bodyRetentionDays = 1 }))
            Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
        using (var admin = gateway.Client(GatewayFixture.AdminKey))
        using (var bad = await admin.PutAsJsonAsync($"/admin/teams/{expiring.TeamId}/retention", new { bodyRetentionDays = 0 }))
            Assert.Equal(400, (int)bad.StatusCode);
        var old = await SendAsync(expiring, model, "retention-subject", 1);
        var mine = await SendAsync(kept, model, "kept-subject", 1);
        var sweeper = gateway.Host.Services.GetRequiredService<BodyRetentionService>();

        await sweeper.SweepAsync(default);
        Assert.Equal(1, await ScalarAsync("select count(*) from gateway.request_bodies where request_id = $1", old[0]));

        using (gateway.Clock.Shift(TimeSpan.FromDays(2)))
            Assert.True(await sweeper.SweepAsync(default) >= 1);
        Assert.Equal(0, await ScalarAsync("select count(*) from gateway.request_bodies where request_id = $1", old[0]));
        Assert.Equal(1, await ScalarAsync("select count(*) from gateway.request_bodies where request_id = $1", mine[0]));
        Assert.Single(await gateway.RequestsOfAsync(expiring.Id)); // the record stays
        Assert.True(await ScalarAsync("select count(*) from gateway.mt_events where type = 'request_bodies_erased' and data->>'teamId' = $1 and data->>'scope' = 'retention'", expiring.TeamId.ToString()) >= 1);
    }
}
