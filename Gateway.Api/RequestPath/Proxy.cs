using System.Diagnostics;
using Gateway.Api.ControlPlane;
using Gateway.Api.Observability;
using Gateway.Api.OpenAi;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Attempts;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.RequestPath;

/// <summary>
/// The request path for /v1/chat/completions, /v1/embeddings and /v1/messages, one request top to bottom: admission
/// (key, body, model, scope, limits, budget), attempts (the route's targets, retries, breakers, fallback), relay
/// (buffered or streamed) and completion (the record made durable, the budget settled) before the answer completes.
/// Each step answers what ends the request there itself; what is left here is the order and the faults.
/// </summary>
public sealed class Proxy(
    ControlPlaneViews views,
    RequestAdmission admission,
    RouteAttempts attempts,
    RequestCompletion completion,
    Caching.CachedRelay cache,
    GatewayOptions options,
    TimeProvider time,
    ILogger<Proxy> logger)
{
    public Task ChatAsync(HttpContext ctx) => HandleAsync(ctx, Operation.Chat, OpenAiDialect.Instance);

    public Task EmbeddingsAsync(HttpContext ctx) => HandleAsync(ctx, Operation.Embeddings, OpenAiDialect.Instance);

    /// <summary>Any inbound wire format: the dialect translates the client's body to OpenAI's format and the answer back.</summary>
    public async Task HandleAsync(HttpContext ctx, Operation operation, ClientDialect dialect)
    {
        var startTimestamp = Stopwatch.GetTimestamp();
        var snapshot = views.Current;
        using var span = GatewayTracing.StartRequest(ctx.Request, GenAi.Operation(operation));
        // 1. Admission: the key, in memory.
        if (!GatewayKeyAuth.TryAuthenticate(ctx.Request, snapshot, time.GetUtcNow(), out var key))
        {
            await RequestAdmission.RefuseKeyAsync(ctx, dialect, time);
            span?.SetTag(GenAi.HttpStatusCode, ctx.Response.StatusCode);
            span?.SetStatus(ActivityStatusCode.Error);
            return;
        }
        var startedAt = time.GetUtcNow();
        var trace = new RequestTrace(Guid.CreateVersion7(startedAt), key, operation, startTimestamp, startedAt);
        trace.Traced(span);
        trace.Dialect = dialect;
        dialect.Bind(trace.RequestId, startedAt);
        using var logScope = options.JsonLogs ? logger.BeginScope(new RequestLogScope(trace.RequestId)) : null;
        ctx.Response.Headers[RequestIdHeader.Name] = trace.RequestId.ToString();

        using var body = new PooledBuffer((int)Math.Clamp(ctx.Request.ContentLength ?? 4096, 256, options.MaxRequestBodyBytes + 1));
        try
        {
            // 2. Admission: the body read whole, then checked, translated, routed, limited and reserved for.
            var read = await RequestBody.ReadAsync(ctx, body, options);
            if (read == BodyRead.ClientLeft)
            {
                await completion.ClientLeftAsync(trace, body.Span);
                return;
            }
            if (read == BodyRead.Complete && await dialect.PrepareAsync(body.Memory, key, ctx.RequestAborted) is { } unprepared)
            {
                await completion.FailAsync(ctx, trace, dialect, body, unprepared);
                return;
            }
            using var admitted = admission.Admit(ctx, read, dialect, snapshot, key, trace, body, out var refusal);
            if (admitted is null)
            {
                await completion.FailAsync(ctx, trace, dialect, body, refusal);
                return;
            }
            if (await admission.LimitAndReserveAsync(admitted) is { } exhausted)
            {
                await completion.FailAsync(ctx, trace, dialect, body, exhausted);
                return;
            }
            try
            {
                // 3. Attempts until a target serves (unless the response cache has the answer), 4. its answer relayed,
                // 5. completion: recorded and settled.
                if (!await cache.TryServeAsync(admitted)) await attempts.ForwardAsync(admitted);
            }
            finally
            {
                // Every reservation ends: settled with the request's record, or released here if something cut it short.
                trace.Reservation?.Settle(trace.RequestId, 0);
                cache.EndLead(trace);
            }
        }
        catch (Exception) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client left (a write to it failed, or a wait was cancelled): nothing to answer. A request already
            // recorded keeps its one record; one that was not gets its 499.
            await completion.ClientLeftAsync(trace, body.Span);
        }
        catch (Exception ex) when (!ctx.Response.HasStarted)
        {
            // A fault of the gateway itself, or a record that could not be made durable. The details go to the log only:
            // the exception's type and stack, never its message, which could quote the request.
            logger.LogError("Request {RequestId} failed inside the gateway: {Exception}{Stack}", trace.RequestId, ex.GetType().FullName, ex.StackTrace);
            await completion.GatewayFaultAsync(ctx, trace, dialect, body);
        }
        catch (Exception ex)
        {
            // The answer had started when writing it failed: nothing more can be said to the client; the request keeps
            // (or gets) its one record.
            logger.LogWarning("Request {RequestId} failed after its answer had started: {Exception}", trace.RequestId, ex.GetType().FullName);
            await completion.CommitAsync(trace, 502, "stream_interrupted", body.Span, default);
        }
    }
}
