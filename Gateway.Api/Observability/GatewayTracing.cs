using System.Diagnostics;
using Gateway.Api.ControlPlane;
using Gateway.Domain.Requests;

namespace Gateway.Api.Observability;

/// <summary>
/// The request's spans (GenAI semantic conventions, <see cref="GenAi"/>): one server span per /v1 request, continuing
/// the client's W3C <c>traceparent</c>, and one client span per upstream attempt, whose context goes upstream in its
/// own <c>traceparent</c>. Nothing is created unless a tracer listens (tracing configured), so the hot path pays a null
/// check otherwise. Attributes carry ids, models, counts and classes; never a secret, never prompt or answer text.
/// </summary>
public static class GatewayTracing
{
    public const string SourceName = "Gateway";
    public static readonly ActivitySource Source = new(SourceName, typeof(GatewayTracing).Assembly.GetName().Version?.ToString());

    /// <summary>The request's server span, child of the client's <c>traceparent</c> when it sent a valid one.</summary>
    public static Activity? StartRequest(HttpRequest request, string operation)
    {
        if (!Source.HasListeners()) return null;
        var parent = default(ActivityContext);
        if (request.Headers.TryGetValue("traceparent", out var traceparent))
            ActivityContext.TryParse(traceparent.ToString(), request.Headers.TryGetValue("tracestate", out var state) ? state.ToString() : null, isRemote: true, out parent);
        // ASP.NET Core's own (unrecorded) request activity may be current; this span's parent is the client's context
        // or none, so it is a root when the client sent no trace rather than a child the sampler would drop.
        Activity.Current = null;
        var span = Source.StartActivity(ActivityKind.Server, parent, name: operation);
        span?.AddTag(GenAi.OperationName, operation);
        return span;
    }

    /// <summary>A client span for one upstream call, child of the request's span; its context rides upstream in the call's headers.</summary>
    public static Activity? StartAttempt(Activity? server, string operation, CatalogModel target, int number, bool streamed, HttpRequestMessage call)
    {
        if (server is null) return null;
        if (!server.IsAllDataRequested) return null;
        var span = Source.StartActivity(ActivityKind.Client, server.Context, name: $"{operation} {target.UpstreamModel}");
        if (span is null) return null;
        span.AddTag(GenAi.OperationName, operation);
        span.AddTag(GenAi.ProviderName, GenAi.Provider(target.Provider.Kind));
        span.AddTag(GenAi.RequestModel, target.UpstreamModel);
        span.AddTag(GenAi.RequestStream, streamed);
        if (call.RequestUri is { IsAbsoluteUri: true } uri)
        {
            span.AddTag(GenAi.ServerAddress, uri.Host);
            span.AddTag(GenAi.ServerPort, uri.Port);
        }
        span.AddTag(GenAi.AttemptNumber, number);
        call.Headers.TryAddWithoutValidation("traceparent", span.Id);
        if (span.TraceStateString is { Length: > 0 } tracestate) call.Headers.TryAddWithoutValidation("tracestate", tracestate);
        return span;
    }

    /// <summary>
    /// The request's record is made: the server span is named and tagged from it, and each attempt's span gets its
    /// outcome (known only now: a failed call may have been retried, fallen back from, or been the last) and ends at the
    /// time its call ended. The served attempt carries the usage.
    /// </summary>
    public static void Completed(Activity? server, IReadOnlyList<(Activity? Span, DateTime EndedAt)> attemptSpans, RequestCompleted record, CatalogModel? served,
        RequestPath.Wire.ResponseFacts? response)
    {
        if (server is null || !server.IsAllDataRequested) return;
        server.DisplayName = record.ModelAsked.Length > 0 ? $"{record.Operation} {record.ModelAsked}" : record.Operation;
        server.AddTag(GenAi.RequestModel, record.ModelAsked);
        server.AddTag(GenAi.RequestStream, record.Streamed);
        if (served is not null)
        {
            server.AddTag(GenAi.ProviderName, GenAi.Provider(served.Provider.Kind));
            server.AddTag(GenAi.ResponseModel, served.UpstreamModel);
        }
        Usage(server, record);
        Response(server, response);
        server.AddTag(GenAi.HttpStatusCode, record.Status);
        server.AddTag(GenAi.RequestId, record.RequestId.ToString());
        server.AddTag(GenAi.KeyId, record.KeyId.ToString());
        server.AddTag(GenAi.TeamId, record.TeamId.ToString());
        if (record.Route is { } route) server.AddTag(GenAi.Route, route);
        if (record.DowngradedBy is { } budget) server.AddTag(GenAi.DowngradedBy, budget.ToString());
        server.AddTag(GenAi.CostUsd, (double)record.Cost);
        server.AddTag(GenAi.AttemptNumber, record.Attempts.Count);
        if (record.Status >= 400)
        {
            server.AddTag(GenAi.ErrorType, record.ErrorCode ?? record.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            server.SetStatus(ActivityStatusCode.Error);
        }

        for (var i = 0; i < attemptSpans.Count && i < record.Attempts.Count; i++)
        {
            var (span, endedAt) = attemptSpans[i];
            if (span is null) continue;
            var attempt = record.Attempts[i];
            span.AddTag(GenAi.AttemptOutcome, attempt.Outcome);
            if (attempt.Status is { } status) span.AddTag(GenAi.HttpStatusCode, status);
            if (attempt.ErrorClass is { } error)
            {
                span.AddTag(GenAi.ErrorType, error);
                span.SetStatus(ActivityStatusCode.Error);
            }
            if (attempt.Outcome == "served")
            {
                span.AddTag(GenAi.ResponseModel, span.GetTagItem(GenAi.RequestModel));
                Usage(span, record);
                Response(span, response);
                span.SetEndTime(DateTime.UtcNow);
            }
            else span.SetEndTime(endedAt);
            span.Stop();
        }
    }

    static void Response(Activity span, RequestPath.Wire.ResponseFacts? response)
    {
        if (response is null) return;
        if (response.Id is { } id) span.AddTag(GenAi.ResponseId, id);
        if (response.FinishReasons.Count > 0) span.AddTag(GenAi.ResponseFinishReasons, response.FinishReasons.ToArray());
    }

    static void Usage(Activity span, RequestCompleted record)
    {
        span.AddTag(GenAi.InputTokens, record.PromptTokens);
        span.AddTag(GenAi.OutputTokens, record.CompletionTokens);
        if (record.CachedPromptTokens > 0) span.AddTag(GenAi.CacheReadInputTokens, record.CachedPromptTokens);
        if (record.CacheCreationTokens > 0) span.AddTag(GenAi.CacheCreationInputTokens, record.CacheCreationTokens);
        if (record.UsageEstimated) span.AddTag(GenAi.UsageEstimated, true);
    }
}
