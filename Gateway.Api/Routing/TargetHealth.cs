using System.Collections.Concurrent;
using Gateway.Api.ControlPlane;
using Gateway.Domain.Routes;
using Polly;
using Polly.CircuitBreaker;

namespace Gateway.Api.Routing;

/// <summary>
/// What the gateway has learned about each target (catalog model): a circuit breaker (Polly) that takes it out of
/// rotation after repeated failures and lets a single probe through after the cool-down, and a moving average
/// of its time to first byte for least-latency balancing. In memory, per node.
/// </summary>
public sealed class TargetHealth(GatewayOptions options, CircuitJournal journal, TimeProvider time)
{
    readonly ConcurrentDictionary<Guid, Target> targets = new();

    public Target For(CatalogModel model) => targets.GetOrAdd(model.Id, static (_, s) => s.self.Create(s.model), (self: this, model));

    /// <summary>What this node knows of a model, if it has sent it anything yet.</summary>
    public Target? Known(Guid modelId) => targets.GetValueOrDefault(modelId);

    /// <summary>Every target this node has sent something to (for the circuit-state gauge).</summary>
    public IEnumerable<Target> All => targets.Values;

    Target Create(CatalogModel model)
    {
        var state = new CircuitBreakerStateProvider();
        var breaker = new ResiliencePipelineBuilder<AttemptResult> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<AttemptResult>
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerBreakDuration,
                StateProvider = state,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { CountsAgainstTarget: true }),
                OnOpened = args =>
                {
                    journal.Append(model.Id, new CircuitOpened(model.Id, model.PublicId, args.BreakDuration.TotalSeconds,
                        args.Outcome.Result?.ErrorClass ?? args.Outcome.Exception?.GetType().Name ?? "unknown"));
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    journal.Append(model.Id, new CircuitHalfOpened(model.Id, model.PublicId));
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    journal.Append(model.Id, new CircuitClosed(model.Id, model.PublicId));
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        return new Target(breaker, state, model.PublicId);
    }

    public sealed class Target(ResiliencePipeline<AttemptResult> breaker, CircuitBreakerStateProvider state, string model)
    {
        /// <summary>The catalog model (public id) this target serves.</summary>
        public string Model { get; } = model;

        long averageTicks;

        public ResiliencePipeline<AttemptResult> Breaker { get; } = breaker;

        public CircuitState Circuit => state.CircuitState;

        /// <summary>Moving average of time to first byte; zero until a first success was seen.</summary>
        public TimeSpan AverageLatency => TimeSpan.FromTicks(Interlocked.Read(ref averageTicks));

        public void Observe(TimeSpan latency)
        {
            // An exponentially weighted average: recent answers count most, one slow answer does not dominate.
            long seen, next;
            do
            {
                seen = Interlocked.Read(ref averageTicks);
                next = seen == 0 ? latency.Ticks : (long)(seen * 0.8 + latency.Ticks * 0.2);
            } while (Interlocked.CompareExchange(ref averageTicks, next, seen) != seen);
        }
    }
}
