using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Alba;
using Microsoft.AspNetCore.Hosting;
using MockProvider;
using Npgsql;

namespace Gateway.Tests;

/// <summary>
/// A second real gateway for what the shared one must not do: it runs with the default (production) settings the
/// shared fixture relaxes — private webhook targets refused — and reaches its own database through a
/// <see cref="TcpRelay"/> a test can cut. No analytics export or projection daemon: nothing here needs them.
/// </summary>
public sealed class IsolatedGatewayFixture : IAsyncLifetime
{
    public const string AdminKey = "sk-admin-isolated-0123456789abcdef01234567";
    public const string MetricsToken = "metrics-token-for-tests-4d3c2b1a";

    public IAlbaHost Host { get; private set; } = null!;
    public TcpRelay Database { get; private set; } = null!;
    public MockServer Mock { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var direct = new NpgsqlConnectionStringBuilder(await TestDatabase.CreateAsync());
        Database = TcpRelay.Start(direct.Host!, direct.Port);
        var relayed = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = Database.Port, Timeout = 3 };
        Mock = await MockServer.StartAsync(apiKey: GatewayFixture.ProviderKey);
        Host = await AlbaHost.For<Gateway.Api.GatewayOptions>(builder =>
        {
            builder.UseSetting("GATEWAY_DB", relayed.ConnectionString);
            builder.UseSetting("GATEWAY_ADMIN_KEY", AdminKey);
            builder.UseSetting("GATEWAY_MASTER_KEY", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            builder.UseSetting("Gateway:AnalyticsExport", "false");
            builder.UseSetting("Gateway:ProjectionDaemon", "false");
            builder.UseSetting("Gateway:MetricsToken", MetricsToken);
            builder.UseSetting("Gateway:AnalyticsPath", Path.Combine(Path.GetTempPath(), $"gw-isolated-{Guid.NewGuid():N}.duckdb"));
        });
        await AdminPostAsync("/admin/providers", new { name = "mock", kind = "openai", baseUrl = Mock.BaseUrl, apiKey = GatewayFixture.ProviderKey });
    }

    public async Task DisposeAsync()
    {
        Database.Restore();
        await Host.DisposeAsync();
        await Mock.DisposeAsync();
        await Database.DisposeAsync();
    }

    public HttpClient Client(string? key) => Host.Server.CreateClient().WithKey(key);

    public async Task<JsonElement> AdminPostAsync(string url, object? body, int expectedStatus = 0)
    {
        using var client = Client(AdminKey);
        return await client.PostJsonAsync(url, body, expectedStatus);
    }
}

[CollectionDefinition(Name)]
public sealed class IsolatedGatewayCollection : ICollectionFixture<IsolatedGatewayFixture>
{
    public const string Name = "isolated gateway";
}
