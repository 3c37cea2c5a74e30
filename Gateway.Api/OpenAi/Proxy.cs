using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Api.ControlPlane;
using Gateway.Api.Providers;
using Gateway.Api.Recording;
using Gateway.Api.Routing;
using Gateway.Domain.Requests;

namespace Gateway.Api.OpenAi;

/// <summary>
/// The hot path for /v1/chat/completions and /v1/embeddings: authenticate against the in-memory key view,
/// read and check the body, resolve the catalog model, call the upstream, relay the answer with the
/// public model name, and complete the response only once the request's record is durable.
/// </summary>
public sealed partial class Proxy(
    ControlPlaneViews views,
    ProviderAdapters adapters,
    UpstreamClient upstream,
    UsageRecorder recorder,
    UsageEstimator estimator,
    GatewayOptions options,
    TargetHealth health,
    Budgets.BudgetGate budgets,
    Limits.RateLimits limits,
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
        if (!GatewayKeyAuth.TryAuthenticate(ctx.Request, snapshot, time.GetUtcNow(), out var key))
        {
            RequestIdHeader.Stamp(ctx, time);
            ctx.Response.StatusCode = 401;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.Body.WriteAsync(dialect.Error(401, dialect.InvalidKeyMessage, OpenAiError.InvalidRequest, "invalid_api_key"), ctx.RequestAborted);
            return;
        }

        var startedAt = time.GetUtcNow();
        var trace = new RequestTrace(Guid.CreateVersion7(startedAt), key, operation, startTimestamp, startedAt);
        ctx.Response.Headers["x-request-id"] = trace.RequestId.ToString();

        using var body = new PooledBuffer((int)Math.Clamp(ctx.Request.ContentLength ?? 4096, 256, options.MaxRequestBodyBytes + 1));
        try
        {
            switch (await ReadBodyAsync(ctx, body))
            {
                case BodyRead.TooLarge:
                    await FailAsync(ctx, trace, dialect, body, 413, $"The request body is larger than the limit of {options.MaxRequestBodyBytes} bytes.",
                        OpenAiError.InvalidRequest, "request_too_large");
                    return;
                case BodyRead.TimedOut:
                    // A body that stalls or never ends: the client is still there, so it gets an answer in its format.
                    ctx.Response.Headers.Connection = "close";
                    await FailAsync(ctx, trace, dialect, body, 408, $"The request body did not arrive in time (all of it within {options.RequestBodyTimeout.TotalSeconds:0} s, at a steady minimum rate).",
                        OpenAiError.InvalidRequest, "request_timeout");
                    return;
                case BodyRead.Malformed:
                    ctx.Response.Headers.Connection = "close";
                    await FailAsync(ctx, trace, dialect, body, 400, "The request body's HTTP framing is malformed (chunk sizes or lengths do not add up).",
                        OpenAiError.InvalidRequest, "invalid_request");
                    return;
                case BodyRead.ClientLeft:
                    await CommitAsync(trace, 499, "client_closed_request", body.Span, default);
                    return;
            }
            if (BodyText.Problem(body.Span) is { } problem)
            {
                await FailAsync(ctx, trace, dialect, body, 400, problem, OpenAiError.InvalidRequest, "invalid_json");
                return;
            }
            await ServeAsync(ctx, operation, dialect, snapshot, key, trace, body);
        }
        catch (Exception) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client left (a write to it failed, or a wait was cancelled): nothing to answer. A request already
            // recorded keeps its one record; one that was not gets its 499.
            if (!trace.Recorded) await CommitAsync(trace, 499, "client_closed_request", body.Span, default);
        }
        catch (Exception ex) when (!ctx.Response.HasStarted)
        {
            // A fault of the gateway itself, or a record that could not be made durable: the request is recorded if it
            // was not yet (nothing is lost), the client gets its format's error with the request id, and the details go to
            // the log only — the exception's type and stack, never its message, which could quote the request.
            logger.LogError("Request {RequestId} failed inside the gateway: {Exception}{Stack}", trace.RequestId, ex.GetType().FullName, ex.StackTrace);
            ctx.Response.Clear();
            ctx.Response.Headers["x-request-id"] = trace.RequestId.ToString();
            if (trace.Recorded)
            {
                var error = dialect.Error(503, $"The gateway could not record this request (request id {trace.RequestId}); it was not completed.",
                    OpenAiError.ServerType, "recording_failed");
                ctx.Response.StatusCode = 503;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.Body.WriteAsync(error, ctx.RequestAborted);
                return;
            }
            await FailAsync(ctx, trace, dialect, body, 500, $"The gateway failed while handling this request (request id {trace.RequestId}).",
                OpenAiError.ServerType, "internal_error");
        }
        catch (Exception ex)
        {
            // The answer had started when writing it failed: nothing more can be said to the client; the request keeps
            // (or gets) its one record.
            logger.LogWarning("Request {RequestId} failed after its answer had started: {Exception}", trace.RequestId, ex.GetType().FullName);
            if (!trace.Recorded) await CommitAsync(trace, 502, "stream_interrupted", body.Span, default);
        }
    }

    enum BodyRead { Complete, TooLarge, TimedOut, Malformed, ClientLeft }

    /// <summary>Reads the whole body within <see cref="GatewayOptions.RequestBodyTimeout"/>.</summary>
    async Task<BodyRead> ReadBodyAsync(HttpContext ctx, PooledBuffer body)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        timeout.CancelAfter(options.RequestBodyTimeout);
        try
        {
            return await body.ReadFromAsync(ctx.Request.Body, options.MaxRequestBodyBytes, timeout.Token) ? BodyRead.Complete : BodyRead.TooLarge;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            return BodyRead.TimedOut; // Kestrel's minimum request body data rate
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            return BodyRead.TimedOut;
        }
        catch (BadHttpRequestException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            return BodyRead.Malformed; // bad chunk framing, a body shorter than its Content-Length…
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            return BodyRead.ClientLeft;
        }
    }

    /// <summary>Everything after authentication and reading the body: check, route, reserve, forward.</summary>
    async Task ServeAsync(HttpContext ctx, Operation operation, ClientDialect dialect, ControlPlaneSnapshot snapshot, GatewayKey key,
        RequestTrace trace, PooledBuffer body)
    {
        using var translated = new PooledBuffer(dialect is OpenAiDialect ? 1 : body.Length + 256);
        RequestHead head;
        ReadOnlyMemory<byte> openAiBody;
        try
        {
            openAiBody = dialect.TranslateRequest(body.Span, translated) ? translated.Memory : body.Memory;
            head = RequestHead.Parse(openAiBody.Span, operation);
        }
        catch (JsonException ex)
        {
            await FailAsync(ctx, trace, dialect, body, 400, $"The request body is not valid JSON ({TrimJsonMessage(ex.Message)}).",
                OpenAiError.InvalidRequest, "invalid_json");
            return;
        }
        catch (TranslationException ex)
        {
            await FailAsync(ctx, trace, dialect, body, 400, ex.Message, OpenAiError.InvalidRequest, "invalid_value", ex.Param);
            return;
        }
        if (head.TypeError is not null)
        {
            await FailAsync(ctx, trace, dialect, body, 400, head.TypeError, OpenAiError.InvalidRequest, "invalid_type", head.TypeErrorParam);
            return;
        }
        var validation = RequestHeadValidator.Instance.Validate(head);
        if (!validation.IsValid)
        {
            var first = validation.Errors[0];
            await FailAsync(ctx, trace, dialect, body, 400, first.ErrorMessage, OpenAiError.InvalidRequest, "invalid_value", first.PropertyName);
            return;
        }

        trace.ModelAsked = head.Model!;
        trace.Streamed = head.Stream && operation == Operation.Chat;
        CompiledRoute route;
        if (snapshot.RoutesByName.TryGetValue(head.Model!, out var named))
        {
            route = named;
            trace.Route = named.Name;
        }
        else if (snapshot.ModelsByPublicId.TryGetValue(head.Model!, out var model) && model.Enabled) route = CompiledRoute.Single(model);
        else
        {
            await FailAsync(ctx, trace, dialect, body, 404, $"The model '{head.Model}' does not exist or is not enabled.",
                OpenAiError.InvalidRequest, "model_not_found", "model");
            return;
        }

        if (!key.MayCall(head.Model!))
        {
            await FailAsync(ctx, trace, dialect, body, 403, $"This key may not use the model '{head.Model}'.",
                OpenAiError.InvalidRequest, "model_not_allowed", "model");
            return;
        }
        if (key.HasRateLimits && limits.TryAcquire(key, () => budgets.MostTokens(head, trace, openAiBody.Span)) is { } limited)
        {
            ctx.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(limited.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await FailAsync(ctx, trace, dialect, body, 429, limited.Message, limited.Tokens ? "tokens" : "requests", "rate_limit_exceeded");
            return;
        }

        var (reservation, refusedBy) = budgets.TryReserve(key, route, head, trace, openAiBody.Span);
        if (refusedBy is { OnExhausted: Domain.Budgets.BudgetPolicies.Downgrade, DowngradeModel: { } cheaperId }
            && snapshot.ModelsByPublicId.TryGetValue(cheaperId, out var cheaper) && cheaper.Enabled)
        {
            // Downgrade: the same request on the budget's cheaper model, if that fits every budget.
            var downgraded = CompiledRoute.Single(cheaper);
            (reservation, var stillRefused) = budgets.TryReserve(key, downgraded, head, trace, openAiBody.Span);
            if (stillRefused is null)
            {
                route = downgraded;
                trace.DowngradedBy = refusedBy.Id;
                refusedBy = null;
            }
        }
        if (refusedBy is not null)
        {
            var balance = refusedBy.Account.Balance(time.GetUtcNow());
            if (balance.PeriodEnd is { } end)
                ctx.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling((end - time.GetUtcNow()).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await FailAsync(ctx, trace, dialect, body, 429,
                $"The {refusedBy.Scope} budget {refusedBy.Id} cannot cover this request: {balance.Spent:0.######} of {balance.Limit:0.######} USD spent" +
                $" and {balance.Reserved:0.######} reserved this {refusedBy.Account.Period} period{(balance.PeriodEnd is { } e ? $"; it resets at {e:O}" : "")}.",
                "insufficient_quota", "insufficient_quota");
            return;
        }
        trace.Reservation = reservation;
        try
        {
            await ForwardAsync(new Forwarding(ctx, trace, dialect, head, body, openAiBody, route, key, snapshot));
        }
        finally
        {
            // Every reservation ends: settled with the request's record, or released here if something cut it short.
            reservation?.Settle(trace.RequestId, 0);
        }
    }

    async Task RelayBufferedAsync(Forwarding f, IProviderAdapter adapter, HttpResponseMessage response, CancellationToken ct)
    {
        var (ctx, trace, dialect, body, openAiBody) = (f.Ctx, f.Trace, f.Dialect, f.Body, f.OpenAiBody);
        var model = trace.Model!;
        using var upstreamBytes = new PooledBuffer(16 * 1024);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            if (!await upstreamBytes.ReadFromAsync(stream, options.MaxUpstreamResponseBytes, ct))
            {
                trace.UpstreamEnd = Stopwatch.GetTimestamp();
                await FailAsync(ctx, trace, dialect, body, 502, $"Provider '{model.Provider.Name}' sent a response larger than {options.MaxUpstreamResponseBytes} bytes.",
                    OpenAiError.UpstreamType, "upstream_response_too_large");
                return;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            trace.UpstreamEnd = Stopwatch.GetTimestamp();
            if (ctx.RequestAborted.IsCancellationRequested)
            {
                await CommitAsync(trace, 499, "client_closed_request", body.Span, default);
                return;
            }
            var timedOut = ex is OperationCanceledException;
            await FailAsync(ctx, trace, dialect, body, timedOut ? 504 : 502,
                timedOut ? $"Provider '{model.Provider.Name}' did not finish its answer in time." : $"Provider '{model.Provider.Name}' broke off its answer.",
                OpenAiError.UpstreamType, timedOut ? "upstream_timeout" : "upstream_error");
            return;
        }
        trace.UpstreamEnd = Stopwatch.GetTimestamp();

        using var openAi = new PooledBuffer(upstreamBytes.Length + 256);
        TokenUsage? usage;
        try
        {
            usage = adapter.WriteResponse(upstreamBytes.Span, model, openAi);
        }
        catch (Exception ex) when (ex is JsonException or TranslationException or InvalidOperationException or FormatException)
        {
            await FailAsync(ctx, trace, dialect, body, 502, $"Provider '{model.Provider.Name}' sent a response that could not be read ({TrimJsonMessage(ex.Message)}).",
                OpenAiError.UpstreamType, "upstream_invalid_response");
            return;
        }
        if (usage is { } reported) trace.SetUsage(reported);
        else EstimateUsage(trace, f.Head, openAiBody.Span, openAi.Span, streamed: false);

        using var scratch = new PooledBuffer(dialect is OpenAiDialect ? 1 : openAi.Length + 256);
        var output = dialect.TranslateResponse(openAi.Span, scratch) ? scratch.Memory : openAi.Memory;
        await CommitAsync(trace, 200, null, body.Span, output.Span);

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = output.Length;
        await ctx.Response.Body.WriteAsync(output, ctx.RequestAborted);
    }

    /// <summary>
    /// The upstream reported no usage: count both sides with the tokenizer and mark the record estimated. The output
    /// count never passes the request's max_tokens: the provider cannot have generated more, and the budget reserved
    /// no more (our tokenizer may count a provider's text differently).
    /// </summary>
    internal void EstimateUsage(RequestTrace trace, RequestHead head, ReadOnlySpan<byte> requestBody, ReadOnlySpan<byte> answer, bool streamed)
    {
        try
        {
            trace.PromptTokens = budgets.PromptTokens(head, trace, requestBody);
            var completion = trace.Operation == Operation.Embeddings ? 0
                : streamed ? estimator.CountStreamedCompletion(answer) : estimator.CountCompletion(answer);
            trace.CompletionTokens = head.MaxTokens is { } max ? Math.Min(completion, max) : completion;
            trace.TotalTokens = trace.PromptTokens + trace.CompletionTokens;
            trace.UsageEstimated = true;
        }
        catch (JsonException ex)
        {
            logger.LogWarning("Usage of request {RequestId} could not be estimated: {Error}", trace.RequestId, ex.Message);
        }
    }

    /// <summary>Records the failed request, then answers with an error in the client's format.</summary>
    internal async Task FailAsync(HttpContext ctx, RequestTrace trace, ClientDialect dialect, PooledBuffer body, int status, string message,
        string type, string code, string? param = null)
    {
        var error = dialect.Error(status, message, type, code, param);
        if (trace.ModelAsked.Length == 0) trace.ModelAsked = ModelNamed.In(body.Span);
        await CommitAsync(trace, status, code, body.Span, error);
        if (ctx.Response.HasStarted) return;
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(error, ctx.RequestAborted);
    }

    /// <summary>Hands the request's record to the group commit and waits until it is durable.</summary>
    /// <remarks>Once per request: a request that has its record never gets a second one, whatever happens to its response.</remarks>
    internal Task CommitAsync(RequestTrace trace, int status, string? errorCode, ReadOnlySpan<byte> requestBody, ReadOnlySpan<byte> responseBody)
    {
        if (trace.Recorded) return Task.CompletedTask;
        trace.Recorded = true;
        var record = trace.ToEvent(status, errorCode, time.GetUtcNow());
        var (events, messages) = trace.Reservation?.Settle(record.RequestId, record.Cost) ?? ([], []);
        RequestBodies? bodies = null;
        if (options.StoreBodies)
        {
            var max = options.MaxStoredBodyBytes;
            bodies = new RequestBodies(
                trace.RequestId,
                record.KeyId,
                record.TeamId,
                StoredText(requestBody, max),
                requestBody.Length > max,
                StoredText(responseBody, max),
                responseBody.Length > max,
                record.CompletedAt);
        }
        return CommitAsync(record, bodies, events, messages);
    }

    async Task CommitAsync(RequestCompleted record, RequestBodies? bodies, IReadOnlyList<object> events, IReadOnlyList<object> messages)
    {
        if (options.AsyncLedger)
        {
            // The response does not wait: the record is in memory until the next group commit (at most a window
            // away), and a failure to commit it is logged, since nobody is left to answer.
            _ = recorder.RecordAsync(record, bodies, events, messages).ContinueWith(static (done, state) =>
            {
                var (log, id) = ((ILogger, Guid))state!;
                log.LogError("Request {RequestId} could not be recorded: {Error}", id, DatabaseFailure.Describe(done.Exception!.GetBaseException()));
            }, (logger, record.RequestId), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return;
        }
        try
        {
            await recorder.RecordAsync(record, bodies, events, messages);
        }
        catch (Exception ex)
        {
            logger.LogError("Request {RequestId} could not be recorded: {Error}", record.RequestId, DatabaseFailure.Describe(ex));
            throw;
        }
    }

    /// <summary>Bodies are kept as text; PostgreSQL text cannot hold NUL, so any raw NUL byte is replaced.</summary>
    static string StoredText(ReadOnlySpan<byte> bytes, int max)
    {
        var text = Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, max)]);
        return text.Contains('\0') ? text.Replace('\0', '\uFFFD') : text;
    }

    static string TrimJsonMessage(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
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
