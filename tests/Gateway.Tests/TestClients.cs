using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Gateway.Tests;

/// <summary>
/// What every gateway a test starts (the shared one, the isolated one, a second node, the dashboard's) is called with:
/// a client carrying a bearer key, and admin calls that fail loudly with the answer's body.
/// </summary>
public static class TestClients
{
    public static HttpClient WithKey(this HttpClient client, string? key)
    {
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>POSTs JSON; any failure throws unless <paramref name="expectedStatus"/> says which status to expect.</summary>
    public static async Task<JsonElement> PostJsonAsync(this HttpClient client, string url, object? body, int expectedStatus = 0)
    {
        using var response = await client.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        if (expectedStatus == 0 && !response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {url} answered {(int)response.StatusCode}: {text}");
        if (expectedStatus != 0) Assert.True(expectedStatus == (int)response.StatusCode, $"POST {url} answered {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
