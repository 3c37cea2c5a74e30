namespace MockProvider;

/// <summary>What every handler of one mock instance shares.</summary>
internal sealed class MockState(MockBehaviors behaviors, RequestLog requests, string? apiKey)
{
    public MockBehaviors Behaviors { get; } = behaviors;
    public RequestLog Requests { get; } = requests;

    /// <summary>Prompts marked for caching that were seen already (by model and body hash): their next request reads the cache.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<(string Model, ulong Body), bool> PromptCache { get; } = new();

    /// <summary>The key every format must present, each in its own header; null when any (or none) is accepted.</summary>
    public string? ApiKey { get; } = string.IsNullOrEmpty(apiKey) ? null : apiKey;

    /// <summary>The whole expected header value, precomputed so the OpenAI check is one ordinal compare.</summary>
    public string? ExpectedAuthorization { get; } = string.IsNullOrEmpty(apiKey) ? null : "Bearer " + apiKey;

    /// <summary>Set once the app is built; waiting requests are aborted on it so shutdown never waits on them.</summary>
    public CancellationToken Stopping { get; set; }

    /// <summary>True when a format's credential is missing or wrong.</summary>
    public bool Rejects(string? presentedKey) => ApiKey is not null && !string.Equals(presentedKey, ApiKey, StringComparison.Ordinal);

    /// <summary>Reads the body and logs the call before any check, so rejected calls are logged too.</summary>
    public async ValueTask<byte[]> ReadAndLogAsync(HttpContext ctx, bool readBody, string? apiKey, string? pathModel = null)
    {
        var request = ctx.Request;
        byte[] body = readBody ? await RequestBody.ReadAsync(request, ctx.RequestAborted) : [];
        Requests.Add(new LoggedRequest(request, body, apiKey ?? Credentials.Any(request), pathModel));
        return body;
    }
}
