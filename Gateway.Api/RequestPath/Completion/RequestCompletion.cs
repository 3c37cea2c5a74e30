using System.Globalization;
using System.Text;
using Gateway.Api.Observability;
using Gateway.Api.Recording;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Requests;

namespace Gateway.Api.RequestPath.Completion;

/// <summary>
/// The last step of every request, whichever step it ends in: its one record handed to the group commit with its
/// budget reservation settled, and the response completed only once that record is durable (or, with the async
/// ledger, without waiting). A refusal or failure is recorded first, then answered in the client's format.
/// </summary>
public sealed class RequestCompletion(UsageRecorder recorder, GatewayMetrics metrics, GatewayOptions options, TimeProvider time, ILogger<RequestCompletion> logger)
{
    /// <summary>Records the failed request, then answers with an error in the client's format.</summary>
    public async Task FailAsync(HttpContext ctx, RequestTrace trace, ClientDialect dialect, PooledBuffer body, int status, string message,
        string type, string code, string? param = null)
    {
        var error = dialect.Error(status, message, type, code, param);
        trace.NameModelFrom(body.Span);
        await CommitAsync(trace, status, code, body.Span, error);
        if (ctx.Response.HasStarted) return;
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(error, ctx.RequestAborted);
    }

    /// <summary>Records the refused or failed request, then answers with the error (and its Retry-After) in the client's format.</summary>
    public Task FailAsync(HttpContext ctx, RequestTrace trace, ClientDialect dialect, PooledBuffer body, in ClientError error)
    {
        if (error.RetryAfterSeconds is { } seconds) ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return FailAsync(ctx, trace, dialect, body, error.Status, error.Message, error.Type, error.Code, error.Param);
    }

    /// <summary>The client left before its answer: nothing to say to it, the request recorded as 499 (unless it already was).</summary>
    public Task ClientLeftAsync(RequestTrace trace, ReadOnlySpan<byte> requestBody) =>
        CommitAsync(trace, 499, "client_closed_request", requestBody, default);

    /// <summary>
    /// A fault of the gateway itself, or a record that could not be made durable, before the answer started: the request
    /// is recorded if it was not yet (nothing is lost) and the client gets its format's error with the request id.
    /// </summary>
    public async Task GatewayFaultAsync(HttpContext ctx, RequestTrace trace, ClientDialect dialect, PooledBuffer body)
    {
        ctx.Response.Clear();
        ctx.Response.Headers[RequestIdHeader.Name] = trace.RequestId.ToString();
        if (trace.Recorded)
        {
            var error = dialect.Error(503, $"The gateway could not record this request (request id {trace.RequestId}); it was not completed.",
                ErrorTypes.Server, "recording_failed");
            ctx.Response.StatusCode = 503;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.Body.WriteAsync(error, ctx.RequestAborted);
            return;
        }
        await FailAsync(ctx, trace, dialect, body, 500, $"The gateway failed while handling this request (request id {trace.RequestId}).",
            ErrorTypes.Server, "internal_error");
    }

    /// <summary>Hands the request's record to the group commit and waits until it is durable.</summary>
    /// <remarks>Once per request: a request that has its record never gets a second one, whatever happens to its response.</remarks>
    public Task CommitAsync(RequestTrace trace, int status, string? errorCode, ReadOnlySpan<byte> requestBody, ReadOnlySpan<byte> responseBody)
    {
        if (!trace.TryClaimRecord()) return Task.CompletedTask;
        var record = trace.ToEvent(status, errorCode, time.GetUtcNow());
        // Spans and metrics from the record itself, so they say what the ledger says.
        GatewayTracing.Completed(trace.Span, trace.AttemptSpans, record, trace.Model, trace.Response);
        metrics.Completed(record, trace.Model);
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
        // A Responses request with store: what a later request continues from, kept with the record.
        var kept = status == 200 && trace.Dialect is Responses.ResponsesDialect { Kept: { } k }
            ? k with { KeyId = record.KeyId, TeamId = record.TeamId, StoredAt = record.CompletedAt }
            : null;
        return CommitAsync(record, bodies, events, messages, kept);
    }

    async Task CommitAsync(RequestCompleted record, RequestBodies? bodies, IReadOnlyList<object> events, IReadOnlyList<object> messages,
        Gateway.Projections.StoredResponse? kept)
    {
        // A cache hit moves no money (cost 0, nothing reserved), so with either ledger its answer does not wait for the
        // commit: its record joins the next group commit, as every record does with the async ledger.
        if ((options.AsyncLedger || record.CacheHit) && recorder.Pending < options.AsyncLedgerMaxPending)
        {
            // The response does not wait: the record is in memory until the next group commit (at most a window
            // away), and a failure to commit it is logged, since nobody is left to answer.
            _ = recorder.RecordAsync(record, bodies, events, messages, kept).ContinueWith(static (done, state) =>
            {
                var (log, id) = ((ILogger, Guid))state!;
                log.LogError("Request {RequestId} could not be recorded: {Error}", id, DatabaseFailure.Describe(done.Exception!.GetBaseException()));
            }, (logger, record.RequestId), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return;
        }
        // Durable, or an async ledger already holding its limit in memory: the response waits for the commit (under
        // more load than PostgreSQL takes, async slows down to durable rather than let memory, and a crash's loss, grow).
        try
        {
            await recorder.RecordAsync(record, bodies, events, messages, kept);
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
}
