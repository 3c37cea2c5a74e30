using Gateway.Api.ControlPlane;
using Gateway.Domain.Keys;
using Microsoft.Extensions.Primitives;

namespace Gateway.Api.RequestPath.Admission;

/// <summary>Finds the gateway key behind a bearer token: a SHA-256 and a lookup in memory, no database.</summary>
public static class GatewayKeyAuth
{
    public const string InvalidKeyMessage = "Invalid, revoked or expired API key. Send a gateway key as 'Authorization: Bearer <key>'.";

    /// <summary>Known, not revoked, and within its validity: not expired, or a rotated-out secret still in its grace period.</summary>
    public static bool TryAuthenticate(HttpRequest request, ControlPlaneSnapshot snapshot, DateTimeOffset now, out GatewayKey key)
    {
        key = null!;
        if (!TryGetBearer(request, out var secret) && !TryGetApiKeyHeader(request, out secret)) return false;
        if (!snapshot.KeysByHash.TryGetValue(KeyHash.Of(secret), out var credential)) return false;
        key = credential.Key;
        return !key.Revoked && (credential.ValidUntil is not { } until || now < until);
    }

    /// <summary>Anthropic's SDKs send their key as <c>x-api-key</c>; the gateway key is accepted there too.</summary>
    static bool TryGetApiKeyHeader(HttpRequest request, out ReadOnlySpan<char> secret)
    {
        secret = default;
        if (!request.Headers.TryGetValue("x-api-key", out StringValues values) || values.Count != 1) return false;
        secret = values[0].AsSpan().Trim();
        return !secret.IsEmpty && secret.Length <= 200;
    }

    public static bool TryGetBearer(HttpRequest request, out ReadOnlySpan<char> secret)
    {
        secret = default;
        if (!request.Headers.TryGetValue("Authorization", out StringValues values) || values.Count != 1) return false;
        var header = values[0].AsSpan();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        secret = header[7..].Trim();
        return !secret.IsEmpty && secret.Length <= 200;
    }
}
