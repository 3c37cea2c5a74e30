using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin;

/// <summary>
/// A query value that is present but does not parse (a <c>from</c> that is not a time) is refused before the endpoint
/// runs, naming the parameter and the kind of value it takes — Wolverine's own refusal names the .NET type.
/// </summary>
public static class AdminQueryValues
{
    public static ProblemDetails? Problem(HttpContext ctx, HttpChain chain)
    {
        if (ctx.Request.Query.Count == 0) return null;
        foreach (var parameter in chain.Method.Method.GetParameters())
        {
            if (parameter.Name is not { } name || chain.RoutePattern?.GetParameter(name) is not null) continue;
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (!ctx.Request.Query.TryGetValue(name, out var values)) continue;
            foreach (var value in values)
                if (!string.IsNullOrEmpty(value) && Parses(type, value) == false)
                    return AdminProblems.Invalid(name, $"must be {JsonBindingError.Describe(type)}.");
        }
        return null;
    }

    /// <summary>Null for a type that is not a plain value (services, bodies, strings): not ours to judge.</summary>
    static bool? Parses(Type type, string value)
    {
        var invariant = CultureInfo.InvariantCulture;
        if (type == typeof(Guid)) return Guid.TryParse(value, out _);
        if (type == typeof(DateTimeOffset)) return DateTimeOffset.TryParse(value, invariant, DateTimeStyles.None, out _);
        if (type == typeof(DateTime)) return DateTime.TryParse(value, invariant, DateTimeStyles.None, out _);
        if (type == typeof(int)) return int.TryParse(value, NumberStyles.Integer, invariant, out _);
        if (type == typeof(long)) return long.TryParse(value, NumberStyles.Integer, invariant, out _);
        if (type == typeof(decimal)) return decimal.TryParse(value, NumberStyles.Number, invariant, out _);
        if (type == typeof(double)) return double.TryParse(value, NumberStyles.Float, invariant, out _);
        if (type == typeof(bool)) return bool.TryParse(value, out _);
        if (type == typeof(TimeSpan)) return TimeSpan.TryParse(value, invariant, out _);
        if (type.IsEnum) return Enum.TryParse(type, value, ignoreCase: true, out _);
        return null;
    }
}
