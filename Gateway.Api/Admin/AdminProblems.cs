using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin;

/// <summary>Admin errors as problem details that name the offending field.</summary>
public static class AdminProblems
{
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
