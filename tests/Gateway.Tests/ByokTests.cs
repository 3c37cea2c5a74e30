using System.Net;
using System.Net.Http.Json;
using Gateway.Domain.Requests;
using Marten;
using MockProvider;

namespace Gateway.Tests;

/// <summary>Bring your own key: a team's own provider key, or one sent with the request, pays for the call; the record names it by id only.</summary>
[Collection(GatewayCollection.Name)]
public class ByokTests(GatewayFixture gateway) : IAsyncLifetime
{
    const string GatewayProviderKey = "sk-gateway-own-key-0000";
    const string TeamProviderKey = "sk-team-own-key-1111";
    const string RequestProviderKey = "sk-request-key-2222";

    // A mock of its own that accepts any key, so the test can see which one the gateway sent.
    MockServer upstream = null!;
    Guid providerId;
    string providerName = "";

    public async Task InitializeAsync()
    {
        upstream = await MockServer.StartAsync();
        providerName = $"byok-{Guid.NewGuid():N}"[..16];
        var provider = await gateway.AdminPostAsync("/admin/providers",
            new { name = providerName, kind = "anthropic", baseUrl = upstream.AnthropicBaseUrl, apiKey = GatewayProviderKey });
        providerId = provider.GetProperty("id").GetGuid();
    }

    public async Task DisposeAsync() => await upstream.DisposeAsync();

    [Fact]
    public async Task a_teams_own_key_serves_its_requests_and_the_record_names_it_by_id()
    {
        var model = await gateway.NewModelAsync(provider: providerName);
        var byok = await gateway.NewKeyAsync("byok");
        var other = await gateway.NewKeyAsync("other");
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var put = await admin.PutAsJsonAsync($"/admin/teams/{byok.TeamId}/credentials/{providerId}", new { apiKey = TeamProviderKey });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var putText = await put.Content.ReadAsStringAsync();
        Assert.DoesNotContain(TeamProviderKey, putText);
        var credentialId = (await Chat.JsonAsync(put)).GetProperty("credentialId").GetGuid();

        using (var client = gateway.Client(byok.Secret))
        using (var response = await Chat.PostAsync(client, Chat.Request(model.PublicId)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(TeamProviderKey, upstream.Requests.Snapshot().Last().ApiKey);
            var record = await gateway.RecordAsync(response);
            Assert.Equal(("team", credentialId), (record.CredentialKind, record.CredentialId));
            Assert.True(record.Cost > 0);
        }
        using (var client = gateway.Client(other.Secret))
        using (var response = await Chat.PostAsync(client, Chat.Request(model.PublicId)))
        {
            Assert.Equal(GatewayProviderKey, upstream.Requests.Snapshot().Last().ApiKey);
            Assert.Equal("gateway", (await gateway.RecordAsync(response)).CredentialKind);
        }

        using var listed = await admin.GetAsync($"/admin/teams/{byok.TeamId}/credentials");
        var listText = await listed.Content.ReadAsStringAsync();
        Assert.True(listed.IsSuccessStatusCode, listText);
        Assert.Contains(credentialId.ToString(), listText);
        Assert.DoesNotContain(TeamProviderKey, listText);

        using var removed = await admin.DeleteAsync($"/admin/teams/{byok.TeamId}/credentials/{providerId}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using (var client = gateway.Client(byok.Secret))
        using (var response = await Chat.PostAsync(client, Chat.Request(model.PublicId)))
        {
            Assert.Equal(GatewayProviderKey, upstream.Requests.Snapshot().Last().ApiKey);
            Assert.Equal("gateway", (await gateway.RecordAsync(response)).CredentialKind);
        }
        await AssertNoEventHoldsAsync(TeamProviderKey);
    }

    [Fact]
    public async Task a_key_allowed_to_may_send_its_own_provider_key_per_request()
    {
        var model = await gateway.NewModelAsync(provider: providerName);
        var team = await gateway.AdminPostAsync("/admin/teams", new { name = $"req-{Guid.NewGuid():N}" });
        var allowed = await gateway.AdminPostAsync("/admin/keys",
            new { teamId = team.GetProperty("id").GetGuid(), name = "brings keys", allowsRequestProviderKey = true });
        using var client = gateway.Client(allowed.GetProperty("key").GetString());
        client.DefaultRequestHeaders.Add("X-Provider-Api-Key", RequestProviderKey);

        using var first = await Chat.PostAsync(client, Chat.Request(model.PublicId));
        using var second = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(RequestProviderKey, upstream.Requests.Snapshot().Last().ApiKey);
        var one = await gateway.RecordAsync(first);
        var two = await gateway.RecordAsync(second);
        Assert.Equal("request", one.CredentialKind);
        Assert.NotNull(one.CredentialId);
        Assert.Equal(one.CredentialId, two.CredentialId);
        await AssertNoEventHoldsAsync(RequestProviderKey);
    }

    [Fact]
    public async Task a_key_not_allowed_to_bring_a_provider_key_is_refused()
    {
        var model = await gateway.NewModelAsync(provider: providerName);
        var key = await gateway.NewKeyAsync();
        using var client = gateway.Client(key.Secret);
        client.DefaultRequestHeaders.Add("X-Provider-Api-Key", RequestProviderKey);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("provider_key_not_allowed", (await Chat.JsonAsync(response)).GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain(upstream.Requests.Snapshot(), r => r.ApiKey == RequestProviderKey);
    }

    async Task AssertNoEventHoldsAsync(string secret)
    {
        await using var session = gateway.Store.QuerySession();
        var hits = await session.QueryAsync<int>(
            $"select count(*)::int from {gateway.Store.Options.Events.DatabaseSchemaName}.mt_events where data::text like ?", $"%{secret}%");
        Assert.Equal(0, hits.Single());
    }
}
