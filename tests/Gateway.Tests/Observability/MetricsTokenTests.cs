using System.Net;
using System.Net.Http.Headers;

namespace Gateway.Tests.Observability;

/// <summary>With <c>Gateway:MetricsToken</c> set, <c>/metrics</c> answers only that bearer token.</summary>
[Collection(IsolatedGatewayCollection.Name)]
public class MetricsTokenTests(IsolatedGatewayFixture isolated)
{
    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-the-token", HttpStatusCode.Unauthorized)]
    [InlineData(IsolatedGatewayFixture.MetricsToken, HttpStatusCode.OK)]
    public async Task metrics_answer_only_the_configured_bearer_token(string? token, HttpStatusCode expected)
    {
        using var client = isolated.Client(null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized) Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        else Assert.Contains("# TYPE target_info gauge", await response.Content.ReadAsStringAsync());
    }
}
