using System.Net;
using System.Text;
using System.Text.Json;

namespace Gateway.Tests.Admin;

/// <summary>A body that is not JSON, or whose values are of the wrong kind, is a 400 worded for people: no .NET type names.</summary>
[Collection(GatewayCollection.Name)]
public class AdminJsonErrorTests(GatewayFixture gateway)
{
    [Theory]
    [InlineData("{\"name\":")]
    [InlineData("{\"name\":\"x\" trailing")]
    [InlineData("[1]")]
    [InlineData("\"text\"")]
    [InlineData("{\"name\":5,\"teamId\":\"zz\",\"scopeId\":\"zz\",\"limitUsd\":\"abc\",\"accountId\":7,\"thresholds\":[\"a\"],\"tiers\":[[{\"weight\":\"w\"}]]}")]
    [InlineData("{\"thresholds\":{\"a\":1},\"allowedModels\":\"all\",\"apiKey\":[],\"expiresAt\":\"soon\",\"gracePeriodSeconds\":1e40,\"bodyRetentionDays\":true}")]
    public async Task malformed_bodies_on_every_admin_write_are_worded_without_dotnet_type_names(string body)
    {
        var writes = await AdminOperations.ListAsync(gateway, AdminOperations.Writes);
        Assert.True(writes.Count >= 20, $"only {writes.Count} admin writes found");

        using var admin = gateway.Client(GatewayFixture.AdminKey);
        var refused = 0;
        foreach (var (method, path) in writes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await admin.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("Gateway.", text);
            Assert.DoesNotContain("System.", text);
            Assert.DoesNotContain("could not be converted", text);
            if (response.StatusCode != HttpStatusCode.BadRequest) continue;
            refused++;
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(text).RootElement.TryGetProperty("errors", out _), $"{method} {path}: {text}");
        }
        Assert.True(refused >= 10, $"only {refused} of {writes.Count} writes refused {body}");
    }

    [Theory]
    [InlineData("/admin/teams", "{\"name\":5}", "name", "must be a string")]
    [InlineData("/admin/teams", "{\"name\":\"x\",\"accountId\":\"nope\"}", "accountId", "UUID")]
    [InlineData("/admin/budgets", "{\"scope\":\"account\",\"limitUsd\":\"abc\"}", "limitUsd", "must be a number")]
    [InlineData("/admin/budgets", "{\"scope\":\"account\",\"limitUsd\":1,\"thresholds\":[\"a\"]}", "thresholds[0]", "whole number")]
    [InlineData("/admin/budgets", "{\"scope\":\"account\",\"limitUsd\":1,\"thresholds\":5}", "thresholds", "array")]
    [InlineData("/admin/routes", "{\"name\":\"r\",\"tiers\":[[{\"model\":\"m\",\"weight\":\"heavy\"}]]}", "tiers[0][0].weight", "whole number")]
    [InlineData("/admin/keys", "{\"teamId\":\"0192f1de-7c1a-7b3e-9a55-3f1c2b7d9e01\",\"name\":\"k\",\"expiresAt\":\"tomorrow\"}", "expiresAt", "ISO 8601")]
    [InlineData("/admin/teams", "{\"name\":", "body", "not valid JSON")]
    [InlineData("/admin/teams", "[1]", "body", "must be a JSON object")]
    [InlineData("/admin/teams", "", "body", "empty")]
    public async Task a_wrong_value_names_its_field_and_the_kind_it_needs(string url, string body, string field, string words)
    {
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var response = await admin.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var problem = JsonDocument.Parse(text).RootElement;
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), text);
        Assert.Contains(words, messages[0].GetString());
        Assert.Contains(words, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task a_body_that_is_not_json_and_an_unknown_admin_path_are_problems_too()
    {
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var form = await admin.PostAsync("/admin/teams", new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        Assert.Contains("application/json", JsonDocument.Parse(await form.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());

        using var unknown = await admin.GetAsync("/admin/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/admin/analytics/cost?from=yesterday", "from")]
    [InlineData("/admin/analytics/top-keys?n=ten", "n")]
    [InlineData("/admin/audit?entityId=zz", "entityId")]
    public async Task an_unparseable_query_value_names_it_without_dotnet_type_names(string url, string name)
    {
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var response = await admin.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Contains(name, text);
        Assert.False(text.Contains("System.") || text.Contains("Gateway."), text);
    }
}
