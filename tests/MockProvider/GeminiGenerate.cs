using System.Text.Json;

namespace MockProvider;

/// <summary>
/// <c>POST /v1beta/models/{model}:generateContent</c> and <c>:streamGenerateContent</c> (SSE with <c>alt=sse</c>,
/// else a JSON array): the Gemini API, with the model named in the URL rather than the body.
/// </summary>
internal static class GeminiGenerate
{
    public const string Route = "/v1beta/models/{target}";

    public static async Task HandleAsync(HttpContext ctx, MockState state)
    {
        // The method rides on the model segment after a colon, Google's custom-method convention.
        string target = ctx.Request.RouteValues["target"] as string ?? "";
        int colon = target.LastIndexOf(':');
        string model = colon > 0 ? target[..colon] : target;
        string method = colon > 0 ? target[(colon + 1)..] : "";

        var body = await AdmitAsync(ctx, state, model);
        if (body is null) return;

        bool stream = method == "streamGenerateContent";
        if (!stream && method != "generateContent")
        {
            await GeminiErrors.WriteAsync(ctx, StatusCodes.Status404NotFound, $"Method not found: {method}.");
            return;
        }

        GeminiRequest req;
        try
        {
            req = GeminiRequest.Parse(body);
        }
        catch (JsonException e)
        {
            await GeminiErrors.InvalidArgumentAsync(ctx, $"Invalid JSON payload received. {e.Message}");
            return;
        }
        catch (InvalidRequestException e)
        {
            await GeminiErrors.InvalidArgumentAsync(ctx, e.Message);
            return;
        }

        var behavior = state.Behaviors.Resolve(model);
        using var stopHook = Faults.AbortOnStop(ctx, state, behavior);
        if (await Faults.InterceptAsync(ctx, state, behavior, model, GeminiErrors.InjectedAsync)) return;

        var answer = Answer.Decide(behavior, model, req.PromptTokens, req.MaxOutputTokens);
        if (stream)
        {
            bool sse = ctx.Request.Query["alt"] == "sse";
            var writer = new GeminiResponse(ctx.Response.BodyWriter, answer, model, sse);
            await AnswerStream.RunAsync(ctx, behavior, writer, sse ? "text/event-stream" : "application/json; charset=UTF-8");
        }
        else
        {
            await Faults.DelayAsync(ctx, behavior.LatencyMs);
            await GeminiResponse.SendAsync(ctx, answer, model);
        }
    }

    /// <returns>The body, or null when the key was refused (the call is logged either way).</returns>
    private static async ValueTask<byte[]?> AdmitAsync(HttpContext ctx, MockState state, string model)
    {
        string? key = Credentials.Gemini(ctx.Request);
        var body = await state.ReadAndLogAsync(ctx, readBody: true, key, pathModel: model);
        if (!state.Rejects(key)) return body;

        // Google tells a missing key (no caller identity) from a wrong one (a bad argument).
        if (key is null)
            await GeminiErrors.WriteAsync(ctx, StatusCodes.Status403Forbidden,
                "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
        else
            await GeminiErrors.WriteAsync(ctx, StatusCodes.Status400BadRequest, "API key not valid. Please pass a valid API key.", reason: "API_KEY_INVALID");
        return null;
    }
}
