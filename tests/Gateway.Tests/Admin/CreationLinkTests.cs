using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Tests.Admin;

/// <summary>What a create answers with — 201, a Location header and the same link as <c>url</c> — can be followed.</summary>
[Collection(GatewayCollection.Name)]
public class CreationLinkTests(GatewayFixture gateway)
{
    [Fact]
    public async Task every_create_links_to_a_get_that_answers_the_entity()
    {
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var account = await FollowAsync(admin, "/admin/accounts", new { name = $"acct-{suffix}" });
        var team = await FollowAsync(admin, "/admin/teams", new { name = $"team-{suffix}", accountId = account.GetProperty("id").GetGuid() });
        var teamId = team.GetProperty("id").GetGuid();
        Assert.Equal(account.GetProperty("id").GetGuid(), team.GetProperty("accountId").GetGuid());
        var key = await FollowAsync(admin, "/admin/keys", new { teamId, name = "linked" });
        Assert.False(key.TryGetProperty("key", out _), "a key's secret is shown on issue only");
        Assert.Equal(teamId, key.GetProperty("teamId").GetGuid());
        await FollowAsync(admin, "/admin/admin-keys", new { name = $"auditor-{suffix}", role = "auditor" });
        var provider = await FollowAsync(admin, "/admin/providers", new { name = $"p-{suffix}", kind = "openai", baseUrl = gateway.Mock.BaseUrl, apiKey = "sk-x" });
        Assert.True(provider.GetProperty("hasApiKey").GetBoolean());
        var model = await FollowAsync(admin, "/admin/models",
            new { provider = $"p-{suffix}", model = "linked", inputPricePerMillion = 1, outputPricePerMillion = 2 });
        Assert.Equal($"p-{suffix}/linked", model.GetProperty("publicId").GetString());
        var route = await FollowAsync(admin, "/admin/routes", new { name = $"r-{suffix}", primary = $"p-{suffix}/linked" }, id: "name");
        Assert.Equal($"p-{suffix}/linked", route.GetProperty("tiers")[0].GetProperty("targets")[0].GetProperty("model").GetString());
        await FollowAsync(admin, "/admin/budgets", new { scope = "team", scopeId = teamId, limitUsd = 5m });
    }

    [Fact]
    public async Task a_route_is_read_by_name_and_an_unknown_one_is_a_404()
    {
        var model = await gateway.NewModelAsync();
        var name = await gateway.NewRouteAsync(null, model);
        var route = await gateway.AdminGetAsync($"/admin/routes/{name}");
        Assert.Equal(name, route.GetProperty("name").GetString());
        var all = await gateway.AdminGetAsync("/admin/routes");
        Assert.Contains(all.EnumerateArray(), r => r.GetProperty("name").GetString() == name);

        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var missing = await admin.GetAsync("/admin/routes/no-such-route");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>POSTs, checks the 201 and its link, GETs the link, and returns what the GET answered.</summary>
    static async Task<JsonElement> FollowAsync(HttpClient admin, string url, object body, string id = "id")
    {
        using var created = await admin.PostAsJsonAsync(url, body);
        var createdText = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST {url}: {(int)created.StatusCode} {createdText}");
        var location = created.Headers.Location?.OriginalString;
        Assert.False(string.IsNullOrEmpty(location), $"POST {url} gave no Location");
        var createdJson = JsonDocument.Parse(createdText).RootElement;
        Assert.Equal(location, createdJson.GetProperty("url").GetString());

        using var read = await admin.GetAsync(location);
        var readText = await read.Content.ReadAsStringAsync();
        Assert.True(read.StatusCode == HttpStatusCode.OK, $"GET {location}: {(int)read.StatusCode} {readText}");
        var entity = JsonDocument.Parse(readText).RootElement;
        Assert.Equal(createdJson.GetProperty(id).GetRawText(), entity.GetProperty(id).GetRawText());
        return entity;
    }
}
