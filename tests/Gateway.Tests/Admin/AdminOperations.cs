using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Admin;

/// <summary>
/// Every /admin operation the gateway's own OpenAPI document lists, with each path parameter filled by a fresh id:
/// what the sweeping tests call, so a new endpoint is covered without being named.
/// </summary>
public static class AdminOperations
{
    public static readonly string[] Writes = ["POST", "PUT", "PATCH"];

    public static async Task<List<(string Method, string Path)>> ListAsync(GatewayFixture gateway, params string[] methods)
    {
        using var anonymous = gateway.Client(null);
        var paths = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        return paths.EnumerateObject().Where(p => p.Name.StartsWith("/admin/"))
            .SelectMany(p => p.Value.EnumerateObject().Select(m => m.Name.ToUpperInvariant()).Where(methods.Contains)
                .Select(m => (Method: m, Path: Regex.Replace(p.Name, "{[^}]+}", Guid.NewGuid().ToString()))))
            .ToList();
    }
}
