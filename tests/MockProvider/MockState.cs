namespace MockProvider;

/// <summary>What every handler of one mock instance shares.</summary>
internal sealed class MockState(MockBehaviors behaviors, RequestLog requests, string? apiKey)
{
    public MockBehaviors Behaviors { get; } = behaviors;
    public RequestLog Requests { get; } = requests;

    /// <summary>The whole expected header value, precomputed so the check is one ordinal compare.</summary>
    public string? ExpectedAuthorization { get; } = string.IsNullOrEmpty(apiKey) ? null : "Bearer " + apiKey;

    /// <summary>Set once the app is built; waiting requests are aborted on it so shutdown never waits on them.</summary>
    public CancellationToken Stopping { get; set; }
}
