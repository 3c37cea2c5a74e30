using Gateway.Api.Anthropic;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Requests;

namespace Gateway.Api.OpenAi;

/// <summary>
/// What /v1 answers for a path it does not serve (404, as OpenAI's "Invalid URL (POST /v1/foo)") or a method a served
/// path does not take (405 with <c>Allow</c>): an error in the endpoint's shape, with a request id, never an empty body.
/// </summary>
public static class UnroutedRequest
{
    public static async Task AnswerAsync(HttpContext ctx, TimeProvider time)
    {
        RequestIdHeader.Stamp(ctx, time);
        var request = ctx.Request;
        var path = request.Path.Value ?? "";
        var allowed = AllowedMethod(path);
        var dialect = allowed is not null && IsMessages(path) ? (ClientDialect)AnthropicDialect.Instance : OpenAiDialect.Instance;
        byte[] error;
        if (allowed is null)
        {
            ctx.Response.StatusCode = 404;
            error = dialect.Error(404, $"Invalid URL ({request.Method} {path}).", ErrorTypes.InvalidRequest, "unknown_url");
        }
        else
        {
            ctx.Response.StatusCode = 405;
            ctx.Response.Headers.Allow = allowed;
            error = dialect.Error(405, $"Invalid method for URL ({request.Method} {path}): it takes {allowed}.", ErrorTypes.InvalidRequest, "method_not_allowed");
        }
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(error, ctx.RequestAborted);
    }

    /// <summary>The one method a served /v1 path takes; null for a path /v1 does not serve.</summary>
    static string? AllowedMethod(string path)
    {
        var p = path.AsSpan().TrimEnd('/');
        if (p.Equals("/v1/chat/completions", StringComparison.OrdinalIgnoreCase)
            || p.Equals("/v1/embeddings", StringComparison.OrdinalIgnoreCase)
            || IsMessages(path)) return "POST";
        if (p.Equals("/v1/models", StringComparison.OrdinalIgnoreCase)
            || p.StartsWith("/v1/models/", StringComparison.OrdinalIgnoreCase)) return "GET";
        return null;
    }

    static bool IsMessages(string path) => path.AsSpan().TrimEnd('/').Equals("/v1/messages", StringComparison.OrdinalIgnoreCase);
}
