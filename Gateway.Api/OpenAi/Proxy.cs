using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Api.ControlPlane;
using Gateway.Api.Providers;
using Gateway.Api.Recording;
using Gateway.Domain.Requests;

namespace Gateway.Api.OpenAi;

/// <summary>
/// The hot path for /v1/chat/completions and /v1/embeddings: authenticate against the in-memory key view,
/// read and check the body, resolve the catalog model, call the upstream, relay the answer with the
/// public model name, and complete the response only once the request's record is durable.
/// </summary>
public sealed class Proxy(
    ControlPlaneViews views,
    ProviderAdapters adapters,
    UpstreamClient upstream,
    UsageRecorder recorder,
    UsageEstimator estimator,
    GatewayOptions options,
    TimeProvider time,
    ILogger<Proxy> logger)
{
    public Task ChatAsync(HttpContext ctx) => HandleAsync(ctx, Operation.Chat);

    public Task EmbeddingsAsync(HttpContext ctx) => HandleAsync(ctx, Operation.Embeddings);

    async Task HandleAsync(HttpContext ctx, Operation operation)
    {
        var startTimestamp = Stopwatch.GetTimestamp();
        var snapshot = views.Current;
        if (!GatewayKeyAuth.TryAuthenticate(ctx.Request, snapshot, out var key))
        {
            await OpenAiError.WriteAsync(ctx, 401, GatewayKeyAuth.InvalidKeyMessage,
                OpenAiError.InvalidRequest, "invalid_api_key");
            return;
        }

        var startedAt = time.GetUtcNow();
        var trace = new RequestTrace(Guid.CreateVersion7(startedAt), key, operation, startTimestamp, startedAt);
        ctx.Response.Headers["x-request-id"] = trace.RequestId.ToString();

        using var body = new PooledBuffer((int)Math.Clamp(ctx.Request.ContentLength ?? 4096, 256, options.MaxRequestBodyBytes + 1));
        try
        {
            if (!await body.ReadFromAsync(ctx.Request.Body, options.MaxRequestBodyBytes, ctx.RequestAborted))
            {
                await FailAsync(ctx, trace, body, 413, $"The request body is larger than the limit of {options.MaxRequestBodyBytes} bytes.",
                    OpenAiError.InvalidRequest, "request_too_large");
                return;
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            await CommitAsync(trace, 499, "client_closed_request", body.Span, default);
            return;
        }

        RequestHead head;
        try
        {
            head = RequestHead.Parse(body.Span, operation);
        }
        catch (JsonException ex)
        {
            await FailAsync(ctx, trace, body, 400, $"The request body is not valid JSON ({TrimJsonMessage(ex.Message)}).",
                OpenAiError.InvalidRequest, "invalid_json");
            return;
        }
        if (head.TypeError is not null)
        {
            await FailAsync(ctx, trace, body, 400, head.TypeError, OpenAiError.InvalidRequest, "invalid_type", head.TypeErrorParam);
            return;
        }
        var validation = RequestHeadValidator.Instance.Validate(head);
        if (!validation.IsValid)
        {
            var first = validation.Errors[0];
            await FailAsync(ctx, trace, body, 400, first.ErrorMessage, OpenAiError.InvalidRequest, "invalid_value", first.PropertyName);
            return;
        }

        trace.ModelAsked = head.Model!;
        trace.Streamed = head.Stream && operation == Operation.Chat;
        if (!snapshot.ModelsByPublicId.TryGetValue(head.Model!, out var model) || !model.Enabled)
        {
            await FailAsync(ctx, trace, body, 404, $"The model '{head.Model}' does not exist or is not enabled.",
                OpenAiError.InvalidRequest, "model_not_found", "model");
            return;
        }
        trace.Model = model;

        await ForwardAsync(ctx, trace, head, body, model);
    }

    async Task ForwardAsync(HttpContext ctx, RequestTrace trace, RequestHead head, PooledBuffer body, CatalogModel model)
    {
        using var upstreamBody = new PooledBuffer(body.Length + 64);
        UpstreamBody.Write(body.Span, head, model.UpstreamModelJson, upstreamBody);
        var content = new ByteArrayContent(upstreamBody.Array, 0, upstreamBody.Length);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        deadline.CancelAfter(options.UpstreamTimeout);
        using var request = adapters.For(model.Provider.Kind).CreateRequest(model.Provider, trace.Operation, content);

        HttpResponseMessage response;
        trace.UpstreamStart = Stopwatch.GetTimestamp();
        try
        {
            response = await upstream.SendAsync(request, deadline.Token);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            trace.UpstreamEnd = Stopwatch.GetTimestamp();
            await CommitAsync(trace, 499, "client_closed_request", body.Span, default);
            return;
        }
        catch (OperationCanceledException)
        {
            trace.UpstreamEnd = Stopwatch.GetTimestamp();
            await FailAsync(ctx, trace, body, 504, $"Provider '{model.Provider.Name}' did not answer within {options.UpstreamTimeout.TotalSeconds:0.#} s.",
                OpenAiError.UpstreamType, "upstream_timeout");
            return;
        }
        catch (HttpRequestException ex)
        {
            trace.UpstreamEnd = Stopwatch.GetTimestamp();
            await FailAsync(ctx, trace, body, 502, $"Provider '{model.Provider.Name}' could not be reached ({Describe(ex)}).",
                OpenAiError.UpstreamType, "upstream_unreachable");
            return;
        }

        using (response)
        {
            trace.UpstreamFirstByte = Stopwatch.GetTimestamp();
            trace.UpstreamStatus = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                await RelayUpstreamErrorAsync(ctx, trace, body, response, deadline.Token);
                return;
            }
            if (trace.Streamed && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                await new StreamRelay(this, ctx, trace, head, body, response, deadline.Token).RunAsync();
                return;
            }
            await RelayBufferedAsync(ctx, trace, body, response, deadline.Token);
        }
    }

    async Task RelayBufferedAsync(HttpContext ctx, RequestTrace trace, PooledBuffer body, HttpResponseMessage response, CancellationToken ct)
    {
        var model = trace.Model!;
        using var upstreamBytes = new PooledBuffer(16 * 1024);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            if (!await upstreamBytes.ReadFromAsync(stream, options.MaxUpstreamResponseBytes, ct))
            {
                trace.UpstreamEnd = Stopwatch.GetTimestamp();
                await FailAsync(ctx, trace, body, 502, $"Provider '{model.Provider.Name}' sent a response larger than {options.MaxUpstreamResponseBytes} bytes.",
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
            await FailAsync(ctx, trace, body, timedOut ? 504 : 502,
                timedOut ? $"Provider '{model.Provider.Name}' did not finish its answer in time." : $"Provider '{model.Provider.Name}' broke off its answer.",
                OpenAiError.UpstreamType, timedOut ? "upstream_timeout" : "upstream_error");
            return;
        }
        trace.UpstreamEnd = Stopwatch.GetTimestamp();

        if (!ResponseScan.TryScan(upstreamBytes.Span, out var scan))
        {
            await FailAsync(ctx, trace, body, 502, $"Provider '{model.Provider.Name}' sent a response that is not a JSON object.",
                OpenAiError.UpstreamType, "upstream_invalid_response");
            return;
        }
        if (scan.HasUsage) trace.SetUsage(scan);
        else EstimateUsage(trace, body.Span, upstreamBytes.Span, streamed: false);

        using var output = new PooledBuffer(upstreamBytes.Length + 64);
        scan.WriteWithModel(upstreamBytes.Span, model.PublicIdJson, output);
        await CommitAsync(trace, 200, null, body.Span, output.Span);

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = output.Length;
        await ctx.Response.Body.WriteAsync(output.Memory, ctx.RequestAborted);
    }

    async Task RelayUpstreamErrorAsync(HttpContext ctx, RequestTrace trace, PooledBuffer body, HttpResponseMessage response, CancellationToken ct)
    {
        var provider = trace.Model!.Provider;
        var upstreamStatus = (int)response.StatusCode;
        string? upstreamMessage = null;
        string? upstreamCode = null;
        try
        {
            using var errorBytes = new PooledBuffer(4096);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            await errorBytes.ReadFromAsync(stream, 64 * 1024, ct);
            (upstreamMessage, upstreamCode) = UpstreamErrors.Read(errorBytes.Span, provider.ApiKey);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            // The status alone is enough to answer.
        }
        trace.UpstreamEnd = Stopwatch.GetTimestamp();

        var suffix = upstreamMessage is null ? "" : $": {upstreamMessage}";
        switch (upstreamStatus)
        {
            case 429:
                if (response.Headers.RetryAfter is { } retryAfter) ctx.Response.Headers.RetryAfter = retryAfter.ToString();
                await FailAsync(ctx, trace, body, 429, $"Provider '{provider.Name}' is rate limiting requests{suffix}",
                    OpenAiError.RateLimitType, "rate_limit_exceeded");
                break;
            case 401 or 403:
                // The gateway's credential was refused: the caller cannot fix that, and the upstream text may quote the key.
                await FailAsync(ctx, trace, body, 502, $"Provider '{provider.Name}' refused the gateway's credential (HTTP {upstreamStatus}).",
                    OpenAiError.UpstreamType, "upstream_auth_failed");
                break;
            case >= 400 and < 500:
                await FailAsync(ctx, trace, body, upstreamStatus, $"Provider '{provider.Name}' rejected the request{suffix}",
                    OpenAiError.InvalidRequest, upstreamCode ?? "upstream_rejected");
                break;
            case 504:
                await FailAsync(ctx, trace, body, 504, $"Provider '{provider.Name}' timed out (HTTP 504){suffix}",
                    OpenAiError.UpstreamType, "upstream_timeout");
                break;
            default:
                await FailAsync(ctx, trace, body, 502, $"Provider '{provider.Name}' failed with HTTP {upstreamStatus}{suffix}",
                    OpenAiError.UpstreamType, "upstream_error");
                break;
        }
    }

    /// <summary>The upstream reported no usage: count both sides with the tokenizer and mark the record estimated.</summary>
    internal void EstimateUsage(RequestTrace trace, ReadOnlySpan<byte> requestBody, ReadOnlySpan<byte> answer, bool streamed)
    {
        try
        {
            trace.PromptTokens = estimator.CountPrompt(requestBody, trace.Operation);
            trace.CompletionTokens = trace.Operation == Operation.Embeddings ? 0
                : streamed ? estimator.CountStreamedCompletion(answer) : estimator.CountCompletion(answer);
            trace.TotalTokens = trace.PromptTokens + trace.CompletionTokens;
            trace.UsageEstimated = true;
        }
        catch (JsonException ex)
        {
            logger.LogWarning("Usage of request {RequestId} could not be estimated: {Error}", trace.RequestId, ex.Message);
        }
    }

    /// <summary>Records the failed request, then answers with an OpenAI-shaped error.</summary>
    internal async Task FailAsync(HttpContext ctx, RequestTrace trace, PooledBuffer body, int status, string message, string type, string code, string? param = null)
    {
        var error = OpenAiError.Serialize(message, type, code, param);
        await CommitAsync(trace, status, code, body.Span, error);
        if (ctx.Response.HasStarted) return;
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(error, ctx.RequestAborted);
    }

    /// <summary>Hands the request's record to the group commit and waits until it is durable.</summary>
    internal Task CommitAsync(RequestTrace trace, int status, string? errorCode, ReadOnlySpan<byte> requestBody, ReadOnlySpan<byte> responseBody)
    {
        var record = trace.ToEvent(status, errorCode, time.GetUtcNow());
        RequestBodies? bodies = null;
        if (options.StoreBodies)
        {
            var max = options.MaxStoredBodyBytes;
            bodies = new RequestBodies(
                trace.RequestId,
                StoredText(requestBody, max),
                requestBody.Length > max,
                StoredText(responseBody, max),
                responseBody.Length > max,
                record.CompletedAt);
        }
        return CommitAsync(record, bodies);
    }

    async Task CommitAsync(RequestCompleted record, RequestBodies? bodies)
    {
        try
        {
            await recorder.RecordAsync(record, bodies);
        }
        catch (Exception ex)
        {
            logger.LogError("Request {RequestId} could not be recorded: {Error}", record.RequestId, ex.Message);
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
