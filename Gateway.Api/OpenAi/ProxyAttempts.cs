using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Api.ControlPlane;
using Gateway.Api.Providers;
using Gateway.Api.Routing;
using Gateway.Domain.Requests;
using Polly;
using Polly.CircuitBreaker;

namespace Gateway.Api.OpenAi;

/// <summary>One request on its way upstream: what it asked for and where it may go.</summary>
public sealed record Forwarding(
    HttpContext Ctx, RequestTrace Trace, ClientDialect Dialect, RequestHead Head, PooledBuffer Body, ReadOnlyMemory<byte> OpenAiBody,
    CompiledRoute Route, GatewayKey Key, ControlPlaneSnapshot Snapshot);

/// <summary>
/// The attempt loop: the route's targets in order (balanced within a tier), each behind its circuit breaker and
/// the route's retry policy (Polly), until one serves or the route runs out of targets, attempts or time.
/// Every attempt goes on the request's record with why the gateway moved on.
/// </summary>
public sealed partial class Proxy
{
    static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    TargetHealth Health => health;

    async Task ForwardAsync(Forwarding f)
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
                if (trace.Attempts.Count >= policy.MaxAttempts || budgetToken.IsCancellationRequested) break;
                last?.Dispose();
                last = await TryTargetAsync(f, target, budgetToken, deadline.Token);
                if (last is null) return; // answered already (a refusal that is the request's own fault)
                if (last.Served)
                {
                    await ServeAsync(f, last, deadline.Token);
                    return;
                }
                if (!last.MayMoveOn) break;
                if (trace.Attempts.Count > 0 && last.TrailIndex >= 0) SetOutcome(trace, last.TrailIndex, "fell_back");
            }
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            last?.Dispose();
            trace.UpstreamEnd = Stopwatch.GetTimestamp();
            await CommitAsync(trace, 499, "client_closed_request", f.Body.Span, default);
            return;
        }
        using (last)
        {
            if (trace.Attempts.Count > 0) SetOutcome(trace, trace.Attempts.Count - 1, "failed");
            trace.UpstreamEnd = Stopwatch.GetTimestamp();
            await FailAllAsync(f, last, budget is not null && budget.IsCancellationRequested && !deadline.IsCancellationRequested);
        }
    }

    /// <summary>Prepares and makes the attempts on one target (retries included); null when the request was answered.</summary>
    async Task<AttemptResult?> TryTargetAsync(Forwarding f, CatalogModel target, CancellationToken budgetToken, CancellationToken deadlineToken)
    {
        var (ctx, trace) = (f.Ctx, f.Trace);
        if (!target.Enabled) return Skip(trace, target, AttemptResult.Disabled, $"'{target.PublicId}' is disabled");
        var adapter = adapters.For(target.Provider.Kind);
        if (trace.Operation == Operation.Embeddings && !adapter.SupportsEmbeddings)
        {
            if (f.Route.IsSingle)
            {
                await FailAsync(ctx, trace, f.Dialect, f.Body, 400, $"The model '{target.PublicId}' does not support embeddings.",
                    OpenAiError.InvalidRequest, "operation_not_supported", "model");
                return null;
            }
            return Skip(trace, target, AttemptResult.Unsupported, $"'{target.PublicId}' does not support embeddings");
        }
        if (!UpstreamCredentials.TryChoose(ctx.Request, f.Key, target, f.Snapshot, trace, out var apiKey))
        {
            await FailAsync(ctx, trace, f.Dialect, f.Body, 403,
                $"This gateway key may not bring its own provider key ('{UpstreamCredentials.RequestKeyHeader}' header).",
                OpenAiError.InvalidRequest, "provider_key_not_allowed");
            return null;
        }
        PooledBuffer? upstreamBody = new PooledBuffer(f.OpenAiBody.Length + 256);
        try
        {
            try
            {
                adapter.WriteBody(f.OpenAiBody.Span, f.Head, target, upstreamBody);
            }
            catch (Exception ex) when (ex is TranslationException or KeyNotFoundException or InvalidOperationException or JsonException)
            {
                // A field the provider's format needs is missing or of the wrong JSON type: the request is at fault.
                var (message, param) = ex is TranslationException t
                    ? (t.Message, t.Param)
                    : ($"The request is not a valid chat completion request: {ex.Message}", null);
                if (!f.Route.IsSingle) return Skip(trace, target, AttemptResult.Unsupported, $"'{target.PublicId}': {message}");
                await FailAsync(ctx, trace, f.Dialect, f.Body, 400, message, OpenAiError.InvalidRequest, "invalid_value", param);
                return null;
            }

            var attempt = new Attempting(this, f, target, adapter, apiKey, upstreamBody, deadlineToken);
            var context = ResilienceContextPool.Shared.Get(budgetToken);
            try
            {
                var result = await f.Route.Retries.ExecuteAsync(
                    static (ResilienceContext c, Attempting a) => a.Proxy.Health.For(a.Target).Breaker.ExecuteAsync(
                        static (ResilienceContext inner, Attempting state) => state.Proxy.AttemptOnceAsync(state, inner.CancellationToken), c, a),
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
                return Skip(trace, target, AttemptResult.CircuitOpen, $"'{target.PublicId}' is out of rotation after repeated failures");
            }
            catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
            {
                // The route's time budget ran out while waiting to retry.
                return AttemptResult.Failed(AttemptResult.Timeout, "the route's time budget ran out", mayMoveOn: false);
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

    static AttemptResult Skip(RequestTrace trace, CatalogModel target, string errorClass, string message)
    {
        trace.Attempts.Add(new Attempt(target.PublicId, target.Provider.Id, null, errorClass, 0, "fell_back"));
        return new AttemptResult { ErrorClass = errorClass, Message = message, MayMoveOn = true, TrailIndex = trace.Attempts.Count - 1, Target = target };
    }

    static void SetOutcome(RequestTrace trace, int index, string outcome) => trace.Attempts[index] = trace.Attempts[index] with { Outcome = outcome };

    /// <summary>Everything one attempt on one target needs; the state Polly hands back to the attempt callback.</summary>
    sealed record Attempting(Proxy Proxy, Forwarding F, CatalogModel Target, IProviderAdapter Adapter, string? ApiKey,
        PooledBuffer UpstreamBody, CancellationToken Deadline);

    async ValueTask<AttemptResult> AttemptOnceAsync(Attempting a, CancellationToken budgetToken)
    {
        var (f, target) = (a.F, a.Target);
        var (ctx, trace, policy) = (f.Ctx, f.Trace, f.Route.Policy);
        var started = Stopwatch.GetTimestamp();
        if (trace.UpstreamStart == 0) trace.UpstreamStart = started;
        var firstByteLimit = Math.Min(policy.FirstTokenTimeoutMs ?? policy.AttemptTimeoutMs, policy.AttemptTimeoutMs);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(budgetToken, a.Deadline);
        if (!f.Route.IsSingle) cancel.CancelAfter(firstByteLimit);

        var content = new ByteArrayContent(a.UpstreamBody.Array, 0, a.UpstreamBody.Length);
        content.Headers.ContentType = JsonContentType;
        using var request = a.Adapter.CreateRequest(new UpstreamCall(target, trace.Operation, trace.Streamed, a.ApiKey), content);
        AttemptResult result;
        HttpResponseMessage? response = null;
        try
        {
            response = await upstream.SendAsync(request, cancel.Token);
            trace.UpstreamFirstByte = Stopwatch.GetTimestamp();
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                result = await ReadFailureAsync(response, status, a.ApiKey, policy, cancel.Token);
                response.Dispose();
                cancel.Dispose();
            }
            else if (trace.Streamed && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                var relay = new StreamRelay(this, ctx, trace, f.Head, f.OpenAiBody, f.Body, f.Dialect, a.Adapter.CreateStreamTranslator(target), response);
                var broken = await relay.PrimeAsync(cancel.Token);
                if (broken is { } why)
                {
                    relay.Dispose();
                    response.Dispose();
                    cancel.Dispose();
                    result = AttemptResult.Failed(why.ErrorClass, $"Provider '{target.Provider.Name}' {why.Message}.", status, policy.OnServerError);
                }
                else
                {
                    cancel.CancelAfter(Timeout.Infinite);
                    result = new AttemptResult { Response = response, Relay = relay, Cancellation = cancel, Status = status };
                }
            }
            else
            {
                cancel.CancelAfter(Timeout.Infinite);
                result = new AttemptResult { Response = response, Cancellation = cancel, Status = status };
            }
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            response?.Dispose();
            cancel.Dispose();
            var slow = policy.FirstTokenTimeoutMs is not null && !budgetToken.IsCancellationRequested && !a.Deadline.IsCancellationRequested;
            result = slow
                ? AttemptResult.Failed(AttemptResult.SlowFirstToken,
                    $"Provider '{target.Provider.Name}' sent no {(trace.Streamed ? "first token" : "answer")} within {firstByteLimit} ms.", null, policy.OnTimeout)
                : AttemptResult.Failed(AttemptResult.Timeout,
                    $"Provider '{target.Provider.Name}' did not answer within {(f.Route.IsSingle ? options.UpstreamTimeout.TotalMilliseconds : firstByteLimit):0} ms.", null, policy.OnTimeout);
        }
        catch (HttpRequestException ex)
        {
            response?.Dispose();
            cancel.Dispose();
            result = AttemptResult.Failed(AttemptResult.Unreachable, $"Provider '{target.Provider.Name}' could not be reached ({Describe(ex)}).", null, policy.OnServerError);
        }
        catch
        {
            response?.Dispose();
            cancel.Dispose();
            throw;
        }

        result.Target = target;
        result.CanRetry = result is { MayMoveOn: true, ErrorClass: not AttemptResult.ClientError }
            && trace.Attempts.Count + 1 < policy.MaxAttempts
            && (result.RetryAfter ?? TimeSpan.Zero) <= CompiledRoute.LongestRetryWait;
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (result.Served) health.For(target).Observe(elapsed);
        trace.UpstreamStatus = result.Status;
        trace.Attempts.Add(new Attempt(target.PublicId, target.Provider.Id, result.Status, result.ErrorClass,
            Math.Round(elapsed.TotalMilliseconds, 3), result.Served ? "served" : "retried"));
        result.TrailIndex = trace.Attempts.Count - 1;
        return result;
    }

    /// <summary>Reads a failed upstream answer: what it said, and whether the route may move on from it.</summary>
    static async Task<AttemptResult> ReadFailureAsync(HttpResponseMessage response, int status, string? apiKey, Domain.Routes.RoutePolicy policy, CancellationToken ct)
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
        var (errorClass, mayMoveOn) = status switch
        {
            429 => (AttemptResult.RateLimited, policy.OnRateLimit),
            408 or 504 => (AttemptResult.Timeout, policy.OnTimeout),
            >= 500 => (AttemptResult.ServerError, policy.OnServerError),
            // The request's own fault (bad content, refused credential): another target would refuse it too.
            _ => (AttemptResult.ClientError, false),
        };
        return new AttemptResult
        {
            Status = status, ErrorClass = errorClass, Message = error.Message, Code = error.Code,
            RetryAfter = retryAfter is { } d && d > TimeSpan.Zero ? d : (TimeSpan?)null, MayMoveOn = mayMoveOn,
        };
    }

    async Task ServeAsync(Forwarding f, AttemptResult served, CancellationToken deadlineToken)
    {
        using var _ = served;
        var (ctx, trace) = (f.Ctx, f.Trace);
        var target = served.Target!;
        trace.Model = target;
        ctx.Response.Headers["x-gateway-model"] = target.PublicId;
        ctx.Response.Headers["x-gateway-attempts"] = trace.Attempts.Count.ToString(CultureInfo.InvariantCulture);
        if (served.Relay is { } relay)
        {
            await relay.RunAsync(served.Cancellation!.Token);
            return;
        }
        await RelayBufferedAsync(f, adapters.For(target.Provider.Kind), served.Response!, served.Cancellation!.Token);
    }

    /// <summary>No target served: one error in the client's format, from the last attempt, naming every attempt when there were several.</summary>
    async Task FailAllAsync(Forwarding f, AttemptResult? last, bool budgetSpent)
    {
        var (ctx, trace, dialect, body) = (f.Ctx, f.Trace, f.Dialect, f.Body);
        ctx.Response.Headers["x-gateway-attempts"] = trace.Attempts.Count.ToString(CultureInfo.InvariantCulture);
        var provider = last?.Target?.Provider.Name;
        var summary = trace.Attempts.Count <= 1 && f.Route.IsSingle
            ? null
            : $"{(trace.Route is null ? "" : $"Route '{trace.Route}': ")}{(budgetSpent ? "its time budget ran out after " : "")}all {trace.Attempts.Count} attempts failed ({string.Join("; ", trace.Attempts.Select(x => $"{x.Model}: {x.ErrorClass}{(x.Status is { } s ? $" {s}" : "")}"))}). ";
        var suffix = last?.Message is { } m && last.ErrorClass is AttemptResult.RateLimited or AttemptResult.ServerError or AttemptResult.ClientError ? $": {m}" : "";
        var named = provider is null ? "The provider" : $"Provider '{provider}'";

        if (last?.RetryAfter is { } retryAfter && last.ErrorClass is AttemptResult.RateLimited or AttemptResult.ServerError)
            ctx.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

        var (status, message, type, code) = (last?.ErrorClass, last?.Status) switch
        {
            (AttemptResult.RateLimited, _) => (429, $"{named} is rate limiting requests{suffix}", OpenAiError.RateLimitType, "rate_limit_exceeded"),
            (AttemptResult.ClientError, 401 or 403) => (502, $"{named} refused the credential (HTTP {last!.Status}).", OpenAiError.UpstreamType, "upstream_auth_failed"),
            (AttemptResult.ClientError, { } s) => (s, $"{named} rejected the request{suffix}", OpenAiError.InvalidRequest, last!.Code ?? "upstream_rejected"),
            (AttemptResult.ServerError, 503 or 529) => (503, $"{named} is overloaded or unavailable (HTTP {last!.Status}){suffix}", OpenAiError.UpstreamType, "upstream_overloaded"),
            (AttemptResult.ServerError, { } s) => (502, $"{named} failed with HTTP {s}{suffix}", OpenAiError.UpstreamType, "upstream_error"),
            (AttemptResult.Timeout, { } s) => (504, $"{named} timed out (HTTP {s}){suffix}", OpenAiError.UpstreamType, "upstream_timeout"),
            (AttemptResult.Timeout or AttemptResult.SlowFirstToken, _) => (504, last!.Message ?? "The provider timed out.", OpenAiError.UpstreamType, "upstream_timeout"),
            (AttemptResult.Unreachable, _) => (502, last!.Message!, OpenAiError.UpstreamType, "upstream_unreachable"),
            (AttemptResult.StreamBroken, _) => (502, last!.Message!, OpenAiError.UpstreamType, "stream_interrupted"),
            (AttemptResult.CircuitOpen, _) => (503, last!.Message! + ".", OpenAiError.UpstreamType, "circuit_open"),
            _ => (503, "No target of this route is available.", OpenAiError.UpstreamType, "no_target_available"),
        };
        await FailAsync(ctx, trace, dialect, body, status, summary + message, type, code);
    }
}
