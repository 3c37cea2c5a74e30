using Gateway.Api.ControlPlane;
using Gateway.Domain.Routes;
using Polly;
using Polly.Retry;

namespace Gateway.Api.Routing;

/// <summary>A route as the hot path uses it: its tiers resolved to catalog models (as they stand in this snapshot).</summary>
public sealed class CompiledRoute
{
    public CompiledRoute(string name, RoutePolicy policy, IReadOnlyList<IReadOnlyList<(CatalogModel Model, int Weight)>> tiers)
    {
        Name = name;
        Policy = policy;
        Tiers = tiers;
        Retries = policy.RetriesPerTarget <= 0
            ? ResiliencePipeline<AttemptResult>.Empty
            : new ResiliencePipelineBuilder<AttemptResult>()
                .AddRetry(new RetryStrategyOptions<AttemptResult>
                {
                    MaxRetryAttempts = policy.RetriesPerTarget,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(Math.Max(1, policy.BackoffMs)),
                    MaxDelay = RouteFailures.LongestRetryWait,
                    ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { CanRetry: true }),
                    // The upstream said when to come back: wait that long rather than the computed backoff.
                    DelayGenerator = static args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
                    OnRetry = static args =>
                    {
                        args.Outcome.Result?.Dispose();
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
    }

    public string Name { get; }
    public RoutePolicy Policy { get; }
    public IReadOnlyList<IReadOnlyList<(CatalogModel Model, int Weight)>> Tiers { get; }

    /// <summary>The route's retry policy on one target; each target's circuit breaker sits inside it.</summary>
    public ResiliencePipeline<AttemptResult> Retries { get; }

    /// <summary>A plain catalog model asked for by name: one target, one attempt, errors as the upstream gave them.</summary>
    public static CompiledRoute Single(CatalogModel model) => new(model.PublicId, SinglePolicy, [[(model, 1)]]);

    static readonly RoutePolicy SinglePolicy = RoutePolicy.Default with { MaxAttempts = 1 };

    public bool IsSingle => ReferenceEquals(Policy, SinglePolicy);

    /// <summary>The targets in the order to try them: tier by tier, each tier's equivalent targets balanced.</summary>
    public IEnumerable<CatalogModel> Order(TargetHealth health)
    {
        foreach (var tier in Tiers)
        {
            if (tier.Count == 1)
            {
                yield return tier[0].Model;
                continue;
            }
            foreach (var model in Balance(tier, health)) yield return model;
        }
    }

    IEnumerable<CatalogModel> Balance(IReadOnlyList<(CatalogModel Model, int Weight)> tier, TargetHealth health)
    {
        if (Policy.Balancing == RouteBalancing.LeastLatency)
        {
            // Targets not yet measured (average zero) come first, so every target gets measured.
            return tier.OrderBy(t => health.For(t.Model).AverageLatency).ThenByDescending(t => t.Weight).Select(t => t.Model);
        }
        // Weighted: the first target drawn in proportion to its weight; the rest follow as fallbacks within the tier.
        var total = tier.Sum(t => t.Weight);
        var draw = Random.Shared.Next(total);
        var first = 0;
        for (var i = 0; i < tier.Count; i++)
        {
            draw -= tier[i].Weight;
            if (draw < 0)
            {
                first = i;
                break;
            }
        }
        return tier.Skip(first).Concat(tier.Take(first)).Select(t => t.Model);
    }
}
