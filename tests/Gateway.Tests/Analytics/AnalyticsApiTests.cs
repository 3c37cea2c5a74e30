using System.Net;
using System.Text.Json;
using MockProvider;

namespace Gateway.Tests.Analytics;

/// <summary>The gateway exports continuously; finance asks its questions through the admin API.</summary>
[Collection(GatewayCollection.Name)]
public class AnalyticsApiTests(GatewayFixture gateway)
{
    [Fact]
    public async Task finance_gets_cost_latency_top_keys_and_reliability_from_the_continuous_export()
    {
        var team = await gateway.AdminPostAsync("/admin/teams", new { name = $"fin-{Guid.NewGuid():N}" });
        var teamId = team.GetProperty("id").GetGuid();
        var big = await gateway.AdminPostAsync("/admin/keys", new { teamId, name = "big spender" });
        var small = await gateway.AdminPostAsync("/admin/keys", new { teamId, name = "small spender" });
        var model = await gateway.NewModelAsync(input: 100m, output: 300m);
        var flaky = await gateway.NewModelAsync();
        gateway.SetBehavior(flaky, new ModelBehavior { Status = 500 });
        using (var client = gateway.Client(big.GetProperty("key").GetString()))
            for (var i = 0; i < 3; i++) using (await Chat.PostAsync(client, Chat.Request(model.PublicId))) { }
        using (var client = gateway.Client(small.GetProperty("key").GetString()))
        {
            using (await Chat.PostAsync(client, Chat.Request(model.PublicId))) { }
            using (await Chat.PostAsync(client, Chat.Request(flaky.PublicId))) { }
        }
        var bigId = big.GetProperty("id").GetGuid().ToString();
        var smallId = small.GetProperty("id").GetGuid().ToString();

        var finance = gateway.Client((await gateway.AdminPostAsync("/admin/admin-keys", new { name = "fin", role = "finance" })).GetProperty("key").GetString());
        var cost = (await AnalyticsAnswer.EventuallyAsync(finance, "/admin/analytics/cost?by=key", a => a.Rows.Any(r => r[0].GetString() == smallId && r[1].GetInt64() == 2))).Rows;
        var bigRow = cost.Single(r => r[0].GetString() == bigId);
        Assert.Equal(3, bigRow[1].GetInt64());
        Assert.Equal(3 * 4, bigRow[2].GetInt64()); // prompt tokens: numbers, not objects
        Assert.Equal(3 * 7, bigRow[3].GetInt64());
        Assert.Equal(0, bigRow[4].GetInt64());
        Assert.Equal(3 * model.Cost(4, 7), bigRow[5].GetDecimal());

        var byDay = (await AnalyticsAnswer.ReadAsync(finance, "/admin/analytics/cost?by=day")).Rows;
        Assert.NotEmpty(byDay);
        Assert.All(byDay, r => Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", r[0].GetString()));

        var top = (await AnalyticsAnswer.ReadAsync(finance, "/admin/analytics/top-keys?n=1000")).Rows;
        var share = top.Single(r => r[0].GetString() == bigId);
        Assert.Equal(75.0, share[5].GetDouble(), 1); // 3 of the team's 4 paid requests, same price each

        var latency = (await AnalyticsAnswer.ReadAsync(finance, "/admin/analytics/latency?metric=total&by=model&bucket=hour")).Rows;
        Assert.Contains(latency, r => r[1].GetString() == model.PublicId && r[2].GetInt64() == 4);

        var reliability = (await AnalyticsAnswer.ReadAsync(finance, "/admin/analytics/reliability?by=model&bucket=day")).Rows;
        Assert.Equal(100.0, reliability.Single(r => r[1].GetString() == flaky.PublicId)[3].GetDouble());

        using var csv = await finance.GetAsync("/admin/analytics/cost?by=key&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("key,requests,prompt_tokens", await csv.Content.ReadAsStringAsync());

        using var bad = await finance.GetAsync("/admin/analytics/cost?by=password");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("by must be one of", await bad.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/admin/analytics/cost?by=key&from=2026-13-45", "from")]
    [InlineData("/admin/analytics/top-keys?n=ten", "n")]
    [InlineData("/admin/history/callers?model=m&time=yesterday", "time")]
    public async Task a_query_value_that_does_not_parse_is_refused_not_ignored(string url, string parameter)
    {
        // Bound leniently, a bad period would silently become "all time" and finance would get a wrong total.
        using var response = await gateway.Client(GatewayFixture.AdminKey).GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(parameter, body);
        Assert.DoesNotContain("   at ", body);
    }
}
