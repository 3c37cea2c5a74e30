using MockProvider;

// Console host for the demo and the benchmark: `MockProvider --urls http://127.0.0.1:8090`, optional MOCK_API_KEY.
string urls = "http://127.0.0.1:8090";
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--urls" && i + 1 < args.Length) urls = args[++i];
    else if (args[i].StartsWith("--urls=", StringComparison.Ordinal)) urls = args[i]["--urls=".Length..];
}
string? apiKey = Environment.GetEnvironmentVariable("MOCK_API_KEY");

await using var app = MockServer.CreateApp(urls, string.IsNullOrEmpty(apiKey) ? null : apiKey, new MockBehaviors(), new RequestLog());
await app.StartAsync();
string root = app.Urls.First().TrimEnd('/');
Console.WriteLine($"MockProvider listening on {string.Join(", ", app.Urls)} (OpenAI and Anthropic: {root}/v1, Gemini: {root}/v1beta, Azure: {root}){(apiKey is { Length: > 0 } ? ", API key required" : "")}");
await app.WaitForShutdownAsync();
