using System.Text.RegularExpressions;

namespace MockProvider;

/// <summary>
/// Azure OpenAI's data plane: <c>POST /openai/deployments/{deployment}/chat/completions</c> and <c>/embeddings</c>,
/// keyed by <c>api-key</c> and versioned by the <c>api-version</c> query. The deployment names the model, so the
/// body may omit it; past the gate the OpenAI handlers answer, since Azure speaks OpenAI's wire format.
/// </summary>
internal static partial class AzureDeployments
{
    public static void Map(IEndpointRouteBuilder app, MockState state)
    {
        app.MapPost("/openai/deployments/{deployment}/chat/completions", (RequestDelegate)(ctx => ChatAsync(ctx, state)));
        app.MapPost("/openai/deployments/{deployment}/embeddings", (RequestDelegate)(ctx => EmbeddingsAsync(ctx, state)));
        // The v1 surface: no api-version, the deployment named by the body's model.
        app.MapPost("/openai/v1/responses", (RequestDelegate)(ctx => ResponsesAsync(ctx, state)));
    }

    private static async Task ResponsesAsync(HttpContext ctx, MockState state)
    {
        string? key = Credentials.Azure(ctx.Request);
        var body = await state.ReadAndLogAsync(ctx, readBody: true, key);
        if (state.Rejects(key))
        {
            await AccessDeniedAsync(ctx);
            return;
        }
        await ResponsesApi.ServeAsync(ctx, state, body!, deployment: null);
    }

    private static async Task ChatAsync(HttpContext ctx, MockState state)
    {
        var (body, deployment) = await AdmitAsync(ctx, state);
        if (body is not null) await ChatCompletions.ServeAsync(ctx, state, body, deployment);
    }

    private static async Task EmbeddingsAsync(HttpContext ctx, MockState state)
    {
        var (body, deployment) = await AdmitAsync(ctx, state);
        if (body is not null) await Embeddings.ServeAsync(ctx, state, body, deployment);
    }

    /// <summary>Azure's own error shape, used before a request reaches the model: <c>{"error":{"code","message"}}</c>.</summary>
    public static Task WriteErrorAsync(HttpContext ctx, int status, string code, string message) =>
        JsonOut.SendAsync(ctx, status, (code, message), static (w, e) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error"u8);
            w.WriteString("code"u8, e.code);
            w.WriteString("message"u8, e.message);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>
    /// Injected faults: Azure answers rate limits, bad keys and missing deployments itself, in its own shape;
    /// the rest come from the model service behind it, which speaks OpenAI's.
    /// </summary>
    public static Task InjectedAsync(HttpContext ctx, int status, ModelBehavior behavior, string deployment)
    {
        switch (status)
        {
            case 429:
                ctx.Response.Headers.RetryAfter = behavior.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                string operation = ctx.Request.Path.Value!.EndsWith("/embeddings", StringComparison.Ordinal) ? "Embeddings_Create" : "ChatCompletions_Create";
                return WriteErrorAsync(ctx, status, "429",
                    $"Requests to the {operation} Operation under Azure OpenAI API version {ctx.Request.Query["api-version"]} have exceeded token rate limit of your current AIServices S0 pricing tier. Please retry after {behavior.RetryAfterSeconds} seconds.");
            case 401:
                return AccessDeniedAsync(ctx);
            case 404:
                return WriteErrorAsync(ctx, status, "DeploymentNotFound",
                    "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.");
            default:
                return OpenAiErrors.InjectedAsync(ctx, status, behavior, deployment);
        }
    }

    private static Task AccessDeniedAsync(HttpContext ctx) =>
        WriteErrorAsync(ctx, StatusCodes.Status401Unauthorized, "401",
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.");

    public static Task ResourceNotFoundAsync(HttpContext ctx) => WriteErrorAsync(ctx, StatusCodes.Status404NotFound, "404", "Resource not found");

    /// <returns>The body and deployment, or a null body when the call was refused (it is logged either way).</returns>
    private static async ValueTask<(byte[]? Body, string Deployment)> AdmitAsync(HttpContext ctx, MockState state)
    {
        var request = ctx.Request;
        string deployment = request.RouteValues["deployment"] as string ?? "";
        string? key = Credentials.Azure(request);
        var body = await state.ReadAndLogAsync(ctx, readBody: true, key, pathModel: deployment);

        // Azure routes on the version first: without one the path does not exist at all, hence 404 rather than 400.
        string? version = request.Query["api-version"];
        if (string.IsNullOrEmpty(version))
        {
            await ResourceNotFoundAsync(ctx);
            return (null, deployment);
        }
        if (!ApiVersion().IsMatch(version))
        {
            await WriteErrorAsync(ctx, StatusCodes.Status400BadRequest, "BadRequest", "API version not supported");
            return (null, deployment);
        }
        if (state.Rejects(key))
        {
            await AccessDeniedAsync(ctx);
            return (null, deployment);
        }
        return (body, deployment);
    }

    // Azure's versions are dates, optionally marked preview; "latest" and "preview" name the rolling v1 surface.
    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2}(-preview)?|latest|preview)$")]
    private static partial Regex ApiVersion();
}
