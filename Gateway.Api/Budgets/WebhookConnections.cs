using System.Net;
using System.Net.Sockets;
using Gateway.Domain.Budgets;

namespace Gateway.Api.Budgets;

/// <summary>
/// The connections budget webhooks are delivered over. Every connection resolves the host itself and connects only
/// to an address <see cref="WebhookTarget"/> allows (unless <see cref="GatewayOptions.AllowPrivateWebhooks"/>), so a
/// name that resolves inside the network — or starts to, after the budget was set (DNS rebinding) — is never called.
/// No proxy (the check must see the real target) and no redirects (a signed body goes where it was set to go only).
/// </summary>
public static class WebhookConnections
{
    public static SocketsHttpHandler Handler(GatewayOptions options) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, options.AllowPrivateWebhooks, ct),
    };

    static async ValueTask<Stream> ConnectAsync(DnsEndPoint target, bool allowPrivate, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(target.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(target.Host, ct);
        var allowed = allowPrivate ? addresses : addresses.Where(a => WebhookTarget.RefusalOf(a) is null).ToArray();
        if (allowed.Length == 0)
            throw new WebhookTargetRefusedException(target.Host, addresses.Length == 0 ? "it resolves to no address" : WebhookTarget.RefusalOf(addresses[0])!);

        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, target.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }
}

/// <summary>A webhook's host resolves only to addresses a webhook may not call.</summary>
public sealed class WebhookTargetRefusedException(string host, string reason)
    : Exception($"The webhook host {host} is refused: it {reason.TrimEnd('.')} (Gateway:AllowPrivateWebhooks allows it).");
