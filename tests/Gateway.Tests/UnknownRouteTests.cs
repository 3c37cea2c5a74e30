using System.Net;
using System.Text;
using System.Text.Json;

namespace Gateway.Tests;

/// <summary>A path or method the /v1 surface does not serve is answered like OpenAI does: an error in its shape, with a request id.</summary>
[Collection(GatewayCollection.Name)]
public class UnknownRouteTests(GatewayFixture gateway)
{
    static async Task<JsonElement> OpenAiErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-request-id").Single(), out _));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        return error;
    }

    [Theory]
    [InlineData("POST", "/v1/foo")]
    [InlineData("GET", "/v1/chat/completions/extra")]
    [InlineData("DELETE", "/v1/assistants/asst_1")]
    public async Task an_unknown_v1_path_gets_404_naming_method_and_path(string method, string path)
    {
        var key = await gateway.NewKeyAsync();
        using var client = gateway.Client(key.Secret);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? new StringContent("{}", Encoding.UTF8, "application/json") : null,
        });

        var error = await OpenAiErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("unknown_url", error.GetProperty("code").GetString());
        Assert.Equal($"Invalid URL ({method} {path}).", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("GET", "/v1/chat/completions", "POST")]
    [InlineData("PUT", "/v1/embeddings", "POST")]
    [InlineData("POST", "/v1/models", "GET")]
    [InlineData("DELETE", "/v1/models/mock%2Fgpt-4o-mini", "GET")]
    public async Task a_wrong_method_on_a_known_v1_path_gets_405(string method, string path, string allowed)
    {
        var key = await gateway.NewKeyAsync();
        using var client = gateway.Client(key.Secret);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method is "POST" or "PUT" ? new StringContent("{}", Encoding.UTF8, "application/json") : null,
        });

        var error = await OpenAiErrorAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("method_not_allowed", error.GetProperty("code").GetString());
        Assert.Contains($"{method} {path}", error.GetProperty("message").GetString());
        Assert.Equal([allowed], response.Content.Headers.Allow);
    }
}
