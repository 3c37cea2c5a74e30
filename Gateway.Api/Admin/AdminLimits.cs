using FluentValidation;

namespace Gateway.Api.Admin;

/// <summary>
/// The most any admin request may carry, one constant per kind of value, so that no list or string is unbounded.
/// docs/admin-api.md ("Limits") lists them; change both together.
/// </summary>
public static class AdminLimits
{
    /// <summary>Whole request body, bytes; larger is 413.</summary>
    public const int BodyBytes = 1024 * 1024;

    /// <summary>Names people give: teams, accounts, keys, admin keys, key owners.</summary>
    public const int Name = 200;

    /// <summary>Names that become part of a public id or URL: providers and routes.</summary>
    public const int Identifier = 64;

    /// <summary>A model's name, its upstream name, or a reference to a catalog model or route.</summary>
    public const int ModelName = 200;

    /// <summary>Provider base URLs and webhook URLs.</summary>
    public const int Url = 2048;

    /// <summary>A provider API key (the gateway's own or a team's).</summary>
    public const int ApiKey = 4096;

    /// <summary>Free text such as a revocation reason (and the X-Audit-Reason header, which is cut here).</summary>
    public const int Reason = 500;

    /// <summary>Entries of an allowed-models list (a key's or a team's scope).</summary>
    public const int AllowedModels = 256;

    /// <summary>Targets of a route, all tiers together (primary and fallbacks).</summary>
    public const int RouteTargets = 16;

    /// <summary>Alert thresholds of a budget.</summary>
    public const int Thresholds = 10;

    /// <summary>A time zone id such as Europe/Paris.</summary>
    public const int TimeZone = 64;

    /// <summary>Azure's api-version.</summary>
    public const int ApiVersion = 40;
}

public static class AdminLimitRules
{
    /// <summary>A list of at most <paramref name="max"/> entries (null passes: it means "not given").</summary>
    public static IRuleBuilderOptions<T, IReadOnlyList<TEntry>?> AtMost<T, TEntry>(this IRuleBuilder<T, IReadOnlyList<TEntry>?> rule, int max) =>
        rule.Must(list => list is null || list.Count <= max).WithMessage($"must have at most {max} entries.");

    public static bool AtMost<TEntry>(IReadOnlyList<TEntry>? list, int max) => list is null || list.Count <= max;
}
