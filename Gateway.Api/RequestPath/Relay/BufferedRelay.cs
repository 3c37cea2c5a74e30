using System.Text.Json;
using Gateway.Api.ControlPlane;
using Gateway.Api.Providers;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Requests;

namespace Gateway.Api.RequestPath.Relay;

/// <summary>
/// A whole (non-streamed) answer: read from the upstream within the size limit, turned into OpenAI's format with the
/// public model name by the provider's adapter and into the client's by its dialect, and sent once the request's record
/// is durable.
/// </summary>
public sealed class BufferedRelay(RequestCompletion completion, RequestUsage usage, Caching.CachedRelay cache, GatewayOptions options)
{
    public async Task RelayAsync(AdmittedRequest f, IProviderAdapter adapter, HttpResponseMessage response, CancellationToken ct)
    {
        var (trace, body) = (f.Trace, f.Body);
        var model = trace.Model!;
        using var upstreamBytes = new PooledBuffer(16 * 1024);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            if (!await upstreamBytes.ReadFromAsync(stream, options.MaxUpstreamResponseBytes, ct))
            {
                trace.UpstreamEndedNow();
                await completion.FailAsync(f.Ctx, trace, f.Dialect, body, new ClientError(502,
                    $"Provider '{model.Provider.Name}' sent a response larger than {options.MaxUpstreamResponseBytes} bytes.",
                    ErrorTypes.Upstream, "upstream_response_too_large"));
                return;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            trace.UpstreamEndedNow();
            if (f.Ctx.RequestAborted.IsCancellationRequested) await completion.ClientLeftAsync(trace, body.Span);
            else await completion.FailAsync(f.Ctx, trace, f.Dialect, body, BrokeOff(model, timedOut: ex is OperationCanceledException));
            return;
        }
        trace.UpstreamEndedNow();

        using var openAi = new PooledBuffer(upstreamBytes.Length + 256);
        if (Translate(f, adapter, model, upstreamBytes, openAi) is { } unreadable)
        {
            await completion.FailAsync(f.Ctx, trace, f.Dialect, body, unreadable);
            return;
        }
        using var scratch = new PooledBuffer(f.Dialect.SpeaksOpenAi ? 1 : Math.Max(openAi.Length, upstreamBytes.Length) + 256);
        ReadOnlyMemory<byte> output;
        if (trace.Native)
        {
            // The upstream's own answer, as it came but for the public model name; the translation above gave its usage.
            f.Dialect.WriteNativeAnswer(upstreamBytes.Span, model.PublicId, scratch);
            output = scratch.Memory;
        }
        else output = f.Dialect.TranslateResponse(openAi.Span, scratch) ? scratch.Memory : openAi.Memory;
        await completion.CommitAsync(trace, 200, null, body.Span, output.Span);
        cache.Keep(trace, openAi.Span);

        var http = f.Ctx.Response;
        http.StatusCode = 200;
        http.ContentType = "application/json";
        http.ContentLength = output.Length;
        await http.Body.WriteAsync(output, f.Ctx.RequestAborted);
    }

    static ClientError BrokeOff(CatalogModel model, bool timedOut) => timedOut
        ? new(504, $"Provider '{model.Provider.Name}' did not finish its answer in time.", ErrorTypes.Upstream, "upstream_timeout")
        : new(502, $"Provider '{model.Provider.Name}' broke off its answer.", ErrorTypes.Upstream, "upstream_error");

    /// <summary>The upstream's answer in OpenAI's format, and its usage on the record (counted when it reported none).</summary>
    ClientError? Translate(AdmittedRequest f, IProviderAdapter adapter, CatalogModel model, PooledBuffer upstreamBytes, PooledBuffer openAi)
    {
        TokenUsage? reported;
        try
        {
            reported = f.Trace.Native ? adapter.WriteNativeResponse(upstreamBytes.Span, model, openAi) : adapter.WriteResponse(upstreamBytes.Span, model, openAi);
        }
        catch (Exception ex) when (ex is JsonException or TranslationException or InvalidOperationException or FormatException)
        {
            return new(502, $"Provider '{model.Provider.Name}' sent a response that could not be read ({JsonMessages.WithoutPath(ex.Message)}).",
                ErrorTypes.Upstream, "upstream_invalid_response");
        }
        if (reported is { } counted) f.Trace.SetUsage(counted);
        else usage.Estimate(f.Trace, f.Head, f.OpenAiBody.Span, openAi.Span, streamed: false);
        f.Trace.Answered(openAi.Span);
        return null;
    }
}
