using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Faults;

/// <summary>
/// A second gateway node on the fixture's database, served by real Kestrel on a loopback port: for what only a real
/// socket shows (a client that hangs up mid-request, a body that stalls, Kestrel's own limits, a browser).
/// </summary>
public sealed class KestrelNode : IAsyncDisposable
{
    readonly WebApplicationFactory<Gateway.Api.GatewayOptions> factory;

    KestrelNode(WebApplicationFactory<Gateway.Api.GatewayOptions> factory, int port, CapturedLogs logs)
    {
        this.factory = factory;
        Port = port;
        Logs = logs;
    }

    public int Port { get; }
    public CapturedLogs Logs { get; }
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");
    public IServiceProvider Services => factory.Services;

    /// <summary>A second node of the shared fixture's gateway (its database, admin key and master key).</summary>
    public static KestrelNode Start(GatewayFixture gateway, params (string Key, string Value)[] settings) =>
        Start(gateway.ConnectionString, gateway.MasterKey, settings);

    public static KestrelNode Start(string connectionString, string masterKey, params (string Key, string Value)[] settings)
    {
        var port = TestClients.FreePort();
        var logs = new CapturedLogs();
        var factory = new WebApplicationFactory<Gateway.Api.GatewayOptions>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("GATEWAY_DB", connectionString);
            builder.UseSetting("GATEWAY_ADMIN_KEY", GatewayFixture.AdminKey);
            builder.UseSetting("GATEWAY_MASTER_KEY", masterKey);
            builder.UseSetting("GATEWAY_PORT", port.ToString());
            // One exporter, one daemon: the fixture's node keeps those jobs (unless the settings say otherwise).
            builder.UseSetting("Gateway:AnalyticsExport", "false");
            builder.UseSetting("Gateway:ProjectionDaemon", "false");
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        });
        factory.UseKestrel();
        factory.StartServer();
        return new KestrelNode(factory, port, logs);
    }

    public HttpClient Client(string? key) => new HttpClient { BaseAddress = BaseAddress }.WithKey(key);

    public async ValueTask DisposeAsync() => await factory.DisposeAsync();
}
