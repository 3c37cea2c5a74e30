using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Marten.Events;

namespace Gateway.Tests.Governance;

/// <summary>Every admin call is authorised by role, and every change is on the audit trail: who, what, when, why, before and after.</summary>
[Collection(GatewayCollection.Name)]
public class RolesAndAuditTests(GatewayFixture gateway)
{
    async Task<HttpClient> AdminAsAsync(string role, Guid? teamId = null, string? name = null)
    {
        var issued = await gateway.AdminPostAsync("/admin/admin-keys", new { name = name ?? $"{role}-{Guid.NewGuid():N}"[..20], role, teamId });
        return gateway.Client(issued.GetProperty("key").GetString());
    }

    [Fact]
    public async Task finance_reads_costs_and_changes_nothing()
    {
        using var finance = await AdminAsAsync("finance");
        using (var budgets = await finance.GetAsync("/admin/budgets")) Assert.Equal(HttpStatusCode.OK, budgets.StatusCode);
        using (var models = await finance.GetAsync("/admin/models")) Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        using (var team = await finance.PostAsJsonAsync("/admin/teams", new { name = "nope" })) Assert.Equal(HttpStatusCode.Forbidden, team.StatusCode);
        using (var audit = await finance.GetAsync("/admin/audit")) Assert.Equal(HttpStatusCode.Forbidden, audit.StatusCode);
    }

    [Fact]
    public async Task an_auditor_reads_history_and_changes_nothing()
    {
        using var auditor = await AdminAsAsync("auditor");
        using (var audit = await auditor.GetAsync("/admin/audit")) Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        using (var providers = await auditor.GetAsync("/admin/providers")) Assert.Equal(HttpStatusCode.OK, providers.StatusCode);
        using var model = await auditor.PostAsJsonAsync("/admin/models", new { provider = "mock", model = "x", inputPricePerMillion = 1, outputPricePerMillion = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, model.StatusCode);

        // Time travel is the auditor's; erasing is not.
        var key = await gateway.NewKeyAsync("audited");
        using (var history = await auditor.GetAsync($"/admin/history/key/{key.Id}")) Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        using (var at = await auditor.GetAsync($"/admin/history/key/{key.Id}/at?time={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}"))
            Assert.Equal(HttpStatusCode.OK, at.StatusCode);
        using (var erase = await auditor.DeleteAsync($"/admin/keys/{key.Id}/bodies")) Assert.Equal(HttpStatusCode.Forbidden, erase.StatusCode);
        using (var finance = await AdminAsAsync("finance"))
        using (var refused = await finance.GetAsync($"/admin/history/key/{key.Id}")) Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using (var unknown = await auditor.GetAsync($"/admin/history/wallet/{key.Id}")) Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task a_key_manager_manages_its_own_teams_keys_only()
    {
        var mine = await gateway.NewKeyAsync("mine");
        var theirs = await gateway.NewKeyAsync("theirs");
        using var manager = await AdminAsAsync("key-manager", mine.TeamId);

        using (var issued = await manager.PostAsJsonAsync("/admin/keys", new { teamId = mine.TeamId, name = "by the manager" }))
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        using (var foreign = await manager.PostAsJsonAsync("/admin/keys", new { teamId = theirs.TeamId, name = "not mine" }))
            Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        using (var revoke = await manager.PostAsJsonAsync($"/admin/keys/{theirs.Id}/revoke", new { reason = "no" }))
            Assert.Equal(HttpStatusCode.Forbidden, revoke.StatusCode);
        using (var provider = await manager.PostAsJsonAsync("/admin/providers", new { name = "rogue", kind = "openai", baseUrl = "http://127.0.0.1:1/v1" }))
            Assert.Equal(HttpStatusCode.Forbidden, provider.StatusCode);
        var listed = JsonDocument.Parse(await manager.GetStringAsync("/admin/keys")).RootElement;
        Assert.All(listed.EnumerateArray(), k => Assert.Equal(mine.TeamId, k.GetProperty("teamId").GetGuid()));
        Assert.Equal(2, listed.GetArrayLength());
    }

    [Fact]
    public async Task a_change_is_on_the_audit_trail_with_actor_reason_and_before_and_after()
    {
        var model = await gateway.NewModelAsync();
        var actor = $"alice-{Guid.NewGuid():N}"[..16];
        using var alice = await AdminAsAsync("admin", name: actor);
        using var disable = new HttpRequestMessage(HttpMethod.Post, $"/admin/models/{model.Id}/disable");
        disable.Headers.Add("X-Audit-Reason", "incident 42: upstream returns garbage");
        using (var response = await alice.SendAsync(disable)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var auditor = await AdminAsAsync("auditor");
        await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        var trail = JsonDocument.Parse(await auditor.GetStringAsync($"/admin/audit?entityId={model.Id}")).RootElement;

        var change = trail[0];
        Assert.Equal(("model", "ModelDisabled", actor, "admin"),
            (change.GetProperty("entity").GetString(), change.GetProperty("change").GetString(), change.GetProperty("actor").GetString(), change.GetProperty("role").GetString()));
        Assert.Equal("incident 42: upstream returns garbage", change.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrEmpty(change.GetProperty("source").GetString()));
        Assert.True(change.GetProperty("before").GetProperty("enabled").GetBoolean());
        Assert.False(change.GetProperty("after").GetProperty("enabled").GetBoolean());
        Assert.Equal("ModelAdded", trail[1].GetProperty("change").GetString());
        Assert.Equal(JsonValueKind.Null, trail[1].GetProperty("before").ValueKind);

        var byActor = JsonDocument.Parse(await auditor.GetStringAsync($"/admin/audit?actor={actor}")).RootElement;
        Assert.Equal([model.Id], byActor.EnumerateArray().Select(e => e.GetProperty("entityId").GetGuid()));
        var past = JsonDocument.Parse(await auditor.GetStringAsync($"/admin/audit?entityId={model.Id}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"))}")).RootElement;
        Assert.Equal(0, past.GetArrayLength());
    }
}
