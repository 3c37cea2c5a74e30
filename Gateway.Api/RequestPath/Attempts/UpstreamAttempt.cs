using System.Diagnostics;
using System.Net.Http.Headers;
using Gateway.Api.Observability;
using Gateway.Api.Providers;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Relay;
using Gateway.Api.RequestPath.Wire;
using Gateway.Api.Routing;
using Gateway.Domain.Requests;
using Gateway.Domain.Routes;

namespace Gateway.Api.RequestPath.Attempts;

/// <summary>
/// One call to one target: sent within the attempt's time limits; a failure read and classed; a stream read up to its
/// first token while it can still fall back. Each call goes on the request's attempt trail.
/// </summary>
public sealed class UpstreamAttempt(UpstreamClient upstream, TargetHealth health, RequestCompletion completion, RequestUsage usage, Caching.CachedRelay cache,
    GatewayOptions options)
{
    static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    public async ValueTask<AttemptResult> SendAsync(Attempting a, CancellationToken budgetToken)
    {
        var (f, target) = (a.F, a.Target);
        var (trace, policy) = (f.Trace, f.Route.Policy);
        var started = Stopwatch.GetTimestamp();
        trace.UpstreamStarted(started);
        var firstByteLimit = Math.Min(policy.FirstTokenTimeoutMs ?? policy.AttemptTimeoutMs, policy.AttemptTimeoutMs);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(budgetToken, a.Deadline);
        if (!f.Route.IsSingle) cancel.CancelAfter(firstByteLimit);

        var content = new ByteArrayContent(a.UpstreamBody.Array, 0, a.UpstreamBody.Length);
        content.Headers.ContentType = JsonContentType;
        var beta = trace.Native ? f.Ctx.Request.Headers["anthropic-beta"].ToString() : null;
        using var request = a.Adapter.CreateRequest(new UpstreamCall(target, trace.Operation, trace.Streamed, a.ApiKey, beta, trace.Native), content);
        var span = GatewayTracing.StartAttempt(trace.Span, GenAi.Operation(trace.Operation), target, trace.AttemptCount + 1, trace.Streamed, request);
        AttemptResult result;
        HttpResponseMessage? response = null;
        try
        {
            response = await upstream.SendAsync(request, cancel.Token);
            trace.UpstreamFirstByteNow();
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                result = await ReadFailureAsync(response, status, a.ApiKey, policy, cancel.Token);
                Release(response, cancel);
            }
            else if (trace.Streamed && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                var relay = new StreamRelay(completion, usage, f.Ctx, trace, f.Head, f.OpenAiBody, f.Body, f.Dialect, trace.Native ? a.Adapter.CreateNativeStreamTranslator(target) : a.Adapter.CreateStreamTranslator(target), response, cache);
                (string ErrorClass, string Message)? broken;
                try { broken = await relay.PrimeAsync(cancel.Token); }
                catch
                {
                    relay.Dispose(); // its pooled buffers go back to the pool
                    throw;
                }
                result = Primed(relay, broken, response, cancel, a, status);
            }
            else result = Served(response, cancel, status, !f.Route.IsSingle);
        }
        catch (OperationCanceledException) when (!f.Ctx.RequestAborted.IsCancellationRequested)
        {
            Release(response, cancel);
            result = TimedOut(a, budgetToken, firstByteLimit);
        }
        catch (HttpRequestException ex)
        {
            Release(response, cancel);
            result = AttemptResult.Failed(AttemptErrors.Unreachable, $"Provider '{target.Provider.Name}' could not be reached ({Describe(ex)}).", null, policy.OnServerError);
        }
        catch
        {
            Release(response, cancel);
            throw;
        }
        return OnTrail(a, result, started, span);
    }

    static void Release(HttpResponseMessage? response, CancellationTokenSource cancel)
    {
        response?.Dispose();
        cancel.Dispose();
    }

    /// <summary>A whole answer to relay: no time limit on reading it beyond the request's deadline.</summary>
    static AttemptResult Served(HttpResponseMessage response, CancellationTokenSource cancel, int status, bool timed)
    {
        if (timed) cancel.CancelAfter(Timeout.Infinite);
        return new AttemptResult { Response = response, Cancellation = cancel, Status = status };
    }

    /// <summary>A stream read up to its first token: passed on, or (broken before it) a failure the route may fall back from.</summary>
    static AttemptResult Primed(StreamRelay relay, (string ErrorClass, string Message)? broken, HttpResponseMessage response, CancellationTokenSource cancel,
        Attempting a, int status)
    {
        if (broken is { } why)
        {
            relay.Dispose();
            Release(response, cancel);
            return AttemptResult.Failed(why.ErrorClass, $"Provider '{a.Target.Provider.Name}' {why.Message}.", status, a.F.Route.Policy.OnServerError);
        }
        if (!a.F.Route.IsSingle) cancel.CancelAfter(Timeout.Infinite); // (a single target's source has no timer to stop)
        return new PrimedStream { Response = response, Relay = relay, Cancellation = cancel, Status = status };
    }

    /// <summary>No answer (or first token) in time: too slow for the route's first-token limit, or out of time altogether.</summary>
    AttemptResult TimedOut(Attempting a, CancellationToken budgetToken, int firstByteLimit)
    {
        var (f, policy, provider) = (a.F, a.F.Route.Policy, a.Target.Provider.Name);
        var slow = policy.FirstTokenTimeoutMs is not null && !budgetToken.IsCancellationRequested && !a.Deadline.IsCancellationRequested;
        return slow
            ? AttemptResult.Failed(AttemptErrors.SlowFirstToken,
                $"Provider '{provider}' sent no {(f.Trace.Streamed ? "first token" : "answer")} within {firstByteLimit} ms.", null, policy.OnTimeout)
            : AttemptResult.Failed(AttemptErrors.Timeout,
                $"Provider '{provider}' did not answer within {(f.Route.IsSingle ? options.UpstreamTimeout.TotalMilliseconds : firstByteLimit):0} ms.", null, policy.OnTimeout);
    }

    /// <summary>Puts the call on the trail, with whether the route may retry it on the same target.</summary>
    AttemptResult OnTrail(Attempting a, AttemptResult result, long started, Activity? span)
    {
        var (trace, target, policy) = (a.F.Trace, a.Target, a.F.Route.Policy);
        result.Target = target;
        result.CanRetry = RouteFailures.MayRetry(result.ErrorClass, result.MayMoveOn, trace.AttemptCount, policy.MaxAttempts, result.RetryAfter);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (result.Served) health.For(target).Observe(elapsed);
        result.TrailIndex = trace.Attempted(target, result.Status, result.ErrorClass, Math.Round(elapsed.TotalMilliseconds, 3), span);
        return result;
    }

    /// <summary>Reads a failed upstream answer: what it said, and whether the route may move on from it.</summary>
    static async Task<AttemptResult> ReadFailureAsync(HttpResponseMessage response, int status, string? apiKey, RoutePolicy policy, CancellationToken ct)
    {
        var error = new UpstreamError(null, null, null);
        try
        {
            using var errorBytes = new PooledBuffer(4096);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            await errorBytes.ReadFromAsync(stream, 64 * 1024, ct);
            error = UpstreamErrors.Read(errorBytes.Span, apiKey);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            // The status alone is enough to answer.
        }
        var retryAfter = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.RetryAfter?.Date is { } at ? at - DateTimeOffset.UtcNow : (TimeSpan?)null)
            ?? error.RetryAfter;
        var (errorClass, mayMoveOn) = RouteFailures.OfStatus(status, policy);
        return new AttemptResult
        {
            Status = status, ErrorClass = errorClass, Message = error.Message, Code = error.Code,
            RetryAfter = retryAfter is { } d && d > TimeSpan.Zero ? d : (TimeSpan?)null, MayMoveOn = mayMoveOn,
        };
    }

    static string Describe(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.ConnectionError => "connection refused or reset",
        HttpRequestError.NameResolutionError => "host name not resolved",
        HttpRequestError.SecureConnectionError => "TLS handshake failed",
        HttpRequestError.ResponseEnded => "connection closed before a response",
        _ => ex.HttpRequestError.ToString(),
    };
}
