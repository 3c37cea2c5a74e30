using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Api.ControlPlane;
using Gateway.Domain.Requests;

namespace Gateway.Api.Observability;

/// <summary>
/// The gateway's metrics, from each request's record (so they agree with the ledger): the GenAI conventions'
/// token usage and operation duration, and the gateway's requests, cost, overhead, fallbacks and retries. Labels are
/// bounded by the catalog (models, providers, routes) and fixed lists (status, error codes); per-key and per-team labels
/// only when <c>Gateway:MetricsPerKeyLabels</c> is on. docs/observability.md lists each with its labels.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Gateway";

    readonly bool perKey;
    readonly Histogram<long> tokens;
    readonly Histogram<double> duration;
    readonly Histogram<double> timeToFirstChunk;
    readonly Counter<long> requests;
    readonly Counter<double> cost;
    readonly Histogram<double> overhead;
    readonly Counter<long> fallbacks;
    readonly Counter<long> retries;
    readonly Counter<long> cacheHits;
    readonly Counter<double> cacheSaved;

    public GatewayMetrics(IMeterFactory meters, GatewayOptions options)
    {
        perKey = options.MetricsPerKeyLabels;
        var meter = meters.Create(MeterName);
        tokens = meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens per request, by type (input, output).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304] });
        duration = meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "Duration of each request through the gateway, upstream included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });
        timeToFirstChunk = meter.CreateHistogram<double>("gen_ai.server.time_to_first_token", "s", "Time to the upstream's first chunk of a streamed answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0] });
        requests = meter.CreateCounter<long>("gateway.requests", "{request}", "Requests answered, by status, model, provider, route and error code.");
        cost = meter.CreateCounter<double>("gateway.cost", "USD", "What the requests cost, in US dollars, at the catalog price in force.");
        overhead = meter.CreateHistogram<double>("gateway.overhead", "s", "Time spent in the gateway, not waiting on the upstream.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] });
        fallbacks = meter.CreateCounter<long>("gateway.fallbacks", "{request}", "Requests served by a target other than the route's first.");
        retries = meter.CreateCounter<long>("gateway.retries", "{attempt}", "Upstream calls beyond the first for a request.");
        cacheHits = meter.CreateCounter<long>("gateway.cache.hits", "{request}", "Requests answered from the response cache.");
        cacheSaved = meter.CreateCounter<double>("gateway.cache.saved", "USD", "What the cached answers cost when they were made: what the hits saved.");
    }

    public void Completed(RequestCompleted record, CatalogModel? served)
    {
        var provider = served is null ? "none" : GenAi.Provider(served.Provider.Kind);
        var model = record.ModelAsked.Length > 0 ? record.ModelAsked : "none";
        var common = new TagList
        {
            { GenAi.OperationName, record.Operation },
            { GenAi.ProviderName, provider },
            { GenAi.RequestModel, model },
        };
        if (perKey)
        {
            common.Add(GenAi.KeyId, record.KeyId.ToString());
            common.Add(GenAi.TeamId, record.TeamId.ToString());
        }

        var counted = common;
        counted.Add(GenAi.HttpStatusCode, record.Status);
        counted.Add(GenAi.Route, record.Route ?? "none");
        counted.Add(GenAi.ErrorType, record.ErrorCode ?? (record.Status >= 400 ? "other" : "none"));
        requests.Add(1, counted);
        duration.Record(record.TotalMs / 1000, counted);
        overhead.Record(record.OverheadMs / 1000, common);

        if (served is not null)
        {
            var input = common;
            input.Add(GenAi.TokenType, "input");
            tokens.Record(record.PromptTokens, input);
            var output = common;
            output.Add(GenAi.TokenType, "output");
            tokens.Record(record.CompletionTokens, output);
            if (record.Cost != 0) cost.Add((double)record.Cost, common);
            if (record.Streamed && record.UpstreamTtfbMs is { } ttfb) timeToFirstChunk.Record(ttfb / 1000, common);
        }

        var calls = 0;
        var fellBack = false;
        foreach (var attempt in record.Attempts)
        {
            if (attempt.Status is not null || attempt.LatencyMs > 0) calls++; // a target passed over without a call has neither
            if (attempt.Outcome == "fell_back") fellBack = true;
        }
        if (calls > 1) retries.Add(calls - 1, common);
        if (fellBack && record.Status < 400) fallbacks.Add(1, common);
        if (record.CacheHit)
        {
            cacheHits.Add(1, common);
            if (record.CostSaved is > 0 and var saved) cacheSaved.Add((double)saved, common);
        }
    }
}
