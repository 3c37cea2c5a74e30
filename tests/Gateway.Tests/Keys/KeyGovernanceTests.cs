using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Tests.Keys;

/// <summary>Keys stay governed: rotation with a grace period, expiry, model scopes, and rate limits.</summary>
[Collection(GatewayCollection.Name)]
public class KeyGovernanceTests(GatewayFixture gateway)
{
    [Fact]
    public async Task after_a_rotation_old_and_new_secrets_both_work_until_the_grace_period_ends()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var rotate = await admin.PostAsJsonAsync($"/admin/keys/{key.Id}/rotate", new { gracePeriodSeconds = 3600 });
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var rotated = await Chat.JsonAsync(rotate);
        var fresh = rotated.GetProperty("key").GetString()!;
        Assert.NotEqual(key.Secret, fresh);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(key.Secret, model));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(fresh, model));
        using (gateway.Clock.Shift(TimeSpan.FromMinutes(61)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(key.Secret, model));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(fresh, model));
        }
    }

    [Fact]
    public async Task an_expired_key_is_refused()
    {
        var team = await gateway.AdminPostAsync("/admin/teams", new { name = $"exp-{Guid.NewGuid():N}" });
        var issued = await gateway.AdminPostAsync("/admin/keys", new
        {
            teamId = team.GetProperty("id").GetGuid(), name = "short-lived", owner = "ci@example.com",
            expiresAt = gateway.Clock.GetUtcNow().AddHours(2),
        });
        var secret = issued.GetProperty("key").GetString()!;
        var model = await gateway.NewModelAsync();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(secret, model));
        using (gateway.Clock.Shift(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1)))
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(secret, model));
        var listed = await gateway.AdminGetAsync($"/admin/keys?teamId={team.GetProperty("id").GetGuid()}");
        Assert.Equal("ci@example.com", listed[0].GetProperty("owner").GetString());
    }

    [Fact]
    public async Task a_key_scoped_to_some_models_cannot_call_others_nor_see_them()
    {
        var key = await gateway.NewKeyAsync();
        var allowed = await gateway.NewModelAsync();
        var other = await gateway.NewModelAsync();
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using (var put = await admin.PutAsJsonAsync($"/admin/keys/{key.Id}/scope", new { allowedModels = new[] { allowed.PublicId } }))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(key.Secret, allowed));
        using var client = gateway.Client(key.Secret);
        using var refused = await Chat.PostAsync(client, Chat.Request(other.PublicId));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("model_not_allowed", (await Chat.JsonAsync(refused)).GetProperty("error").GetProperty("code").GetString());
        var listed = JsonDocument.Parse(await client.GetStringAsync("/v1/models")).RootElement.GetProperty("data").EnumerateArray()
            .Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal([allowed.PublicId], listed);
    }

    [Fact]
    public async Task a_team_scope_narrows_every_key_of_the_team()
    {
        var key = await gateway.NewKeyAsync();
        var allowed = await gateway.NewModelAsync();
        var other = await gateway.NewModelAsync();
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using (var put = await admin.PutAsJsonAsync($"/admin/teams/{key.TeamId}/scope", new { allowedModels = new[] { allowed.PublicId } }))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(key.Secret, allowed));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(key.Secret, other));
    }

    [Fact]
    public async Task requests_past_the_per_minute_limit_get_429_with_retry_after()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using (await admin.PutAsJsonAsync($"/admin/keys/{key.Id}/scope", new { requestsPerMinute = 3 })) { }
        using var client = gateway.Client(key.Secret);

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, await StatusAsync(key.Secret, model));
        using var limited = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        var error = (await Chat.JsonAsync(limited)).GetProperty("error");
        Assert.Equal(("rate_limit_exceeded", "requests"), (error.GetProperty("code").GetString(), error.GetProperty("type").GetString()));
        Assert.Equal(3, gateway.Mock.Requests.Snapshot().Count(r => r.Model == model.Upstream));
    }

    [Fact]
    public async Task a_request_that_could_use_more_tokens_than_the_per_minute_limit_is_refused_before_the_call()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using (await admin.PutAsJsonAsync($"/admin/keys/{key.Id}/scope", new { tokensPerMinute = 100 })) { }
        using var client = gateway.Client(key.Secret);

        using var small = await client.PostAsJsonAsync("/v1/chat/completions", new { model = model.PublicId, max_tokens = 20, messages = new[] { new { role = "user", content = "hi" } } });
        using var large = await client.PostAsJsonAsync("/v1/chat/completions", new { model = model.PublicId, max_tokens = 500, messages = new[] { new { role = "user", content = "hi" } } });

        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, large.StatusCode);
        Assert.Equal("tokens", (await Chat.JsonAsync(large)).GetProperty("error").GetProperty("type").GetString());
    }

    async Task<HttpStatusCode> StatusAsync(string secret, TestModel model)
    {
        using var client = gateway.Client(secret);
        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));
        return response.StatusCode;
    }
}
