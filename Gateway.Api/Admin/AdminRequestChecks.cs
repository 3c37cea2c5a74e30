using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin;

/// <summary>
/// Checks every /admin request before its endpoint: its query values (<see cref="AdminQueryValues"/>), then its body,
/// read once. A body past <see cref="AdminLimits.BodyBytes"/> is a 413; one that does not bind to the endpoint's
/// request type is a 400 worded for people — the field and the kind of JSON value it needs — instead of the
/// serializer's message, which names .NET types. The endpoint then reads the buffered copy. One place for every
/// admin endpoint, so none can answer otherwise.
/// </summary>
public static class AdminRequestChecks
{
    public static IApplicationBuilder UseAdminRequestChecks(this IApplicationBuilder app) =>
        // The dashboard's sign-in takes a body before anyone is signed in: the same limits.
        app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/admin") || ctx.Request.Path.StartsWithSegments("/ui/session"), branch => branch.Use(async (ctx, next) =>
        {
            if (await RefusalAsync(ctx) is { } problem)
            {
                ctx.Response.StatusCode = problem.Status!.Value;
                await Results.Problem(problem).ExecuteAsync(ctx);
                return;
            }
            await next(ctx);
        }));

    static async Task<ProblemDetails?> RefusalAsync(HttpContext ctx)
    {
        if (ctx.Request.ContentLength > AdminLimits.BodyBytes) return TooLarge();
        // Kestrel's own limit is off (the /v1 proxy enforces its own); a body past ours stops being read here.
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = AdminLimits.BodyBytes + 1L;

        var chain = ctx.GetEndpoint()?.Metadata.GetMetadata<HttpChain>();
        if (chain is not null && AdminQueryValues.Problem(ctx, chain) is { } query) return query;
        var bodyType = chain?.RequestType;
        if (bodyType is null || bodyType == typeof(void) || !HttpMethods.IsPost(ctx.Request.Method) && !HttpMethods.IsPut(ctx.Request.Method) && !HttpMethods.IsPatch(ctx.Request.Method))
            return null;

        var body = new MemoryStream();
        try
        {
            await ReadAsync(ctx.Request.Body, body, ctx.RequestAborted);
        }
        catch (BodyTooLargeException)
        {
            return TooLarge();
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's verdict on the body itself: too large, or sent too slowly (408).
            return ex.StatusCode == 413 ? TooLarge() : new ProblemDetails { Status = ex.StatusCode, Title = "Bad request body", Detail = "The request body could not be read." };
        }
        body.Position = 0;
        ctx.Request.Body = body;

        if (body.Length == 0)
        {
            return BodyIsOptional(chain!)
                ? null
                : AdminProblems.InvalidBody("The request body is empty; a JSON object is required.");
        }
        if (ctx.Request.ContentType is { Length: > 0 } type && !IsJson(type))
            return new ProblemDetails { Status = 415, Title = "Unsupported media type", Detail = "Send the request body as JSON, with 'Content-Type: application/json'." };

        return BindingProblem(body.GetBuffer().AsMemory(0, (int)body.Length), bodyType, chain!.JsonSerializerOptions ?? JsonSerializerOptions.Web);
    }

    /// <summary>Null when the body binds (the endpoint's own validation then names what is wrong with the values).</summary>
    static ProblemDetails? BindingProblem(ReadOnlyMemory<byte> json, Type bodyType, JsonSerializerOptions options)
    {
        try
        {
            using var _ = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth });
        }
        catch (JsonException ex)
        {
            return AdminProblems.InvalidBody(
                $"The request body is not valid JSON: it breaks off or has a syntax error at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}.");
        }
        try
        {
            JsonSerializer.Deserialize(json.Span, bodyType, options);
            return null;
        }
        catch (JsonException ex)
        {
            var field = JsonBindingError.Field(ex.Path);
            var needs = JsonBindingError.Expected(bodyType, ex.Path);
            return field is null
                ? AdminProblems.InvalidBody($"The request body must be {needs}.")
                : AdminProblems.Invalid(field, $"must be {needs}.");
        }
    }

    /// <summary>An endpoint whose body parameter is nullable (e.g. <c>RevokeKey? command</c>) takes no body as null.</summary>
    static bool BodyIsOptional(HttpChain chain)
    {
        var parameter = chain.Method.Method.GetParameters().FirstOrDefault(p => p.ParameterType == chain.RequestType);
        return parameter is not null && new NullabilityInfoContext().Create(parameter).WriteState == NullabilityState.Nullable;
    }

    static async Task ReadAsync(Stream from, MemoryStream to, CancellationToken ct)
    {
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(chunk, ct)) > 0)
        {
            if (to.Length + read > AdminLimits.BodyBytes) throw new BodyTooLargeException();
            to.Write(chunk, 0, read);
        }
    }

    static bool IsJson(string contentType) =>
        contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.StartsWith("text/json", StringComparison.OrdinalIgnoreCase)
        || contentType.Split(';')[0].EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    static ProblemDetails TooLarge() => new()
    {
        Status = 413,
        Title = "Request body too large",
        Detail = $"An admin request body may have at most {AdminLimits.BodyBytes} bytes (1 MiB).",
    };

    sealed class BodyTooLargeException : Exception;
}
