using System.Net;
using System.Text.Json;

namespace Gateway.Tests;

/// <summary>/readyz (and /health) look at PostgreSQL (through a relay the test cuts); /healthz (and /health/live) do not.</summary>
[Collection(IsolatedGatewayCollection.Name)]
public class HealthTests(IsolatedGatewayFixture isolated)
{
    [Theory]
    [InlineData("/readyz", "/healthz")]
    [InlineData("/health", "/health/live")]
    public async Task readiness_answers_503_naming_postgresql_while_the_database_is_unreachable_and_recovers_with_it(string ready, string alive)
    {
        using var client = isolated.Client(null);
        var (status, body) = await GetAsync(client, ready);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        foreach (var name in new[] { "postgresql", "views", "recorder" })
            Assert.Equal("healthy", body.GetProperty("checks").GetProperty(name).GetProperty("status").GetString());

        isolated.Database.Cut();
        try
        {
            (status, body) = await UntilAsync(client, ready, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("unhealthy", body.GetProperty("status").GetString());
            var check = body.GetProperty("checks").GetProperty("postgresql");
            Assert.Equal("unhealthy", check.GetProperty("status").GetString());
            Assert.Contains("PostgreSQL", check.GetProperty("description").GetString());

            var (live, liveBody) = await GetAsync(client, alive);
            Assert.Equal(HttpStatusCode.OK, live);
            Assert.Equal("healthy", liveBody.GetProperty("status").GetString());
        }
        finally
        {
            isolated.Database.Restore();
        }
        (status, _) = await UntilAsync(client, ready, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task health_called_in_a_burst_asks_postgresql_about_once_a_second()
    {
        using var client = isolated.Client(null);
        await GetAsync(client, "/health");
        var before = isolated.Database.Accepted;
        var started = DateTime.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => GetAsync(client, "/health")));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        // Each check opens one connection; other work of the gateway may open a few more.
        Assert.True(isolated.Database.Accepted - before <= 3 + 2 * (int)Math.Ceiling(seconds),
            $"{isolated.Database.Accepted - before} new database connections for 200 health calls in {seconds:0.0} s");
    }

    static async Task<(HttpStatusCode, JsonElement)> GetAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    static Task<(HttpStatusCode, JsonElement)> UntilAsync(HttpClient client, string url, HttpStatusCode wanted) =>
        Eventually.ReadAsync(() => GetAsync(client, url), answer => answer.Item1 == wanted, tries: 60, delayMs: 250);
}
