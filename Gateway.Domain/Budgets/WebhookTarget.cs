using System.Net;
using System.Net.Sockets;

namespace Gateway.Domain.Budgets;

/// <summary>
/// Where a budget webhook may be sent. The gateway sits inside a network: a webhook aimed at loopback, a private
/// (RFC 1918) or shared (RFC 6598) range, link-local (cloud metadata lives at 169.254.169.254), unique-local IPv6,
/// a range reserved for documentation or benchmarks (never on the Internet, so only ever local), or an unspecified,
/// multicast or broadcast address would let whoever sets a budget make the gateway call inside it. Such targets are refused unless the operator allows them (Gateway:AllowPrivateWebhooks).
/// </summary>
public static class WebhookTarget
{
    /// <summary>Why a webhook URL may not be used, judged from the URL alone (literal addresses and localhost names); null if it may.</summary>
    public static string? RefusalOf(Uri url)
    {
        var host = url.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return "must not point to this machine (localhost).";
        return IPAddress.TryParse(host.Trim('[', ']'), out var address) ? RefusalOf(address) : null;
    }

    /// <summary>Why an address may not be called; null if it is a public address.</summary>
    public static string? RefusalOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return "must not point to a loopback address.";
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            if (b[0] == 0 || (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)) return "must not point to an unspecified or broadcast address.";
            if (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168)) return "must not point to a private (RFC 1918) address.";
            if (b[0] == 100 && b[1] >= 64 && b[1] <= 127) return "must not point to a shared (carrier-grade NAT) address.";
            if (b[0] == 169 && b[1] == 254) return "must not point to a link-local address.";
            if ((b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)) || (b[0] == 198 && (b[1] == 18 || b[1] == 19))
                || (b[0] == 198 && b[1] == 51 && b[2] == 100) || (b[0] == 203 && b[1] == 0 && b[2] == 113))
                return "must not point to a reserved (documentation or benchmark) address.";
            if (b[0] >= 224) return "must not point to a multicast or reserved address.";
            return null;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)) return "must not point to an unspecified address.";
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal) return "must not point to a link-local address.";
            if (address.IsIPv6UniqueLocal) return "must not point to a unique-local (private) address.";
            if (address.IsIPv6Multicast) return "must not point to a multicast address.";
            var b = address.GetAddressBytes();
            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return "must not point to a reserved (documentation) address.";
            // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last four bytes: judged as that address.
            if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
                return RefusalOf(new IPAddress(b.AsSpan(12, 4)));
            return null;
        }
        return "must point to an IP address.";
    }
}
