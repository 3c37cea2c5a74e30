using System.Diagnostics.Metrics;
using Gateway.Api.Analytics;
using Gateway.Api.Audit;
using Gateway.Api.Budgets;
using Gateway.Api.Observability;
using Gateway.Api.Recording;
using Gateway.Api.Routing;
using Polly.CircuitBreaker;

namespace Gateway.Api.Hosting;

/// <summary>
/// What the gateway holds in memory, read at each scrape: circuit state per target, each budget's limit, spend and
/// remainder in its current period, the group commit's backlog, and how long ago the export and the chain last caught
/// up (on the node that runs them). No database query at scrape time.
/// </summary>
public sealed class GatewayGauges
{
    public GatewayGauges(IMeterFactory meters, TargetHealth targets, BudgetLedger budgets, UsageRecorder recorder,
        AnalyticsExportService export, EventChainService chain, TimeProvider time)
    {
        var meter = meters.Create(GatewayMetrics.MeterName);
        meter.CreateObservableGauge("gateway.circuit.state", () => targets.All.Select(t =>
                new Measurement<int>(t.Circuit switch { CircuitState.Closed => 0, CircuitState.HalfOpen => 1, _ => 2 },
                    new KeyValuePair<string, object?>(GenAi.RequestModel, t.Model))),
            "{state}", "Circuit breaker per target model: 0 closed, 1 half-open, 2 open (isolated counts as open).");

        IEnumerable<Measurement<double>> Budget(Func<Gateway.Domain.Budgets.BudgetBalance, decimal> pick) =>
            budgets.All.Select(rule =>
            {
                var balance = rule.Account.Balance(time.GetUtcNow());
                return new Measurement<double>((double)pick(balance),
                    new KeyValuePair<string, object?>("gateway.budget.id", rule.Id.ToString()),
                    new KeyValuePair<string, object?>("gateway.budget.scope", rule.Scope));
            });
        meter.CreateObservableGauge("gateway.budget.limit", () => Budget(b => b.Limit), "USD", "Each budget's limit for its current period.");
        meter.CreateObservableGauge("gateway.budget.spent", () => Budget(b => b.Spent), "USD", "What each budget has settled in its current period.");
        meter.CreateObservableGauge("gateway.budget.remaining", () => Budget(b => b.Remaining), "USD",
            "What each budget has left in its current period, reservations in flight deducted.");

        meter.CreateObservableGauge("gateway.recorder.pending", () => recorder.Pending, "{record}",
            "Request records handed to the group commit and not yet committed.");
        meter.CreateObservableGauge("gateway.export.lag", () => Age(export.Status is { Exporting: true, LastRunAt: { } at } ? at : null), "s",
            "Seconds since the analytics export last caught up (only on the node that exports).");
        meter.CreateObservableGauge("gateway.chain.lag", () => Age(chain.CaughtUpAt), "s",
            "Seconds since the audit chain last caught up (only on the node that links it).");

        IEnumerable<Measurement<double>> Age(DateTimeOffset? at) =>
            at is { } when ? [new Measurement<double>((time.GetUtcNow() - when).TotalSeconds)] : [];
    }
}
