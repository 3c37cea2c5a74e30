using Microsoft.AspNetCore.Builder;

namespace MockProvider;

/// <summary>A mock provider on a real loopback socket speaking OpenAI's, Anthropic's, Gemini's and Azure OpenAI's wire formats, for tests to point a gateway at.</summary>
public sealed class MockServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MockServer(WebApplication app, string rootUrl, MockBehaviors behaviors, RequestLog requests)
    {
        _app = app;
        RootUrl = rootUrl;
        BaseUrl = rootUrl + "/v1";
        AnthropicBaseUrl = rootUrl + "/v1";
        GeminiBaseUrl = rootUrl + "/v1beta";
        Behaviors = behaviors;
        Requests = requests;
    }

    /// <summary>OpenAI-style base URL, including <c>/v1</c>, e.g. <c>http://127.0.0.1:54321/v1</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>Scheme, host and port only, e.g. <c>http://127.0.0.1:54321</c> (the <c>/_mock</c> endpoints live here).</summary>
    public string RootUrl { get; }

    /// <summary>Anthropic-style base URL, to which clients append <c>/messages</c>.</summary>
    public string AnthropicBaseUrl { get; }

    /// <summary>Gemini-style base URL, to which clients append <c>/models/{model}:generateContent</c>.</summary>
    public string GeminiBaseUrl { get; }

    /// <summary>Azure OpenAI resource endpoint, to which clients append <c>/openai/deployments/{deployment}/...</c>.</summary>
    public string AzureBaseUrl => RootUrl;

    public MockBehaviors Behaviors { get; }
    public RequestLog Requests { get; }

    /// <param name="port">0 picks a free ephemeral port.</param>
    /// <param name="apiKey">
    /// When set, every provider call must carry it the way its format does: <c>Authorization: Bearer</c> (OpenAI),
    /// <c>x-api-key</c> (Anthropic), <c>x-goog-api-key</c> or <c>?key=</c> (Gemini), <c>api-key</c> (Azure).
    /// </param>
    public static async Task<MockServer> StartAsync(int port = 0, string? apiKey = null)
    {
        var behaviors = new MockBehaviors();
        var requests = new RequestLog();
        var app = CreateApp($"http://127.0.0.1:{port}", apiKey, behaviors, requests);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new MockServer(app, app.Urls.First().TrimEnd('/'), behaviors, requests);
    }

    /// <summary>Builds the mock app (not started); shared by <see cref="StartAsync"/> and the console entry point.</summary>
    public static WebApplication CreateApp(string urls, string? apiKey, MockBehaviors behaviors, RequestLog requests)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(MockServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Waiting requests are aborted on shutdown (see Faults), so a short drain is plenty and keeps test teardown fast.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));

        var app = builder.Build();
        var state = new MockState(behaviors, requests, apiKey) { Stopping = app.Lifetime.ApplicationStopping };

        app.Use(ErrorBarrier.Wrap);
        app.MapPost("/v1/chat/completions", (RequestDelegate)(ctx => ChatCompletions.HandleAsync(ctx, state)));
        app.MapPost("/v1/responses", (RequestDelegate)(ctx => ResponsesApi.HandleAsync(ctx, state)));
        app.MapPost("/v1/embeddings", (RequestDelegate)(ctx => Embeddings.HandleAsync(ctx, state)));
        app.MapGet("/v1/models", (RequestDelegate)(ctx => ModelList.HandleAsync(ctx, state)));
        app.MapPost("/v1/messages", (RequestDelegate)(ctx => AnthropicMessages.HandleAsync(ctx, state)));
        app.MapPost("/v1/messages/count_tokens", (RequestDelegate)(ctx => AnthropicMessages.CountTokensAsync(ctx, state)));
        app.MapPost(GeminiGenerate.Route, (RequestDelegate)(ctx => GeminiGenerate.HandleAsync(ctx, state)));
        AzureDeployments.Map(app, state);
        ControlEndpoints.Map(app, state);
        app.MapFallback((RequestDelegate)NotFoundAsync);
        return app;
    }

    // Each provider's clients parse its own error shape, so even an unknown path answers in the shape its prefix implies.
    private static Task NotFoundAsync(HttpContext ctx) => ErrorBarrier.FormatOf(ctx.Request.Path) switch
    {
        WireFormat.Anthropic => AnthropicErrors.WriteAsync(ctx, StatusCodes.Status404NotFound, "Not Found"),
        WireFormat.Gemini => GeminiErrors.WriteAsync(ctx, StatusCodes.Status404NotFound, $"The requested URL {ctx.Request.Path} was not found on this server."),
        WireFormat.Azure => AzureDeployments.ResourceNotFoundAsync(ctx),
        _ => OpenAiErrors.WriteAsync(ctx, StatusCodes.Status404NotFound, $"Invalid URL ({ctx.Request.Method} {ctx.Request.Path})", "invalid_request_error"),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
