using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Tests.Faults;
using Microsoft.Playwright;
using MockProvider;

namespace Gateway.Tests.Dashboard;

/// <summary>
/// A gateway of its own for the browser: real Kestrel on a loopback port, seeded with the demo data (the mock
/// provider under each wire format, a team, a key) as <c>./gateway run</c> is, exporting to DuckDB continuously and
/// running on the real clock; and one headless Chromium (Debian's, driven by Playwright) for every test.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string DemoKey = "sk-gw-dashboard-demo-key-0123456789abcdefABCDEF";
    public const string Chromium = "/usr/bin/chromium";

    public KestrelNode Node { get; private set; } = null!;
    public MockServer Mock { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string AnalyticsFile { get; } = Path.Combine(Path.GetTempPath(), $"gw-ui-{Guid.NewGuid():N}.duckdb");
    public string BaseUrl => Node.BaseAddress.ToString().TrimEnd('/');
    IPlaywright playwright = null!;

    public async Task InitializeAsync()
    {
        var database = await TestDatabase.CreateAsync();
        Mock = await MockServer.StartAsync(apiKey: "demo-provider-key");
        Node = KestrelNode.Start(database, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ("GATEWAY_DEMO", "true"), ("GATEWAY_DEMO_MOCK_URL", Mock.BaseUrl), ("GATEWAY_DEMO_KEY", DemoKey),
            ("Gateway:AnalyticsExport", "true"), ("Gateway:AnalyticsPath", AnalyticsFile), ("Gateway:AnalyticsExportInterval", "00:00:00.250"),
            ("Gateway:ProjectionDaemon", "true"));
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"{Chromium} is missing: ./gateway test installs Debian's chromium package (apt-get install -y chromium).");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
        await Node.DisposeAsync();
        await Mock.DisposeAsync();
        foreach (var file in new[] { AnalyticsFile, AnalyticsFile + ".wal" }) File.Delete(file);
    }

    /// <summary>A page in a fresh browser context (its own cookies), every console error and page error collected.</summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = BaseUrl, ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add($"{message.Text} ({message.Location})"); };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        return (page, errors);
    }

    public HttpClient Client(string? key) => Node.Client(key);

    public async Task<JsonElement> AdminPostAsync(string url, object? body)
    {
        using var client = Client(GatewayFixture.AdminKey);
        return await client.PostJsonAsync(url, body);
    }

    public async Task<JsonElement> AdminGetAsync(string url)
    {
        using var client = Client(GatewayFixture.AdminKey);
        return await client.GetJsonAsync(url);
    }

    /// <summary>A chat completion with a gateway key; the response's status.</summary>
    public async Task<int> ChatAsync(string key, string model, string text = "Hello from the dashboard test") =>
        (await ChatForIdAsync(key, model, text)).Status;

    /// <summary>A chat completion with a gateway key; its status and request id (x-request-id).</summary>
    public async Task<(int Status, string RequestId)> ChatForIdAsync(string key, string model, string text = "Hello from the dashboard test")
    {
        using var client = Client(key);
        using var response = await Chat.PostAsync(client, Chat.Request(model, text));
        return ((int)response.StatusCode, response.Headers.GetValues("x-request-id").Single());
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
