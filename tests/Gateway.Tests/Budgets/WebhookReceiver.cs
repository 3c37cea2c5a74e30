using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Budgets;

/// <summary>A real HTTP server on loopback that receives webhooks; it can refuse the first deliveries to exercise retries.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly WebApplication app;
    int refusals;

    public ConcurrentQueue<(JsonElement Body, string? Delivery)> Received { get; } = new();
    /// <summary>Each accepted delivery as sent: the body's bytes and its signature header.</summary>
    public ConcurrentQueue<(byte[] Body, string? Signature)> Raw { get; } = new();
    public int Attempts;
    public string Url { get; }
    public int Port { get; private set; }

    WebhookReceiver(WebApplication app, string url, int refuseFirst)
    {
        this.app = app;
        Url = url;
        refusals = refuseFirst;
    }

    public static async Task<WebhookReceiver> StartAsync(int refuseFirst = 0, string listen = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(listen);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext ctx) =>
        {
            Interlocked.Increment(ref receiver!.Attempts);
            if (Interlocked.Decrement(ref receiver.refusals) >= 0)
            {
                ctx.Response.StatusCode = 503;
                return;
            }
            using var raw = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(raw);
            receiver.Raw.Enqueue((raw.ToArray(), ctx.Request.Headers["X-Gateway-Signature"].FirstOrDefault()));
            var body = JsonDocument.Parse(raw.ToArray());
            receiver.Received.Enqueue((body.RootElement.Clone(), ctx.Request.Headers["X-Gateway-Delivery"].ToString()));
            ctx.Response.StatusCode = 204;
        });
        await app.StartAsync();
        receiver = new WebhookReceiver(app, app.Urls.First().Replace("0.0.0.0", "127.0.0.1").TrimEnd('/') + "/hook", refuseFirst);
        receiver.Port = new Uri(receiver.Url).Port;
        return receiver;
    }

    public async Task<List<JsonElement>> WaitForAsync(int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (Received.Count < count && DateTime.UtcNow < deadline) await Task.Delay(100);
        return Received.Select(r => r.Body).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
