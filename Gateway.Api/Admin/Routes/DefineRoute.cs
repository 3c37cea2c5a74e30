using FluentValidation;
using Gateway.Api.ControlPlane;
using Gateway.Domain.Routes;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Routes;

/// <summary>
/// Define a route: a public name (no '/') served by catalog models with fallbacks. Either <c>primary</c> and
/// <c>fallbacks</c> (one model each), or <c>tiers</c>: ordered lists of equivalent targets balanced by weight or
/// latency. The change applies to the next request.
/// </summary>
public sealed record DefineRoute(
    string Name,
    string? Primary = null,
    IReadOnlyList<string>? Fallbacks = null,
    IReadOnlyList<IReadOnlyList<RouteTarget>>? Tiers = null,
    RoutePolicy? Policy = null)
{
    public IReadOnlyList<RouteTier> ResolvedTiers() => Tiers is { Count: > 0 }
        ? [.. Tiers.Select(t => new RouteTier([.. t]))]
        : [.. new[] { Primary! }.Concat(Fallbacks ?? []).Select(m => new RouteTier([new RouteTarget(m)]))];
}

public sealed class DefineRouteValidator : AbstractValidator<DefineRoute>
{
    public DefineRouteValidator(ControlPlaneSnapshot catalog)
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(AdminLimits.Identifier).Matches("^[a-z0-9][a-z0-9._-]*$")
            .WithMessage("must be lower-case letters, digits, '.', '_' or '-' (no '/': names with '/' are catalog models).");
        RuleFor(x => x).Must(x => (x.Tiers is { Count: > 0 }) != !string.IsNullOrEmpty(x.Primary))
            .WithName("primary").WithMessage("give either primary (and fallbacks) or tiers.");
        RuleFor(x => x.Primary).MaximumLength(AdminLimits.ModelName);
        RuleFor(x => x.Fallbacks).AtMost(AdminLimits.RouteTargets - 1)
            .WithMessage($"must have at most {AdminLimits.RouteTargets - 1} entries: a route has at most {AdminLimits.RouteTargets} targets.");
        RuleFor(x => x.Tiers).Must(t => t is null || t.All(tier => tier is not null && tier.All(target => target is not null)))
            .WithMessage("a tier is a list of targets; neither may be null.")
            .Must(t => t is null || t.Sum(tier => tier?.Count ?? 0) <= AdminLimits.RouteTargets)
            .WithMessage($"must have at most {AdminLimits.RouteTargets} targets, all tiers together.");
        RuleForEach(x => x.ResolvedTiers().SelectMany(t => t.Targets)).Cascade(CascadeMode.Stop)
            .Must(t => t.Model is null || t.Model.Length <= AdminLimits.ModelName).WithName("tiers")
            .WithMessage($"a target's model is at most {AdminLimits.ModelName} characters.")
            .Must(t => catalog.ModelsByPublicId.ContainsKey(t.Model ?? "")).WithName("tiers").WithMessage((_, t) => $"no catalog model '{t.Model}'.")
            .Must(t => t.Weight is >= 1 and <= 1000).WithName("tiers").WithMessage("weights are between 1 and 1000.")
            .When(Shaped);
        RuleFor(x => x.ResolvedTiers()).Must(t => t.All(tier => tier.Targets.Count > 0)).WithName("tiers").WithMessage("a tier needs at least one target.")
            .When(x => x.Tiers is { Count: > 0 } && Shaped(x));
        When(x => x.Policy is not null, () =>
        {
            RuleFor(x => x.Policy!.Balancing).Must(RouteBalancing.IsKnown).WithName("policy.balancing")
                .WithMessage($"must be {RouteBalancing.Weighted} or {RouteBalancing.LeastLatency}.");
            RuleFor(x => x.Policy!.FirstTokenTimeoutMs).InclusiveBetween(1, 600_000).WithName("policy.firstTokenTimeoutMs");
            RuleFor(x => x.Policy!.AttemptTimeoutMs).InclusiveBetween(1, 3_600_000).WithName("policy.attemptTimeoutMs");
            RuleFor(x => x.Policy!.RetriesPerTarget).InclusiveBetween(0, 5).WithName("policy.retriesPerTarget");
            RuleFor(x => x.Policy!.BackoffMs).InclusiveBetween(1, 60_000).WithName("policy.backoffMs");
            RuleFor(x => x.Policy!.MaxAttempts).InclusiveBetween(1, 20).WithName("policy.maxAttempts");
            RuleFor(x => x.Policy!.TimeBudgetMs).InclusiveBetween(1, 3_600_000).WithName("policy.timeBudgetMs");
        });
    }

    /// <summary>Primary or tiers (not both), no null tier or target, and few enough targets to look at each.</summary>
    static bool Shaped(DefineRoute x) =>
        (x.Tiers is { Count: > 0 }) != !string.IsNullOrEmpty(x.Primary)
        && AdminLimitRules.AtMost(x.Fallbacks, AdminLimits.RouteTargets - 1)
        && (x.Tiers is null || (x.Tiers.All(tier => tier is not null && tier.All(target => target is not null))
                                && x.Tiers.Sum(tier => tier.Count) <= AdminLimits.RouteTargets));
}

public sealed record RouteResponse(Guid Id, string Name, IReadOnlyList<RouteTier> Tiers, RoutePolicy Policy, DateTimeOffset DefinedAt)
    : CreationResponse($"/admin/routes/{Name}")
{
    public static RouteResponse From(RouteView v) => new(v.Id, v.Name, v.Tiers, v.Policy, v.DefinedAt);
}

public static class DefineRouteEndpoint
{
    public static async Task<ProblemDetails> ValidateAsync(DefineRoute command, ControlPlaneViews views, IQuerySession session, CancellationToken ct)
    {
        var problems = AdminProblems.Check(new DefineRouteValidator(views.Current), command);
        if (problems != WolverineContinue.NoProblems) return problems;
        return await session.Query<RouteView>().AnyAsync(r => r.Name == command.Name && !r.Removed, ct)
            ? AdminProblems.Conflict("name", $"A route named '{command.Name}' exists; PUT /admin/routes/{command.Name} redefines it.")
            : WolverineContinue.NoProblems;
    }

    [WolverinePost("/admin/routes", OperationId = "defineRoute")]
    [Tags("routes")]
    public static async Task<RouteResponse> Post(DefineRoute command, IDocumentSession session, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        session.Events.StartStream<RouteView>(id, new RouteDefined(id, command.Name, command.ResolvedTiers(), command.Policy ?? RoutePolicy.Default));
        await session.SaveChangesAsync(ct);
        return RouteResponse.From((await session.LoadAsync<RouteView>(id, ct))!);
    }
}
