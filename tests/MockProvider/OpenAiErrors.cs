using System.Text.Json;

namespace MockProvider;

/// <summary>Error responses in OpenAI's shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal static class OpenAiErrors
{
    public static Task WriteAsync(HttpContext ctx, int status, string message, string type, string? param = null, string? code = null) =>
        JsonOut.SendAsync(ctx, status, (message, type, param, code), static (w, e) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error"u8);
            w.WriteString("message"u8, e.message);
            w.WriteString("type"u8, e.type);
            WriteNullable(w, "param"u8, e.param);
            WriteNullable(w, "code"u8, e.code);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    public static Task InvalidApiKeyAsync(HttpContext ctx) =>
        WriteAsync(ctx, StatusCodes.Status401Unauthorized, "Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");

    public static Task InvalidJsonAsync(HttpContext ctx) =>
        WriteAsync(ctx, StatusCodes.Status400BadRequest,
            "We could not parse the JSON body of your request. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.",
            "invalid_request_error");

    public static Task InvalidRequestAsync(HttpContext ctx, InvalidRequestException e) =>
        WriteAsync(ctx, StatusCodes.Status400BadRequest, e.Message, "invalid_request_error", e.Param);

    public static Task ServerErrorAsync(HttpContext ctx) =>
        WriteAsync(ctx, StatusCodes.Status500InternalServerError,
            "The server had an error while processing your request. Sorry about that!", "server_error");

    /// <summary>The error a <see cref="ModelBehavior.Status"/> fault injects, modelled on what OpenAI sends for that status.</summary>
    public static Task InjectedAsync(HttpContext ctx, int status, ModelBehavior behavior, string model)
    {
        switch (status)
        {
            case 429:
                ctx.Response.Headers.RetryAfter = behavior.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return WriteAsync(ctx, status,
                    $"Rate limit reached for {model} on requests per min (RPM): Limit 1, Used 1, Requested 1. Please try again in {behavior.RetryAfterSeconds}s.",
                    "requests", null, "rate_limit_exceeded");
            case 400:
                return WriteAsync(ctx, status, "Mock injected bad request.", "invalid_request_error");
            case 401:
                return InvalidApiKeyAsync(ctx);
            case 403:
                return WriteAsync(ctx, status, "You are not allowed to sample from this model.", "invalid_request_error");
            case 404:
                return WriteAsync(ctx, status, $"The model `{model}` does not exist or you do not have access to it.",
                    "invalid_request_error", null, "model_not_found");
            case 500:
                return ServerErrorAsync(ctx);
            case 503:
                return WriteAsync(ctx, status, "The engine is currently overloaded", "server_error");
            default:
                return WriteAsync(ctx, status, $"Mock injected error (status {status}).",
                    status >= 500 ? "server_error" : "invalid_request_error");
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }
}
