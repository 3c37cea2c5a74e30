using System.Globalization;

namespace MockProvider;

/// <summary>Error responses in Anthropic's shape: <c>{"type":"error","error":{"type","message"},"request_id"}</c>.</summary>
internal static class AnthropicErrors
{
    public static Task WriteAsync(HttpContext ctx, int status, string message, string? type = null)
    {
        var requestId = JsonOut.NewId("req_011");
        ctx.Response.Headers["request-id"] = requestId;
        return JsonOut.SendAsync(ctx, status, (type ?? TypeFor(status), message, requestId), static (w, e) =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "error"u8);
            w.WriteStartObject("error"u8);
            w.WriteString("type"u8, e.Item1);
            w.WriteString("message"u8, e.message);
            w.WriteEndObject();
            w.WriteString("request_id"u8, e.requestId);
            w.WriteEndObject();
        });
    }

    /// <summary>Anthropic's documented error type for each HTTP status; other 4xx are invalid requests, other 5xx api errors.</summary>
    public static string TypeFor(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    public static Task InvalidRequestAsync(HttpContext ctx, string message) => WriteAsync(ctx, StatusCodes.Status400BadRequest, message);

    public static Task ServerErrorAsync(HttpContext ctx) => WriteAsync(ctx, StatusCodes.Status500InternalServerError, "Internal server error");

    /// <summary>The error a <see cref="ModelBehavior.Status"/> fault injects, modelled on what Anthropic sends for that status.</summary>
    public static Task InjectedAsync(HttpContext ctx, int status, ModelBehavior behavior, string model)
    {
        switch (status)
        {
            case 429:
                ctx.Response.Headers["retry-after"] = behavior.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return WriteAsync(ctx, status,
                    "This request would exceed the rate limit for your organization of 1 requests per minute. " +
                    "For details, refer to: https://docs.claude.com/en/api/rate-limits.");
            case 401:
                return WriteAsync(ctx, status, "invalid x-api-key");
            case 403:
                return WriteAsync(ctx, status, "Your API key does not have permission to use the specified resource.");
            case 404:
                return WriteAsync(ctx, status, $"model: {model}");
            case 413:
                return WriteAsync(ctx, status, "Request exceeds the maximum allowed number of bytes.");
            case 500:
                return ServerErrorAsync(ctx);
            case 529:
                return WriteAsync(ctx, status, "Overloaded");
            case 400:
                return WriteAsync(ctx, status, "Mock injected bad request.");
            default:
                return WriteAsync(ctx, status, $"Mock injected error (status {status}).");
        }
    }
}
