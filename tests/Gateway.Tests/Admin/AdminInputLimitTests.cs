using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gateway.Tests.Admin;

/// <summary>Every list and string an admin sends has a limit (docs/admin-api.md, "Limits"); past it, a 400 naming the field.</summary>
[Collection(GatewayCollection.Name)]
public class AdminInputLimitTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_route_with_ten_thousand_fallbacks_is_refused_naming_fallbacks()
    {
        var model = await gateway.NewModelAsync();
        var problem = await gateway.AdminPostAsync("/admin/routes",
            new { name = $"huge-{Guid.NewGuid():N}"[..16], primary = model.PublicId, fallbacks = Enumerable.Repeat(model.PublicId, 10_000).ToArray() }, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("fallbacks", out _), problem.GetRawText());

        var tiers = Enumerable.Range(0, 17).Select(_ => new[] { new { model = model.PublicId } }).ToArray();
        var tooManyTiers = await gateway.AdminPostAsync("/admin/routes", new { name = $"tiers-{Guid.NewGuid():N}"[..16], tiers }, 400);
        Assert.True(tooManyTiers.GetProperty("errors").TryGetProperty("tiers", out _), tooManyTiers.GetRawText());

        // Sixteen targets are the most, and fine.
        await gateway.AdminPostAsync("/admin/routes",
            new { name = $"max-{Guid.NewGuid():N}"[..16], primary = model.PublicId, fallbacks = Enumerable.Repeat(model.PublicId, 15).ToArray() });
    }

    [Fact]
    public async Task a_budget_with_ten_thousand_thresholds_is_refused_naming_thresholds()
    {
        var key = await gateway.NewKeyAsync();
        foreach (var count in new[] { 10_000, 11 })
        {
            var problem = await gateway.AdminPostAsync("/admin/budgets",
                new { scope = "key", scopeId = key.Id, limitUsd = 10m, thresholds = Enumerable.Range(1, count).Select(i => i % 100 + 1).ToArray() }, 400);
            Assert.True(problem.GetProperty("errors").TryGetProperty("thresholds", out _), problem.GetRawText());
        }
        await gateway.AdminPostAsync("/admin/budgets",
            new { scope = "key", scopeId = key.Id, limitUsd = 10m, thresholds = Enumerable.Range(1, 10).Select(i => i * 10).ToArray() });
    }

    [Fact]
    public async Task long_strings_and_long_lists_are_refused_naming_the_field()
    {
        var key = await gateway.NewKeyAsync();
        var longText = new string('x', 201);
        (string Url, object Body, string Field)[] cases =
        [
            ("/admin/teams", new { name = longText }, "name"),
            ("/admin/accounts", new { name = longText }, "name"),
            ("/admin/keys", new { teamId = key.TeamId, name = longText }, "name"),
            ("/admin/keys", new { teamId = key.TeamId, name = "k", owner = longText }, "owner"),
            ("/admin/keys", new { teamId = key.TeamId, name = "k", allowedModels = Enumerable.Repeat("mock/x", 257).ToArray() }, "allowedModels"),
            ("/admin/admin-keys", new { name = longText, role = "auditor" }, "name"),
            ("/admin/providers", new { name = "p-" + new string('a', 63), kind = "openai", baseUrl = "http://127.0.0.1:1/v1" }, "name"),
            ("/admin/providers", new { name = "long-url", kind = "openai", baseUrl = "http://127.0.0.1:1/" + new string('a', 2048) }, "baseUrl"),
            ("/admin/providers", new { name = "long-key", kind = "openai", baseUrl = "http://127.0.0.1:1/v1", apiKey = new string('k', 4097) }, "apiKey"),
            ("/admin/models", new { provider = "mock", model = longText, inputPricePerMillion = 1, outputPricePerMillion = 1 }, "model"),
            ($"/admin/keys/{key.Id}/revoke", new { reason = new string('r', 501) }, "reason"),
            ("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 1m, webhookUrl = "https://hooks.example/" + new string('a', 2048) }, "webhookUrl"),
        ];
        foreach (var (url, body, field) in cases)
        {
            var problem = await gateway.AdminPostAsync(url, body, 400);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{url}: {problem.GetRawText()}");
        }

        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var scope = await admin.PutAsJsonAsync($"/admin/teams/{key.TeamId}/scope", new { allowedModels = Enumerable.Repeat("mock/x", 257).ToArray() });
        Assert.Equal(HttpStatusCode.BadRequest, scope.StatusCode);
        Assert.Contains("allowedModels", await scope.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task an_admin_body_over_one_mebibyte_is_a_413_problem()
    {
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        var body = JsonSerializer.Serialize(new { name = new string('x', 1024 * 1024) });
        foreach (var chunked in new[] { false, true })
        {
            HttpContent content = new StringContent(body, Encoding.UTF8, "application/json");
            if (chunked) content = new StreamingContent(body) { Headers = { ContentType = new("application/json") } };
            using var response = await admin.PostAsync("/admin/teams", content);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(413, problem.GetProperty("status").GetInt32());
            Assert.Contains("1 MiB", problem.GetProperty("detail").GetString());
        }
    }

    /// <summary>A body without a length, as a client streaming it sends it.</summary>
    sealed class StreamingContent(string text) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
