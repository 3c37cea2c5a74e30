using System.Security.Cryptography;
using System.Text;
using Gateway.Api.ControlPlane;
using Gateway.Api.RequestPath.Completion;

namespace Gateway.Api.RequestPath.Attempts;

/// <summary>
/// Whose provider key pays for a call: one the request brought (when its gateway key allows it), else the
/// team's own (BYOK), else the gateway's. The record names the credential by id, never by its secret.
/// </summary>
public static class UpstreamCredentials
{
    public const string RequestKeyHeader = "X-Provider-Api-Key";
    public const string Gateway = "gateway";
    public const string Team = "team";
    public const string Request = "request";

    /// <returns>False when the request brought a provider key its gateway key may not bring.</returns>
    public static bool TryChoose(HttpRequest request, GatewayKey key, CatalogModel model, ControlPlaneSnapshot snapshot, RequestTrace trace, out string? apiKey)
    {
        if (!TryChoose(request, key, model, snapshot, out apiKey, out var kind, out var credentialId)) return false;
        trace.PaidWith(kind, credentialId);
        return true;
    }

    /// <summary>The same choice, for a call that is not a request's attempt (a token count).</summary>
    public static bool TryChoose(HttpRequest request, GatewayKey key, CatalogModel model, ControlPlaneSnapshot snapshot,
        out string? apiKey, out string kind, out Guid? credentialId)
    {
        var provider = model.Provider;
        if (request.Headers.TryGetValue(RequestKeyHeader, out var header) && header.Count == 1 && !string.IsNullOrWhiteSpace(header[0]))
        {
            apiKey = null;
            (kind, credentialId) = (Request, null);
            if (!key.AllowsRequestProviderKey) return false;
            apiKey = header[0]!.Trim();
            credentialId = RequestCredentialId(provider.Id, apiKey);
            return true;
        }
        if (snapshot.TeamCredentials.TryGetValue((key.TeamId, provider.Id), out var own))
        {
            apiKey = own.ApiKey;
            (kind, credentialId) = (Team, own.CredentialId);
            return true;
        }
        apiKey = provider.ApiKey;
        (kind, credentialId) = (Gateway, provider.CredentialId);
        return true;
    }

    /// <summary>
    /// A stable id for a key that only the request carried: the same key to the same provider always gets the same
    /// id, so an auditor can group its requests, while the id (a truncated one-way hash) reveals nothing of the key.
    /// </summary>
    public static Guid RequestCredentialId(Guid providerId, string apiKey)
    {
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetMaxByteCount(Math.Min(apiKey.Length, 1024))];
        providerId.TryWriteBytes(input);
        var length = 16 + Encoding.UTF8.GetBytes(apiKey.AsSpan(0, Math.Min(apiKey.Length, 1024)), input[16..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input[..length], hash);
        return new Guid(hash[..16]);
    }
}
