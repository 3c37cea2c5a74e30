using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gateway.Api.RequestPath.Attempts;

/// <summary>What an upstream's error body says: its message (any trace of the provider key removed), its code, and when to retry.</summary>
public readonly record struct UpstreamError(string? Message, string? Code, TimeSpan? RetryAfter);

/// <summary>
/// Reads an upstream's error body. OpenAI, Azure, Anthropic and Gemini all put an <c>error</c> object with a
/// <c>message</c> at the top; the code is OpenAI's <c>code</c>, else Anthropic's <c>type</c>, else Gemini's
/// <c>status</c>. Gemini tells when to retry in a RetryInfo detail rather than a Retry-After header.
/// </summary>
public static class UpstreamErrors
{
    const int MaxMessage = 500;

    public static UpstreamError Read(ReadOnlySpan<byte> body, string? providerKey)
    {
        string? message = null;
        string? code = null;
        TimeSpan? retryAfter = null;
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String) message = error.GetString();
                else if (error.ValueKind == JsonValueKind.Object)
                {
                    message = StringOf(error, "message");
                    code = StringOf(error, "code") ?? StringOf(error, "type") ?? StringOf(error, "status");
                    retryAfter = RetryDelay(error);
                }
            }
        }
        catch (JsonException)
        {
            message = Encoding.UTF8.GetString(body[..Math.Min(body.Length, MaxMessage)]).Trim();
        }
        if (string.IsNullOrWhiteSpace(message)) return new(null, code, retryAfter);
        if (!string.IsNullOrEmpty(providerKey) && message.Contains(providerKey, StringComparison.Ordinal))
            message = message.Replace(providerKey, "[redacted]", StringComparison.Ordinal);
        return new(message.Length > MaxMessage ? message[..MaxMessage] + "…" : message, code, retryAfter);
    }

    static string? StringOf(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Gemini: <c>details: [{"@type": "…google.rpc.RetryInfo", "retryDelay": "12s"}]</c>.</summary>
    static TimeSpan? RetryDelay(JsonElement error)
    {
        if (!error.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Array) return null;
        foreach (var detail in details.EnumerateArray())
        {
            if (detail.ValueKind != JsonValueKind.Object || StringOf(detail, "retryDelay") is not { } delay || !delay.EndsWith('s')) continue;
            if (double.TryParse(delay.AsSpan(0, delay.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                return TimeSpan.FromSeconds(Math.Ceiling(seconds));
        }
        return null;
    }
}
