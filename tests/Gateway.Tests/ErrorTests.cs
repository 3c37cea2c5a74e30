using System.Net;
using System.Text.Json;
using Marten;
using MockProvider;

namespace Gateway.Tests;

/// <summary>Bad input and upstream failures: an OpenAI-shaped error with the right status, recorded, no stack trace.</summary>
[Collection(GatewayCollection.Name)]
public class ErrorTests(GatewayFixture gateway)
{
    static async Task<JsonElement> ErrorOf(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain("Exception", text);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.True(error.TryGetProperty("type", out _));
        Assert.True(error.TryGetProperty("param", out _));
        Assert.True(error.TryGetProperty("code", out _));
        return error;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sk-gw-not-a-real-key")]
    [InlineData("")]
    public async Task a_missing_or_unknown_key_is_refused_with_401(string? secret)
    {
        using var client = gateway.Client(null);
        if (secret is not null) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"Bearer {secret}");

        using var response = await Chat.PostAsync(client, Chat.Request("mock/anything"));

        var error = await ErrorOf(response, HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-request-id").Single(), out _));
    }

    [Theory]
    [InlineData("GET", "/v1/models")]
    [InlineData("GET", "/v1/models/mock%2Fgpt-4o-mini")]
    [InlineData("POST", "/v1/embeddings")]
    public async Task a_401_on_any_v1_endpoint_carries_a_request_id(string method, string path)
    {
        using var client = gateway.Client("sk-gw-not-a-real-key");

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? new StringContent("""{"model":"mock/x","input":"a"}""", System.Text.Encoding.UTF8, "application/json") : null,
        });

        var error = await ErrorOf(response, HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-request-id").Single(), out _));
    }

    [Theory]
    [InlineData("{\"model\":", "invalid_json", null)]
    [InlineData("[1,2]", "invalid_type", null)]
    [InlineData("{\"model\":42,\"messages\":[]}", "invalid_type", "model")]
    [InlineData("{\"model\":\"mock/x\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}", "invalid_type", "stream")]
    [InlineData("{\"model\":\"mock/x\",\"messages\":\"hi\"}", "invalid_type", "messages")]
    [InlineData("{\"model\":\"mock/x\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":\"ten\"}", "invalid_type", "max_tokens")]
    [InlineData("{\"model\":\"mock/x\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":0}", "invalid_value", "max_tokens")]
    [InlineData("{\"model\":\"mock/x\"}", "invalid_value", "messages")]
    [InlineData("{\"model\":\"mock/x\",\"messages\":[]}", "invalid_value", "messages")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}", "invalid_value", "model")]
    public async Task malformed_or_mistyped_bodies_get_400_naming_the_field(string json, string code, string? param)
    {
        var key = await gateway.NewKeyAsync();
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostRawAsync(client, json);

        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        if (param is null) Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        else Assert.Equal(param, error.GetProperty("param").GetString());
        var record = await gateway.RecordAsync(response);
        Assert.Equal(400, record.Status);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "{\"model\":\"MODEL\",\"messages\":[]}")]
    [InlineData("/v1/chat/completions", "{\"model\":\"MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":0}")]
    [InlineData("/v1/chat/completions", "{\"stream\":\"yes\",\"model\":\"MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}")]
    [InlineData("/v1/chat/completions", "{\"model\":\"MODEL\",\"messages\":[{\"role\":")]
    [InlineData("/v1/embeddings", "{\"model\":\"MODEL\",\"input\":[]}")]
    [InlineData("/v1/messages", "{\"model\":\"MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}")]
    public async Task a_400_record_keeps_the_model_the_body_named(string path, string json)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostRawAsync(client, json.Replace("MODEL", model.PublicId), path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var record = Assert.Single(await gateway.RequestsOfAsync(key.Id));
        Assert.Equal(400, record.Status);
        Assert.Equal(model.PublicId, record.ModelAsked);
    }

    [Fact]
    public async Task an_oversized_body_gets_413()
    {
        var key = await gateway.NewKeyAsync();
        using var client = gateway.Client(key.Secret);
        var huge = new string('x', 300 * 1024);

        using var response = await Chat.PostAsync(client, Chat.Request("mock/x", huge));

        var error = await ErrorOf(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("request_too_large", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task an_unknown_model_gets_404_model_not_found()
    {
        var key = await gateway.NewKeyAsync();
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request("mock/does-not-exist"));

        var error = await ErrorOf(response, HttpStatusCode.NotFound);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Equal("model", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task upstream_429_stays_429_with_retry_after()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { Status = 429, RetryAfterSeconds = 3 });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        var error = await ErrorOf(response, (HttpStatusCode)429);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("3", response.Headers.GetValues("Retry-After").Single());
        var record = await gateway.RecordAsync(response);
        Assert.Equal(429, record.Status);
        Assert.Equal(429, record.UpstreamStatus);
        Assert.Equal(0m, record.Cost);
    }

    [Theory]
    [InlineData(500, HttpStatusCode.BadGateway, "upstream_error")]
    [InlineData(502, HttpStatusCode.BadGateway, "upstream_error")]
    [InlineData(503, HttpStatusCode.ServiceUnavailable, "upstream_overloaded")]
    public async Task upstream_5xx_becomes_an_error_naming_the_provider(int upstreamStatus, HttpStatusCode expected, string code)
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { Status = upstreamStatus });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        var error = await ErrorOf(response, expected);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Contains("'mock'", error.GetProperty("message").GetString());
        Assert.Contains(upstreamStatus.ToString(), error.GetProperty("message").GetString());
        var record = await gateway.RecordAsync(response);
        Assert.Equal((int)expected, record.Status);
        Assert.Equal(upstreamStatus, record.UpstreamStatus);
    }

    [Fact]
    public async Task an_unreachable_provider_gets_502()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewUnreachableModelAsync();
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        var error = await ErrorOf(response, HttpStatusCode.BadGateway);
        Assert.Equal("upstream_unreachable", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task a_hung_upstream_gets_504_after_the_configured_timeout()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new ModelBehavior { Hang = true });
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        var error = await ErrorOf(response, HttpStatusCode.GatewayTimeout);
        Assert.Equal("upstream_timeout", error.GetProperty("code").GetString());
        var record = await gateway.RecordAsync(response);
        Assert.True(record.TotalMs >= GatewayFixture.UpstreamTimeout.TotalMilliseconds * 0.95);
    }

    [Fact]
    public async Task a_refused_provider_credential_is_a_502_that_never_echoes_the_key()
    {
        var key = await gateway.NewKeyAsync();
        var name = $"badkey-{Guid.NewGuid():N}"[..14];
        await gateway.AdminPostAsync("/admin/providers", new { name, kind = "openai", baseUrl = gateway.Mock.BaseUrl, apiKey = "sk-wrong-provider-key" });
        var model = await gateway.NewModelAsync(provider: name);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));

        var error = await ErrorOf(response, HttpStatusCode.BadGateway);
        Assert.Equal("upstream_auth_failed", error.GetProperty("code").GetString());
        Assert.DoesNotContain("sk-wrong", error.GetRawText());
    }

    [Fact]
    public async Task replacing_a_provider_key_applies_to_the_next_request_and_the_old_ciphertext_is_gone()
    {
        var key = await gateway.NewKeyAsync();
        var name = $"rotate-{Guid.NewGuid():N}"[..14];
        var provider = await gateway.AdminPostAsync("/admin/providers", new { name, kind = "openai", baseUrl = gateway.Mock.BaseUrl, apiKey = "sk-stale-provider-key" });
        var providerId = provider.GetProperty("id").GetGuid();
        var model = await gateway.NewModelAsync(provider: name);
        using var client = gateway.Client(key.Secret);
        Assert.Equal(HttpStatusCode.BadGateway, (await Chat.PostAsync(client, Chat.Request(model.PublicId))).StatusCode);

        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var put = await admin.PutAsync($"/admin/providers/{providerId}/key",
            System.Net.Http.Json.JsonContent.Create(new { apiKey = GatewayFixture.ProviderKey }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        using var served = await Chat.PostAsync(client, Chat.Request(model.PublicId));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        await using var session = gateway.Store.QuerySession();
        var view = await session.LoadAsync<Gateway.Projections.ProviderView>(providerId);
        var secrets = await session.Query<Gateway.Api.Security.ProviderSecret>().ToListAsync();
        Assert.Contains(secrets, s => s.Id == view!.CredentialId);
        var events = await session.Events.FetchStreamAsync(providerId);
        Assert.IsType<Gateway.Domain.Providers.ProviderCredentialReplaced>(events[^1].Data);
        var old = ((Gateway.Domain.Providers.ProviderRegistered)events[0].Data).CredentialId;
        Assert.NotNull(old);
        Assert.DoesNotContain(secrets, s => s.Id == old);
    }
}
