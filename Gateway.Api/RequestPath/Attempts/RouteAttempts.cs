using System.Globalization;
using Gateway.Api.Providers;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Relay;
using Gateway.Api.Routing;
using Gateway.Domain.Requests;

namespace Gateway.Api.RequestPath.Attempts;

/// <summary>
/// The second step, fallback: the route's targets in order (balanced within a tier), each tried by
/// <see cref="TargetAttempts"/>, until one serves or the route runs out of targets, attempts or time. The attempt that
/// serves is handed to the relay; when none does, the client gets one error told from the attempt trail.
/// Every attempt goes on the request's record with why the gateway moved on.
/// </summary>
public sealed class RouteAttempts(TargetAttempts targets, TargetHealth health, BufferedRelay buffered, ProviderAdapters adapters,
    RequestCompletion completion, GatewayOptions options)
{
    public async Task ForwardAsync(AdmittedRequest f)
    {
        var (ctx, trace, route) = (f.Ctx, f.Trace, f.Route);
        var policy = route.Policy;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        deadline.CancelAfter(options.UpstreamTimeout);
        using var budget = route.IsSingle ? null : CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        budget?.CancelAfter(policy.TimeBudgetMs);
        var budgetToken = budget?.Token ?? deadline.Token;

        AttemptResult? last = null;
        try
        {
            foreach (var target in route.Order(health))
            {
                if (trace.AttemptCount >= policy.MaxAttempts || budgetToken.IsCancellationRequested) break;
                last?.Dispose();
                last = await targets.TryAsync(f, target, budgetToken, deadline.Token);
                if (last is null) return; // answered already (a refusal that is the request's own fault)
                if (last.Served)
                {
                    await ServeAsync(f, last);
                    return;
                }
                if (!last.MayMoveOn) break;
                if (trace.AttemptCount > 0 && last.TrailIndex >= 0) trace.AttemptEnded(last.TrailIndex, "fell_back");
            }
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            last?.Dispose();
            trace.UpstreamEndedNow();
            await completion.ClientLeftAsync(trace, f.Body.Span);
            return;
        }
        using (last)
        {
            if (trace.AttemptCount > 0) trace.AttemptEnded(trace.AttemptCount - 1, "failed");
            trace.UpstreamEndedNow();
            await FailAllAsync(f, last, budget is not null && budget.IsCancellationRequested && !deadline.IsCancellationRequested);
        }
    }

    /// <summary>The attempt that served: its model named in the headers, its answer relayed (streamed, or whole).</summary>
    async Task ServeAsync(AdmittedRequest f, AttemptResult served)
    {
        using var _ = served;
        var (ctx, trace) = (f.Ctx, f.Trace);
        var target = served.Target!;
        trace.Serving(target);
        ctx.Response.Headers["x-gateway-model"] = target.PublicId;
        ctx.Response.Headers["x-gateway-attempts"] = trace.AttemptCount.ToString(CultureInfo.InvariantCulture);
        if (served is PrimedStream primed)
        {
            await primed.Relay.RunAsync(served.Cancellation!.Token);
            return;
        }
        await buffered.RelayAsync(f, adapters.For(target.Provider.Kind), served.Response!, served.Cancellation!.Token);
    }

    /// <summary>No target served: one error in the client's format (<see cref="FailedAttempts"/>).</summary>
    Task FailAllAsync(AdmittedRequest f, AttemptResult? last, bool budgetSpent)
    {
        var trace = f.Trace;
        f.Ctx.Response.Headers["x-gateway-attempts"] = trace.AttemptCount.ToString(CultureInfo.InvariantCulture);
        var error = FailedAttempts.Answer(trace.Attempts, trace.Route, f.Route.IsSingle, budgetSpent, last is null ? null
            : new LastAttempt(last.ErrorClass, last.Status, last.Message, last.Code, last.RetryAfter, last.Target?.Provider.Name));
        return completion.FailAsync(f.Ctx, trace, f.Dialect, f.Body, error);
    }
}
