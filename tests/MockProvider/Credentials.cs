namespace MockProvider;

/// <summary>Where each wire format carries its API key.</summary>
internal static class Credentials
{
    public static string? Bearer(HttpRequest r)
    {
        string? value = r.Headers.Authorization;
        return value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..] : null;
    }

    public static string? Anthropic(HttpRequest r) => Header(r, "x-api-key");

    /// <summary>Gemini takes the header or, as older clients send it, the <c>key</c> query parameter.</summary>
    public static string? Gemini(HttpRequest r) => Header(r, "x-goog-api-key") ?? (r.Query.TryGetValue("key", out var k) ? k.ToString() : null);

    public static string? Azure(HttpRequest r) => Header(r, "api-key");

    /// <summary>For the log: a key sent in another format's place is still recorded, so a test sees what the gateway did.</summary>
    public static string? Any(HttpRequest r) => Bearer(r) ?? Anthropic(r) ?? Gemini(r) ?? Azure(r);

    private static string? Header(HttpRequest r, string name) => r.Headers.TryGetValue(name, out var v) ? v.ToString() : null;
}
