using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Alba;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using MockProvider;

namespace Gateway.Tests.Observability;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, a gateway pushes its spans and metrics over OTLP (HTTP/protobuf) to
/// a receiver on loopback, with no other setting: tracing turns on by itself.
/// </summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    const string AdminKey = "sk-admin-otlp-0123456789abcdef0123456789ab";
    readonly ConcurrentQueue<(string Path, byte[] Body)> received = new();
    WebApplication receiver = null!;
    MockServer mock = null!;
    IAlbaHost host = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        receiver = builder.Build();
        receiver.MapPost("/v1/{signal}", async (HttpContext ctx) =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            received.Enqueue((ctx.Request.Path.Value!, body.ToArray()));
            ctx.Response.ContentType = "application/x-protobuf";
        });
        await receiver.StartAsync();
        var endpoint = receiver.Urls.First();

        var db = await TestDatabase.CreateAsync();
        mock = await MockServer.StartAsync(apiKey: GatewayFixture.ProviderKey);
        host = await AlbaHost.For<Gateway.Api.GatewayOptions>(gateway =>
        {
            gateway.UseSetting("GATEWAY_DB", db);
            gateway.UseSetting("GATEWAY_ADMIN_KEY", AdminKey);
            gateway.UseSetting("GATEWAY_MASTER_KEY", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            gateway.UseSetting("Gateway:AnalyticsExport", "false");
            gateway.UseSetting("Gateway:ProjectionDaemon", "false");
            gateway.UseSetting("Gateway:AnalyticsPath", Path.Combine(Path.GetTempPath(), $"gw-otlp-{Guid.NewGuid():N}.duckdb"));
            gateway.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint);
            gateway.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
            gateway.UseSetting("OTEL_BSP_SCHEDULE_DELAY", "100");
            gateway.UseSetting("OTEL_METRIC_EXPORT_INTERVAL", "200");
        });
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await mock.DisposeAsync();
        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task spans_and_metrics_reach_an_otlp_receiver()
    {
        using var admin = host.Server.CreateClient().WithKey(AdminKey);
        await admin.PostJsonAsync("/admin/providers", new { name = "mock", kind = "openai", baseUrl = mock.BaseUrl, apiKey = GatewayFixture.ProviderKey });
        var model = await admin.PostJsonAsync("/admin/models", new { provider = "mock", model = "otlp-model", upstreamModel = "otlp-upstream", inputPricePerMillion = 1m, outputPricePerMillion = 2m });
        var team = await admin.PostJsonAsync("/admin/teams", new { name = "otlp" });
        var key = await admin.PostJsonAsync("/admin/keys", new { teamId = team.GetProperty("id").GetGuid(), name = "otlp" });
        using var client = host.Server.CreateClient().WithKey(key.GetProperty("key").GetString());
        var publicId = model.GetProperty("publicId").GetString()!;

        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(Chat.Request(publicId, "otlp canary")),
        };
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();

        // The span's trace id travels as its 16 raw bytes in the protobuf; names as text. Exports are periodic, and one
        // may be taken between two instruments of the same request: wait until every fact has arrived.
        var traceBytes = Convert.FromHexString(trace.ToHexString());
        var spanName = Encoding.UTF8.GetBytes($"chat {publicId}");
        var tokenUsage = "gen_ai.client.token.usage"u8.ToArray();
        for (var i = 0; i < 150 && !(Has("/v1/traces", traceBytes) && Has("/v1/traces", spanName) && Has("/v1/metrics", tokenUsage)); i++)
            await Task.Delay(100);
        Assert.True(Has("/v1/traces", traceBytes), $"no /v1/traces export with the request's trace id ({Paths()})");
        Assert.True(Has("/v1/traces", spanName), "the server span's name");
        Assert.True(Has("/v1/metrics", tokenUsage), $"no /v1/metrics export with the token usage ({Paths()})");
        Assert.False(received.Any(r => r.Body.AsSpan().IndexOf("otlp canary"u8) >= 0), "prompt text was exported");
    }

    bool Has(string path, byte[] needle) => received.Any(r => r.Path == path && r.Body.AsSpan().IndexOf(needle) >= 0);

    string Paths() => string.Join(", ", received.Select(r => $"{r.Path} {r.Body.Length} B"));
}
