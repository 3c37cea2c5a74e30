using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text;
using Gateway.Domain.Budgets;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Budgets;

[Collection(GatewayCollection.Name)]
public class SignedWebhookTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_budget_webhook_is_signed_with_a_secret_shown_once_and_stored_only_encrypted()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: 10_000m);
        var budget = await gateway.AdminPostAsync("/admin/budgets",
            new { scope = "key", scopeId = key.Id, limitUsd = 0.14m, period = "lifetime", thresholds = new[] { 50 }, webhookUrl = receiver.Url });
        var budgetId = budget.GetProperty("id").GetGuid();
        var secret = budget.GetProperty("webhookSecret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.True(budget.GetProperty("webhookSigned").GetBoolean());
        var read = await gateway.AdminGetAsync($"/admin/budgets/{budgetId}");
        Assert.Equal(JsonValueKind.Null, read.GetProperty("webhookSecret").ValueKind);
        Assert.DoesNotContain(secret, (await gateway.AdminGetAsync("/admin/budgets")).GetRawText());

        using (var client = gateway.Client(key.Secret))
        using (var response = await Chat.PostAsync(client, new { model = model.PublicId, max_tokens = 7, messages = new[] { new { role = "user", content = "Hello there general Kenobi" } } }))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await receiver.WaitForAsync(1, TimeSpan.FromSeconds(20));
        var (body, signature) = Assert.Single(receiver.Raw);
        Assert.NotNull(signature);
        Assert.Matches("^t=[0-9]+,v1=[0-9a-f]{64}$", signature);
        Assert.True(WebhookSignature.Verify(secret, signature, body, gateway.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)), signature);
        Assert.False(WebhookSignature.Verify("whsec_guess", signature, body, gateway.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.Contains("\"budget.threshold_crossed\"", Encoding.UTF8.GetString(body));

        // Neither an event, a document nor a queued message holds the secret; its document holds ciphertext.
        Assert.Equal(0L, await gateway.ScalarAsync<long>("""
            select (select count(*) from gateway.mt_events where data::text like $1)
                 + (select count(*) from gateway.mt_doc_budgetview where data::text like $1)
                 + (select count(*) from gateway.mt_doc_webhooksecret where data::text like $1)
            """, $"%{secret["whsec_".Length..]}%"));
        Assert.Equal(1L, await gateway.ScalarAsync<long>("select count(*) from gateway.mt_doc_webhooksecret where id = $1",
            read.GetProperty("id").GetGuid() == budgetId ? await SecretIdAsync(budgetId) : Guid.Empty));

        // Set again with the same URL: the same secret (not shown); with another URL: a new one, and the old one is gone.
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        var same = await PutAsync(admin, budgetId, new { scope = "key", scopeId = key.Id, limitUsd = 0.28m, period = "lifetime", thresholds = new[] { 50 }, webhookUrl = receiver.Url });
        Assert.Equal(JsonValueKind.Null, same.GetProperty("webhookSecret").ValueKind);
        var oldSecretId = await SecretIdAsync(budgetId);
        var moved = await PutAsync(admin, budgetId, new { scope = "key", scopeId = key.Id, limitUsd = 0.28m, period = "lifetime", thresholds = new[] { 50 }, webhookUrl = receiver.Url + "?v=2" });
        var newSecret = moved.GetProperty("webhookSecret").GetString();
        Assert.StartsWith("whsec_", newSecret);
        Assert.NotEqual(secret, newSecret);
        Assert.Equal(0L, await gateway.ScalarAsync<long>("select count(*) from gateway.mt_doc_webhooksecret where id = $1", oldSecretId));
    }

    async Task<Guid> SecretIdAsync(Guid budgetId)
    {
        await using var session = gateway.Store.QuerySession();
        return (await session.LoadAsync<Gateway.Projections.BudgetView>(budgetId))!.WebhookSecretId!.Value;
    }

    static async Task<JsonElement> PutAsync(HttpClient admin, Guid budgetId, object body)
    {
        using var response = await admin.PutAsJsonAsync($"/admin/budgets/{budgetId}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

/// <summary>With the default settings a webhook cannot be aimed inside the gateway's network, by address or by name.</summary>
[Collection(IsolatedGatewayCollection.Name)]
public class PrivateWebhookTests(IsolatedGatewayFixture isolated)
{
    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("http://localhost:9/hook")]
    [InlineData("http://10.0.0.1/hook")]
    [InlineData("http://192.168.1.20/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]:9/hook")]
    [InlineData("http://[fd00::1]/hook")]
    public async Task a_webhook_at_a_private_address_is_refused_when_the_budget_is_set(string url)
    {
        var problem = await isolated.AdminPostAsync("/admin/budgets", new { scope = "account", limitUsd = 1m, webhookUrl = url }, 400);
        var message = problem.GetProperty("errors").GetProperty("webhookUrl")[0].GetString();
        Assert.Contains("Gateway:AllowPrivateWebhooks", message);
    }

    [Fact]
    public async Task a_name_that_resolves_to_a_private_address_is_not_called_when_delivering()
    {
        // This machine's own name: not an address and not "localhost", so it passes when the budget is set, but it
        // resolves to loopback (or a private address), where the receiver listens.
        await using var receiver = await WebhookReceiver.StartAsync(listen: "http://0.0.0.0:0");
        var name = Dns.GetHostName();
        var addresses = await Dns.GetHostAddressesAsync(name);
        Assert.True(addresses.Length > 0 && addresses.All(a => WebhookTarget.RefusalOf(a) is not null), $"{name} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}");
        var url = $"http://{name}:{receiver.Port}/hook";
        using (var direct = new HttpClient())
        using (await direct.PostAsync(url, new StringContent("{}"))) { }
        Assert.Equal(1, receiver.Attempts); // reachable by that name

        var team = await isolated.AdminPostAsync("/admin/teams", new { name = $"hooks-{Guid.NewGuid():N}" });
        var key = await isolated.AdminPostAsync("/admin/keys", new { teamId = team.GetProperty("id").GetGuid(), name = "k" });
        var keyId = key.GetProperty("id").GetGuid();
        await isolated.AdminPostAsync("/admin/models", new { provider = "mock", model = $"m-{Guid.NewGuid():N}"[..12], upstreamModel = "pricey", inputPricePerMillion = 0m, outputPricePerMillion = 10_000m });
        var model = (await isolated.Client(IsolatedGatewayFixture.AdminKey).GetFromJsonAsync<JsonElement>("/admin/models"))
            .EnumerateArray().Last(m => m.GetProperty("upstreamModel").GetString() == "pricey").GetProperty("publicId").GetString();
        var budget = await isolated.AdminPostAsync("/admin/budgets",
            new { scope = "key", scopeId = keyId, limitUsd = 0.14m, period = "lifetime", thresholds = new[] { 50 }, webhookUrl = url });
        var budgetId = budget.GetProperty("id").GetGuid();

        using (var client = isolated.Client(key.GetProperty("key").GetString()))
        using (var response = await Chat.PostAsync(client, new { model, max_tokens = 7, messages = new[] { new { role = "user", content = "Hello there general Kenobi" } } }))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var store = isolated.Host.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.QuerySession())
            Assert.NotEmpty(await session.Events.QueryRawEventDataOnly<BudgetThresholdCrossed>().Where(e => e.BudgetId == budgetId).ToListAsync());
        // Delivery is tried at once and retried after 0.2 s, 1 s and 5 s: none of them may reach the receiver.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, receiver.Attempts);
    }
}
