using System.Text;
using System.Text.Json;

namespace Gateway.Api.OpenAi;

/// <summary>Reads an upstream's error body for its message and code, with any trace of the provider key removed.</summary>
public static class UpstreamErrors
{
    const int MaxMessage = 500;

    public static (string? Message, string? Code) Read(ReadOnlySpan<byte> body, string? providerKey)
    {
        string? message = null;
        string? code = null;
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String) message = error.GetString();
                else if (error.ValueKind == JsonValueKind.Object)
                {
                    if (error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) message = m.GetString();
                    if (error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String) code = c.GetString();
                }
            }
        }
        catch (JsonException)
        {
            message = Encoding.UTF8.GetString(body[..Math.Min(body.Length, MaxMessage)]).Trim();
        }
        if (string.IsNullOrWhiteSpace(message)) return (null, code);
        if (!string.IsNullOrEmpty(providerKey) && message.Contains(providerKey, StringComparison.Ordinal))
            message = message.Replace(providerKey, "[redacted]", StringComparison.Ordinal);
        return (message.Length > MaxMessage ? message[..MaxMessage] + "…" : message, code);
    }
}
