using System.Net;
using System.Text.Json;
using MockProvider;

namespace Gateway.Tests.Analytics;

/// <summary>
/// The admin endpoints the dashboard reads, through the API as any client would: the request log's filters and
/// paging, the overview split by provider with names, circuit-breaker state, and chain verification.
/// </summary>
[Collection(GatewayCollection.Name)]
public class DashboardEndpointsTests(GatewayFixture gateway)
{
    [Fact]
    public async Task the_request_log_filters_by_key_model_and_status_and_pages_newest_first_without_gaps()
    {
        var first = await gateway.NewKeyAsync("log");
        var second = await gateway.NewKeyAsync("log");
        var model = await gateway.NewModelAsync();
        var failing = await gateway.NewModelAsync();
        gateway.SetBehavior(failing, new ModelBehavior { Status = 500 });
        var ids = new List<string>();
        using (var client = gateway.Client(first.Secret))
            for (var i = 0; i < 5; i++)
            {
                using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));
                ids.Add(response.Headers.GetValues("x-request-id").Single());
            }
        using (var client = gateway.Client(first.Secret)) using (await Chat.PostAsync(client, Chat.Request(failing.PublicId))) { }
        using (var client = gateway.Client(second.Secret)) using (await Chat.PostAsync(client, Chat.Request(model.PublicId))) { }
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        var url = $"/admin/analytics/requests?key={first.Id}";
        var all = await AnalyticsAnswer.EventuallyAsync(admin, url, r => r.Rows.Count == 6);
        Assert.Equal(6, all.Rows.Count);
        Assert.Equal(["seq", "time", "request_id", "key_id", "team_id"], all.Columns.Take(5));
        Assert.True(all.Column("seq").Select(s => s.GetInt64()).SequenceEqual(all.Column("seq").Select(s => s.GetInt64()).OrderDescending()), "newest first");
        Assert.All(all.Column("key_id"), k => Assert.Equal(first.Id.ToString(), k.GetString()));
        // The failed request was served by no provider: no name.
        Assert.Equal(["mock", "mock", "mock", "mock", "mock", null], all.Column("provider_name").Select(n => n.GetString()).OrderBy(n => n is null));
        Assert.EndsWith("Z", all.Column("time")[0].GetString());

        var onlyModel = await AnalyticsAnswer.ReadAsync(admin, $"{url}&model={Uri.EscapeDataString(model.PublicId)}");
        Assert.Equal(ids.AsEnumerable().Reverse(), onlyModel.Column("request_id").Select(r => r.GetString()!));
        var failed = await AnalyticsAnswer.ReadAsync(admin, $"{url}&status=502");
        Assert.Equal(failing.PublicId, Assert.Single(failed.Column("model_asked")).GetString());

        // Pages of two, each starting below the last one's sequence number: every request once, in order.
        var paged = new List<string>();
        long? before = null;
        for (var page = 0; page < 4; page++)
        {
            var rows = await AnalyticsAnswer.ReadAsync(admin, $"{url}&limit=2{(before is null ? "" : $"&before={before}")}");
            if (rows.Rows.Count == 0) break;
            Assert.True(rows.Rows.Count <= 2);
            paged.AddRange(rows.Column("request_id").Select(r => r.GetString()!));
            before = rows.Column("seq")[^1].GetInt64();
        }
        Assert.Equal(all.Column("request_id").Select(r => r.GetString()!), paged);

        var none = await AnalyticsAnswer.ReadAsync(admin, $"{url}&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z");
        Assert.Empty(none.Rows);
        using var bad = await admin.GetAsync($"{url}&status=abc");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task the_overview_split_by_provider_names_each_provider_and_its_totals_match_the_cost_report()
    {
        var key = await gateway.NewKeyAsync("overview");
        var openai = await gateway.NewModelAsync(input: 2m, output: 4m);
        var anthropic = await gateway.NewModelAsync(provider: "mock-anthropic");
        using (var client = gateway.Client(key.Secret))
        {
            for (var i = 0; i < 3; i++) using (await Chat.PostAsync(client, Chat.Request(openai.PublicId))) { }
            using (await Chat.PostAsync(client, Chat.Request(anthropic.PublicId))) { }
        }
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        await AnalyticsAnswer.EventuallyAsync(admin, $"/admin/analytics/requests?key={key.Id}", r => r.Rows.Count == 4);

        var overview = JsonDocument.Parse(await admin.GetStringAsync("/admin/analytics/overview?bucket=day&by=provider")).RootElement;

        var columns = overview.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Equal(["bucket", "group", "group_name", "requests"], columns.Take(4));
        var names = overview.GetProperty("rows").EnumerateArray().Select(r => r[2].GetString()).ToHashSet();
        Assert.Contains("mock", names);
        Assert.Contains("mock-anthropic", names);
        var totals = overview.GetProperty("totals");
        var seriesRequests = overview.GetProperty("rows").EnumerateArray().Sum(r => r[3].GetInt64());
        Assert.Equal(totals.GetProperty("requests").GetInt64(), seriesRequests);
        var cost = JsonDocument.Parse(await admin.GetStringAsync("/admin/analytics/cost?by=provider")).RootElement.GetProperty("rows");
        Assert.Equal(cost.EnumerateArray().Sum(r => r[2].GetInt64()), totals.GetProperty("requests").GetInt64());
        using var bad = await admin.GetAsync("/admin/analytics/overview?by=key");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task routing_health_shows_a_failing_models_circuit_open_and_a_healthy_one_closed()
    {
        var key = await gateway.NewKeyAsync("health");
        var healthy = await gateway.NewModelAsync();
        var broken = await gateway.NewModelAsync();
        gateway.SetBehavior(broken, new ModelBehavior { Status = 503 });
        using (var client = gateway.Client(key.Secret))
        {
            using (await Chat.PostAsync(client, Chat.Request(healthy.PublicId))) { }
            for (var i = 0; i < 6; i++) using (await Chat.PostAsync(client, Chat.Request(broken.PublicId))) { }
        }
        using var admin = gateway.Client(GatewayFixture.AdminKey);

        var states = JsonDocument.Parse(await admin.GetStringAsync("/admin/routing/health")).RootElement.EnumerateArray()
            .ToDictionary(s => s.GetProperty("model").GetString()!, s => s);

        Assert.Equal("open", states[broken.PublicId].GetProperty("state").GetString());
        Assert.Equal("closed", states[healthy.PublicId].GetProperty("state").GetString());
        Assert.True(states[healthy.PublicId].GetProperty("averageLatencyMs").GetDouble() > 0);
    }

    [Fact]
    public async Task chain_verification_reports_every_linked_event_intact()
    {
        await gateway.NewKeyAsync("chain");
        await gateway.ChainLinkedAsync();
        using var auditor = gateway.Client((await gateway.AdminPostAsync("/admin/admin-keys", new { name = "chain auditor", role = "auditor" })).GetProperty("key").GetString());

        var report = JsonDocument.Parse(await auditor.GetStringAsync("/admin/audit/chain")).RootElement;

        Assert.True(report.GetProperty("intact").GetBoolean());
        Assert.True(report.GetProperty("events").GetInt64() > 0);
        Assert.Equal(64, report.GetProperty("head").GetString()!.Length);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("firstBreak").ValueKind);
    }
}
