using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Admin;
using Npgsql;

namespace Gateway.Tests;

[Collection(GatewayCollection.Name)]
public class AdminApiTests(GatewayFixture gateway)
{
    [Fact]
    public async Task admin_calls_without_the_admin_key_are_refused()
    {
        var key = await gateway.NewKeyAsync();
        foreach (var secret in new string?[] { null, key.Secret, "sk-admin-wrong" })
        {
            using var client = gateway.Client(secret);
            using var response = await client.GetAsync("/admin/keys");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task invalid_admin_input_gets_problem_details_naming_each_field()
    {
        var problem = await gateway.AdminPostAsync("/admin/providers", new { name = "Not Valid", kind = "carrier-pigeon", baseUrl = "ftp://x" }, 400);

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("kind", out _));
        Assert.True(errors.TryGetProperty("baseUrl", out _));
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task models_need_a_registered_provider_and_a_unique_public_id()
    {
        var unknown = await gateway.AdminPostAsync("/admin/models",
            new { provider = "nobody", model = "m", inputPricePerMillion = 1, outputPricePerMillion = 1 }, 400);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("provider", out _));

        var negative = await gateway.AdminPostAsync("/admin/models",
            new { provider = "mock", model = "m", inputPricePerMillion = -1, outputPricePerMillion = 1 }, 400);
        Assert.True(negative.GetProperty("errors").TryGetProperty("inputPricePerMillion", out _));

        var model = await gateway.NewModelAsync();
        var name = model.PublicId["mock/".Length..];
        var duplicate = await gateway.AdminPostAsync("/admin/models",
            new { provider = "mock", model = name, inputPricePerMillion = 1, outputPricePerMillion = 1 }, 409);
        Assert.True(duplicate.GetProperty("errors").TryGetProperty("model", out _));
    }

    [Fact]
    public async Task a_key_for_an_unknown_team_is_refused()
    {
        var problem = await gateway.AdminPostAsync("/admin/keys", new { teamId = Guid.NewGuid(), name = "x" }, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("teamId", out _));
    }

    [Fact]
    public async Task malformed_admin_json_is_a_400()
    {
        using var client = gateway.Client(GatewayFixture.AdminKey);
        using var response = await client.PostAsync("/admin/teams", new StringContent("{\"name\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task the_openapi_document_describes_the_admin_api()
    {
        using var client = gateway.Client(null);
        var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/admin/providers", "/admin/models", "/admin/models/{id}/disable", "/admin/teams", "/admin/keys", "/admin/keys/{id}/revoke", "/admin/requests/{id}" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
    }

    [Fact]
    public async Task every_admin_read_answers_an_admin_without_a_server_error()
    {
        // Each GET of the OpenAPI document: lists and statuses as they are, the others with an unknown id in every
        // path parameter (a 404 or a 400, never a 500). A handler that cannot even be generated (a Validate method of
        // another endpoint in its class, say) answers 500 here, not in production.
        await gateway.AdminPostAsync("/admin/teams", new { name = $"list-{Guid.NewGuid():N}" });
        var reads = (await AdminOperations.ListAsync(gateway, "GET")).Select(r => r.Path).ToList();
        Assert.Contains("/admin/teams", reads);
        Assert.Contains(reads, r => r.StartsWith("/admin/requests/"));

        using var admin = gateway.Client(GatewayFixture.AdminKey);
        foreach (var path in reads)
        {
            using var response = await admin.GetAsync(path);
            Assert.True((int)response.StatusCode < 500, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"name\": 12, \"teamId\": \"not-a-guid\", \"limit\": \"lots\"}")]
    [InlineData("not json")]
    public async Task every_admin_write_refuses_a_wrong_body_without_a_server_error(string body)
    {
        var writes = await AdminOperations.ListAsync(gateway, AdminOperations.Writes);
        Assert.Contains(writes, w => w.Path == "/admin/keys");

        using var admin = gateway.Client(GatewayFixture.AdminKey);
        foreach (var (method, path) in writes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            using var response = await admin.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{method} {path} with {body} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task provider_keys_never_appear_in_events_documents_or_responses()
    {
        var listed = await gateway.AdminGetAsync("/admin/providers");
        Assert.DoesNotContain(GatewayFixture.ProviderKey, listed.GetRawText());
        Assert.True(listed.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "mock").GetProperty("hasApiKey").GetBoolean());

        await using var connection = new NpgsqlConnection(gateway.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select (select count(*) from gateway.mt_events where data::text like @needle)
                 + (select count(*) from gateway.mt_doc_providerview where data::text like @needle)
                 + (select count(*) from gateway.mt_doc_providersecret where data::text like @needle)
                 + (select count(*) from gateway.request_bodies where request like @needle or response like @needle)
            """, connection);
        command.Parameters.AddWithValue("needle", $"%{GatewayFixture.ProviderKey}%");
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);

        await using var secrets = new NpgsqlCommand("select count(*) from gateway.mt_doc_providersecret", connection);
        Assert.True((long)(await secrets.ExecuteScalarAsync())! >= 1);
    }

    [Fact]
    public async Task gateway_keys_are_stored_only_as_hashes()
    {
        var key = await gateway.NewKeyAsync();
        await using var connection = new NpgsqlConnection(gateway.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select (select count(*) from gateway.mt_events where data::text like @needle) + (select count(*) from gateway.mt_doc_keyview where data::text like @needle)",
            connection);
        command.Parameters.AddWithValue("needle", $"%{key.Secret}%");
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }
}
