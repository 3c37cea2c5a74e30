using System.Net;

namespace Gateway.Tests;

[Collection(GatewayCollection.Name)]
public class CatalogAndKeyTests(GatewayFixture gateway)
{
    [Fact]
    public async Task disabling_a_model_refuses_the_very_next_request_and_enabling_restores_it()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);
        Assert.Equal(HttpStatusCode.OK, (await Chat.PostAsync(client, Chat.Request(model.PublicId))).StatusCode);

        await gateway.AdminPostAsync($"/admin/models/{model.Id}/disable", null);
        using (var refused = await Chat.PostAsync(client, Chat.Request(model.PublicId)))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Contains("model_not_found", await refused.Content.ReadAsStringAsync());
        }

        await gateway.AdminPostAsync($"/admin/models/{model.Id}/enable", null);
        using var served = await Chat.PostAsync(client, Chat.Request(model.PublicId));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task a_revoked_key_is_refused_on_its_next_request()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);
        Assert.Equal(HttpStatusCode.OK, (await Chat.PostAsync(client, Chat.Request(model.PublicId))).StatusCode);

        var revoked = await gateway.AdminPostAsync($"/admin/keys/{key.Id}/revoke", new { reason = "leaked in a log" });
        Assert.True(revoked.GetProperty("revoked").GetBoolean());

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var models = await client.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
    }

    [Fact]
    public async Task models_lists_only_enabled_models()
    {
        var key = await gateway.NewKeyAsync();
        var shown = await gateway.NewModelAsync();
        var hidden = await gateway.NewModelAsync();
        await gateway.AdminPostAsync($"/admin/models/{hidden.Id}/disable", null);
        using var client = gateway.Client(key.Secret);

        using var response = await client.GetAsync("/v1/models");

        var body = await Chat.JsonAsync(response);
        Assert.Equal("list", body.GetProperty("object").GetString());
        var ids = body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains(shown.PublicId, ids);
        Assert.DoesNotContain(hidden.PublicId, ids);
        var one = await Chat.JsonAsync(await client.GetAsync($"/v1/models/{shown.PublicId}"));
        Assert.Equal("model", one.GetProperty("object").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/models/{hidden.PublicId}")).StatusCode);
    }

    [Fact]
    public async Task a_model_is_found_by_its_id_with_the_slash_raw_or_escaped()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);

        foreach (var path in new[] { $"/v1/models/{model.PublicId}", $"/v1/models/{model.PublicId.Replace("/", "%2F")}", $"/v1/models/{model.PublicId.Replace("/", "%2f")}" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}");
            Assert.Equal(model.PublicId, (await Chat.JsonAsync(response)).GetProperty("id").GetString());
        }
        using var unknown = await client.GetAsync("/v1/models/mock%2Fno-such-model");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("'mock/no-such-model'", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task an_issued_key_secret_is_shown_once_and_only_its_prefix_is_listed()
    {
        var key = await gateway.NewKeyAsync();

        var listed = await gateway.AdminGetAsync($"/admin/keys?teamId={key.TeamId}");

        var entry = Assert.Single(listed.EnumerateArray());
        Assert.Equal(key.Id, entry.GetProperty("id").GetGuid());
        Assert.DoesNotContain(key.Secret, listed.GetRawText());
        Assert.StartsWith(entry.GetProperty("prefix").GetString()!.TrimEnd('…'), key.Secret);
    }
}
