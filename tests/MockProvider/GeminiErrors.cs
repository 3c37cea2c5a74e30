using System.Text.Json;

namespace MockProvider;

/// <summary>Error responses in Google's shape: <c>{"error":{"code","message","status","details"?}}</c>.</summary>
internal static class GeminiErrors
{
    private const string ErrorInfoType = "type.googleapis.com/google.rpc.ErrorInfo";

    /// <param name="reason">Written as a google.rpc.ErrorInfo detail, which is how clients tell e.g. a bad key from a bad field.</param>
    /// <param name="retryDelaySeconds">Written as a google.rpc.RetryInfo detail: Google's retry hint, instead of a Retry-After header.</param>
    public static Task WriteAsync(HttpContext ctx, int code, string message, string? reason = null, int? retryDelaySeconds = null) =>
        JsonOut.SendAsync(ctx, code, (code, message, reason, retryDelaySeconds), static (w, e) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error"u8);
            w.WriteNumber("code"u8, e.code);
            w.WriteString("message"u8, e.message);
            w.WriteString("status"u8, StatusFor(e.code));
            if (e.reason is not null || e.retryDelaySeconds is not null)
            {
                w.WriteStartArray("details"u8);
                if (e.reason is not null) WriteErrorInfo(w, e.reason);
                if (e.retryDelaySeconds is int delay)
                {
                    w.WriteStartObject();
                    w.WriteString("@type"u8, "type.googleapis.com/google.rpc.RetryInfo"u8);
                    w.WriteString("retryDelay"u8, $"{delay}s");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>The google.rpc.Code name Google pairs with each HTTP status.</summary>
    public static string StatusFor(int code) => code switch
    {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        501 => "NOT_IMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        >= 500 => "INTERNAL",
        _ => "FAILED_PRECONDITION",
    };

    public static Task InvalidArgumentAsync(HttpContext ctx, string message) => WriteAsync(ctx, StatusCodes.Status400BadRequest, message);

    public static Task ServerErrorAsync(HttpContext ctx) =>
        WriteAsync(ctx, StatusCodes.Status500InternalServerError, "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting");

    public static Task ModelNotFoundAsync(HttpContext ctx, string model, string method) =>
        WriteAsync(ctx, StatusCodes.Status404NotFound,
            $"models/{model} is not found for API version v1beta, or is not supported for {method}. Call ListModels to see the list of available models and their supported methods.");

    /// <summary>The error a <see cref="ModelBehavior.Status"/> fault injects, modelled on what the Gemini API sends for that status.</summary>
    public static Task InjectedAsync(HttpContext ctx, int status, ModelBehavior behavior, string model) => status switch
    {
        429 => WriteAsync(ctx, status,
            "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
            retryDelaySeconds: behavior.RetryAfterSeconds),
        400 => WriteAsync(ctx, status, "Request contains an invalid argument."),
        401 => WriteAsync(ctx, status, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."),
        403 => WriteAsync(ctx, status, "The caller does not have permission"),
        404 => ModelNotFoundAsync(ctx, model, "generateContent"),
        500 => ServerErrorAsync(ctx),
        503 => WriteAsync(ctx, status, "The model is overloaded. Please try again later."),
        504 => WriteAsync(ctx, status, "The request timed out. Please try again."),
        _ => WriteAsync(ctx, status, $"Mock injected error (status {status})."),
    };

    private static void WriteErrorInfo(Utf8JsonWriter w, string reason)
    {
        w.WriteStartObject();
        w.WriteString("@type"u8, ErrorInfoType);
        w.WriteString("reason"u8, reason);
        w.WriteString("domain"u8, "googleapis.com"u8);
        w.WriteStartObject("metadata"u8);
        w.WriteString("service"u8, "generativelanguage.googleapis.com"u8);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
