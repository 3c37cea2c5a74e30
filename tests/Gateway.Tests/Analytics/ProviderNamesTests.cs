using System.Text.Json;

namespace Gateway.Tests.Analytics;

[Collection(GatewayCollection.Name)]
public class ProviderNamesTests(GatewayFixture gateway)
{
    [Fact]
    public async Task reports_by_provider_show_each_provider_s_name_beside_its_id()
    {
        var name = $"named-{Guid.NewGuid():N}"[..14];
        var provider = await gateway.AdminPostAsync("/admin/providers",
            new { name, kind = "openai", baseUrl = gateway.Mock.BaseUrl, apiKey = GatewayFixture.ProviderKey });
        var providerId = provider.GetProperty("id").GetGuid().ToString();
        var model = await gateway.NewModelAsync(provider: name);
        var key = await gateway.NewKeyAsync();
        using (var client = gateway.Client(key.Secret))
            for (var i = 0; i < 2; i++) using (await Chat.PostAsync(client, Chat.Request(model.PublicId))) { }

        using var admin = gateway.Client(GatewayFixture.AdminKey);
        foreach (var report in new[] { "reliability?by=provider&bucket=day", "cost?by=provider", "latency?by=provider&bucket=day" })
        {
            JsonElement answer = default;
            JsonElement[]? row = null;
            for (var i = 0; i < 100 && row is null; i++, await Task.Delay(200))
            {
                answer = JsonDocument.Parse(await admin.GetStringAsync($"/admin/analytics/{report}")).RootElement.Clone();
                var at = Column(answer, "provider");
                row = answer.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().ToArray())
                    .FirstOrDefault(r => r[at].GetString() == providerId);
            }
            Assert.True(row is not null, $"{report}: no row for the provider in {answer.GetRawText()}");
            Assert.Equal(Column(answer, "provider") + 1, Column(answer, "provider_name"));
            Assert.Equal(name, row[Column(answer, "provider_name")].GetString());
        }
    }

    static int Column(JsonElement answer, string name) =>
        answer.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ToList().IndexOf(name);
}
