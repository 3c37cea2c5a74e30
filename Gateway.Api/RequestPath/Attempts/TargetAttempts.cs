using System.Text.Json;
using Gateway.Api.ControlPlane;
using Gateway.Api.Providers;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Wire;
using Gateway.Api.Routing;
using Gateway.Domain.Requests;
using Polly;
using Polly.CircuitBreaker;

namespace Gateway.Api.RequestPath.Attempts;

/// <summary>Everything one attempt on one target needs; the state Polly hands back to the attempt callback.</summary>
public sealed record Attempting(UpstreamAttempt Upstream, ResiliencePipeline<AttemptResult> Breaker, AdmittedRequest F, CatalogModel Target,
    IProviderAdapter Adapter, string? ApiKey, PooledBuffer UpstreamBody, CancellationToken Deadline);

/// <summary>
/// The attempts on one target of the route: whether it can take the request at all (enabled, the operation supported,
/// the key allowed its credential, the body expressible in its format), then its calls behind the target's circuit
/// breaker and the route's retry policy (Polly).
/// </summary>
public sealed class TargetAttempts(ProviderAdapters adapters, TargetHealth health, UpstreamAttempt upstream, RequestCompletion completion)
{
    /// <returns>How the last call ended; null when the request was answered already (a refusal that is its own fault).</returns>
    public async Task<AttemptResult?> TryAsync(AdmittedRequest f, CatalogModel target, CancellationToken budgetToken, CancellationToken deadlineToken)
    {
        var trace = f.Trace;
        if (!target.Enabled) return Skip(trace, target, AttemptErrors.Disabled, $"'{target.PublicId}' is disabled");
        var adapter = adapters.For(target.Provider.Kind);
        PooledBuffer? upstreamBody = null;
        try
        {
            if (Prepare(f, target, adapter, out var apiKey, out upstreamBody) is { } refusal)
            {
                if (refusal.Skip is { } skipped) return skipped;
                await completion.FailAsync(f.Ctx, trace, f.Dialect, f.Body, refusal.Error);
                return null;
            }
            var attempt = new Attempting(upstream, health.For(target).Breaker, f, target, adapter, apiKey, upstreamBody!, deadlineToken);
            var context = ResilienceContextPool.Shared.Get(budgetToken);
            try
            {
                var result = await f.Route.Retries.ExecuteAsync(
                    static (ResilienceContext c, Attempting a) => a.Breaker.ExecuteAsync(
                        static (ResilienceContext inner, Attempting state) => state.Upstream.SendAsync(state, inner.CancellationToken), c, a),
                    context, attempt);
                if (result.Served)
                {
                    // An upstream may answer before it has read the whole body: the buffer lives as long as the answer.
                    result.Owned = upstreamBody;
                    upstreamBody = null;
                }
                return result;
            }
            catch (BrokenCircuitException)
            {
                return Skip(trace, target, AttemptErrors.CircuitOpen, $"'{target.PublicId}' is out of rotation after repeated failures");
            }
            catch (OperationCanceledException) when (!f.Ctx.RequestAborted.IsCancellationRequested)
            {
                // The route's time budget ran out while waiting to retry.
                return AttemptResult.Failed(AttemptErrors.Timeout, "the route's time budget ran out", mayMoveOn: false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        finally
        {
            upstreamBody?.Dispose();
        }
    }

    /// <summary>Why a target does not take the request: passed over for the next target, or (a plain model) an error for the client.</summary>
    readonly record struct Refusal(AttemptResult? Skip, ClientError Error);

    /// <summary>Chooses whose provider key pays and writes the upstream body; null when the target can take the request.</summary>
    static Refusal? Prepare(AdmittedRequest f, CatalogModel target, IProviderAdapter adapter, out string? apiKey, out PooledBuffer? upstreamBody)
    {
        var trace = f.Trace;
        apiKey = null;
        upstreamBody = null;
        if (trace.Operation == Operation.Embeddings && !adapter.SupportsEmbeddings)
        {
            return f.Route.IsSingle
                ? new Refusal(null, new(400, $"The model '{target.PublicId}' does not support embeddings.", ErrorTypes.InvalidRequest, "operation_not_supported", "model"))
                : new Refusal(Skip(trace, target, AttemptErrors.Unsupported, $"'{target.PublicId}' does not support embeddings"), default);
        }
        if (!UpstreamCredentials.TryChoose(f.Ctx.Request, f.Key, target, f.Snapshot, trace, out apiKey))
        {
            return new Refusal(null, new(403, $"This gateway key may not bring its own provider key ('{UpstreamCredentials.RequestKeyHeader}' header).",
                ErrorTypes.InvalidRequest, "provider_key_not_allowed"));
        }
        upstreamBody = new PooledBuffer(f.OpenAiBody.Length + 256);
        try
        {
            trace.Native = trace.Operation == Operation.Chat && f.Dialect.WriteNativeBody(f.Body.Span, target, adapter, upstreamBody);
            if (trace.Native) return null;
            if (trace.Untranslatable is { } untranslatable) throw untranslatable;
            adapter.WriteBody(f.OpenAiBody.Span, f.Head, target, upstreamBody);
            return null;
        }
        catch (Exception ex) when (ex is TranslationException or KeyNotFoundException or InvalidOperationException or JsonException)
        {
            // A field the provider's format needs is missing or of the wrong JSON type: the request is at fault.
            var (message, param) = ex is TranslationException t
                ? (t.Message, t.Param)
                : ($"The request is not a valid chat completion request: {ex.Message}", null);
            return f.Route.IsSingle
                ? new Refusal(null, new(400, message, ErrorTypes.InvalidRequest, "invalid_value", param))
                : new Refusal(Skip(trace, target, AttemptErrors.Unsupported, $"'{target.PublicId}': {message}"), default);
        }
    }

    static AttemptResult Skip(RequestTrace trace, CatalogModel target, string errorClass, string message)
    {
        var index = trace.Skipped(target, errorClass);
        return new AttemptResult { ErrorClass = errorClass, Message = message, MayMoveOn = true, TrailIndex = index, Target = target };
    }
}
