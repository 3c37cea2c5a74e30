namespace MockProvider;

/// <summary>Picks the request headers worth keeping in the log: those a provider acts on, never the credentials (see <see cref="LoggedRequest.ApiKey"/>).</summary>
public static class LoggedHeaders
{
    public static IReadOnlyList<string> Names { get; } = ["anthropic-version", "anthropic-beta", "x-goog-api-client", "openai-organization", "openai-project", "traceparent", "tracestate"];

    private static readonly Dictionary<string, string> None = [];

    internal static IReadOnlyDictionary<string, string> From(IHeaderDictionary headers)
    {
        Dictionary<string, string>? kept = null;
        foreach (var name in Names)
        {
            if (headers.TryGetValue(name, out var value))
                (kept ??= new(StringComparer.OrdinalIgnoreCase))[name] = value.ToString();
        }
        return kept ?? None;
    }
}
