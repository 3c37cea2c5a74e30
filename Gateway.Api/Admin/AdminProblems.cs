using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Wolverine.Http;

namespace Gateway.Api.Admin;

/// <summary>Admin errors as problem details that name the offending field.</summary>
public static class AdminProblems
{
    /// <summary>
    /// An /admin answer that is an error without a body — no such path (404), a method the path does not take (405),
    /// a body that is not JSON (415) — gets problem details too, so every admin error reads the same.
    /// </summary>
    public static IApplicationBuilder UseAdminStatusProblems(this IApplicationBuilder app) =>
        app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/admin"), branch => branch.UseStatusCodePages(async pages =>
        {
            var ctx = pages.HttpContext;
            var status = ctx.Response.StatusCode;
            var detail = status switch
            {
                404 => $"There is no admin resource at {ctx.Request.Path}.",
                405 => $"{ctx.Request.Method} is not allowed on {ctx.Request.Path}.",
                415 => "Send the request body as JSON, with 'Content-Type: application/json'.",
                _ => null,
            };
            await Results.Problem(statusCode: status, title: ReasonPhrases.GetReasonPhrase(status), detail: detail).ExecuteAsync(ctx);
        }));

    public static ProblemDetails Check<T>(IValidator<T> validator, T? command)
    {
        if (command is null) return Problem(400, "The request body is missing or is not a JSON object.", new() { ["body"] = ["A JSON object is required."] });
        var result = validator.Validate(command);
        if (result.IsValid) return WolverineContinue.NoProblems;
        var errors = result.Errors
            .GroupBy(e => JsonName(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray());
        return Problem(400, string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")), errors);
    }

    public static ProblemDetails Invalid(string field, string message) =>
        Problem(400, $"{field}: {message}", new() { [field] = [message] });

    /// <summary>The body as a whole is wrong (missing, not JSON, not an object): the message is the detail.</summary>
    public static ProblemDetails InvalidBody(string message) =>
        Problem(400, message, new() { ["body"] = [message] }, "Invalid request body");

    public static ProblemDetails NotFound(string what) => new() { Status = 404, Title = "Not found", Detail = what };

    public static ProblemDetails Conflict(string field, string message) =>
        Problem(409, $"{field}: {message}", new() { [field] = [message] }, "Conflict");

    static ProblemDetails Problem(int status, string detail, Dictionary<string, string[]> errors, string title = "Validation failed")
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["errors"] = errors;
        return problem;
    }

    static string JsonName(string property) =>
        string.IsNullOrEmpty(property) ? "body" : char.ToLowerInvariant(property[0]) + property[1..];
}
