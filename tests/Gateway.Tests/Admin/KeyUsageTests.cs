using System.Net;
using System.Text.Json;
using MockProvider;

namespace Gateway.Tests.Admin;

[Collection(GatewayCollection.Name)]
public class KeyUsageTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_fresh_key_s_usage_names_its_team_before_any_request()
    {
        var key = await gateway.NewKeyAsync();
        var usage = await gateway.AdminGetAsync($"/admin/keys/{key.Id}/usage");
        Assert.Equal(key.Id, usage.GetProperty("id").GetGuid());
        Assert.Equal(key.TeamId, usage.GetProperty("teamId").GetGuid());
        Assert.Equal(0, usage.GetProperty("requests").GetInt64());
        Assert.Equal(JsonValueKind.Null, usage.GetProperty("lastRequestAt").ValueKind);
    }

    [Fact]
    public async Task a_key_s_usage_sums_its_requests_and_no_other_key_s()
    {
        var key = await gateway.NewKeyAsync();
        var other = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 1m, output: 1m);
        using (var client = gateway.Client(key.Secret))
        {
            for (var i = 0; i < 3; i++) (await Chat.PostAsync(client, Chat.Request(model.PublicId, "a b"))).Dispose();
            gateway.SetBehavior(model, new ModelBehavior { Status = 500 });
            (await Chat.PostAsync(client, Chat.Request(model.PublicId, "a b"))).Dispose();
            gateway.SetBehavior(model, new ModelBehavior());
        }
        using (var client = gateway.Client(other.Secret)) (await Chat.PostAsync(client, Chat.Request(model.PublicId, "a b c d"))).Dispose();

        var usage = await EventuallyAsync($"/admin/keys/{key.Id}/usage", u => u.GetProperty("requests").GetInt64() == 4);
        Assert.Equal(4, usage.GetProperty("requests").GetInt64());
        Assert.Equal(1, usage.GetProperty("failedRequests").GetInt64());
        Assert.Equal(6, usage.GetProperty("promptTokens").GetInt64());
        Assert.Equal(21, usage.GetProperty("completionTokens").GetInt64());
        Assert.Equal(27, usage.GetProperty("totalTokens").GetInt64());
        Assert.Equal(model.Cost(6, 21), usage.GetProperty("cost").GetDecimal());
        Assert.True(usage.GetProperty("lastRequestAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        var theOther = await EventuallyAsync($"/admin/keys/{other.Id}/usage", u => u.GetProperty("requests").GetInt64() == 1);
        Assert.Equal(1, theOther.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task an_unknown_key_s_usage_is_a_404_problem()
    {
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var response = await admin.GetAsync($"/admin/keys/{Guid.NewGuid()}/usage");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    Task<JsonElement> EventuallyAsync(string url, Func<JsonElement, bool> done) => Eventually.ReadAsync(() => gateway.AdminGetAsync(url), done);
}
