using System.Net;

namespace Gateway.Api.Providers;

/// <summary>
/// The one long-lived HTTP client for every upstream: pooled connections, no cookies, no decompression
/// (bytes pass through), headers returned as soon as they arrive so streams are relayed as they come.
/// </summary>
public sealed class UpstreamClient(GatewayOptions options) : IDisposable
{
    readonly HttpMessageInvoker invoker = new(new SocketsHttpHandler
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = options.UpstreamConnectTimeout,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
        EnableMultipleHttp2Connections = true,
    }, disposeHandler: true);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) => invoker.SendAsync(request, ct);

    public void Dispose() => invoker.Dispose();
}
