using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Gateway.Api.Providers;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Requests;

namespace Gateway.Api.RequestPath.Relay;

/// <summary>
/// Relays an upstream SSE stream to the client event by event as it arrives: the provider's adapter turns
/// each event into OpenAI chunks, the client's dialect turns those into what the client reads.
/// First <see cref="PrimeAsync"/> reads up to the first token while the client has seen nothing, so a slow,
/// failing or empty stream can still fall back to another target; then <see cref="RunAsync"/> sends what was
/// read and relays the rest without buffering. The final event (<c>[DONE]</c>, or Anthropic's <c>message_stop</c>)
/// is written only after the request's record is durable; a stream that breaks off later ends with an error
/// event and is recorded as such.
/// </summary>
public sealed class StreamRelay(
    RequestCompletion completion, RequestUsage usage, HttpContext ctx, RequestTrace trace, RequestHead head, ReadOnlyMemory<byte> openAiBody, PooledBuffer clientBody,
    ClientDialect dialect, IStreamTranslator translator, HttpResponseMessage upstreamResponse, Caching.CachedRelay cache) : IChunkSink, IDisposable
{
    const int CaptureLimit = 1024 * 1024;
    static readonly byte[] DataPrefix = "data: "u8.ToArray();
    static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    readonly PooledBuffer line = new(4 * 1024);
    readonly PooledBuffer eventName = new(64);
    readonly PooledBuffer data = new(4 * 1024);
    // Chunks read while priming, length-prefixed, sent once the stream is chosen.
    readonly PooledBuffer primed = new(1024);
    // Served natively (the client speaks the upstream's format): the upstream's own events go to the client, and the
    // OpenAI chunks only to the record. Those read while priming wait here: name and data, each length-prefixed.
    readonly bool native = trace.Native;
    PooledBuffer? primedEvents;
    // OpenAI chunks as produced, kept only when the client is sent something else, to count tokens if usage is missing.
    PooledBuffer? openAiChunks;
    ClientStream? client;
    Stream? upstream;
    PipeReader? reader;
    bool sawFirstToken;

    /// <summary>Reads up to the first token (or the end), holding back what it read.</summary>
    /// <returns>Null when the stream is worth passing on; else why not, as an attempt error class and message.</returns>
    public async Task<(string ErrorClass, string Message)?> PrimeAsync(CancellationToken ct)
    {
        try
        {
            upstream = await upstreamResponse.Content.ReadAsStreamAsync(ct);
            reader = PipeReader.Create(upstream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
            while (!translator.SawContent && !translator.Completed && translator.Error is null)
            {
                if (await ReadOnceAsync(ct)) break;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return (AttemptErrors.StreamBroken, "broke off its stream before the first token");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or TranslationException or InvalidOperationException or FormatException)
        {
            return (AttemptErrors.StreamBroken, "sent a stream event that could not be read");
        }
        if (translator.Error is { } error) return (AttemptErrors.StreamBroken, $"reported an error before the first token: {error}");
        if (!translator.SawContent && !translator.Completed) return (AttemptErrors.StreamBroken, "ended its stream before the first token");
        return null;
    }

    /// <summary>Reads and handles one buffer from the upstream; true when the upstream has ended.</summary>
    async Task<bool> ReadOnceAsync(CancellationToken ct)
    {
        var result = await reader!.ReadAsync(ct);
        var buffer = result.Buffer;
        while (!translator.Completed && TryReadLine(ref buffer, out var sequence)) HandleLine(sequence);
        reader.AdvanceTo(buffer.Start, buffer.End);
        if (result.IsCompleted && !translator.Completed && data.Length > 0) Dispatch();
        return result.IsCompleted;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using var chunks = openAiChunks = dialect.SpeaksOpenAi ? null : new PooledBuffer(8 * 1024);
        using var stream = client = native
            ? dialect.OpenNativeStream(trace.Model!.PublicId, ctx.Response.BodyWriter)
            : dialect.OpenStream(head, trace.RequestId, trace.StartedAt, trace.Model!.PublicId, ctx.Response.BodyWriter);
        await RelayAsync(ct);
    }

    /// <summary>The stream is chosen: its headers, its opening and what priming read go to the client.</summary>
    ClientStream Open()
    {
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var client = this.client!;
        client.Start(client.OpensWithPromptCount ? usage.PromptBeforeAnswer(trace, translator.Usage, openAiBody.Span) : default);
        ReplayPrimed();
        ReplayPrimedEvents();
        client.Pending = false;
        return client;
    }

    async Task RelayAsync(CancellationToken ct)
    {
        var client = Open();
        var writer = ctx.Response.BodyWriter;
        await writer.FlushAsync(ctx.RequestAborted);

        string? failure = null;
        try
        {
            while (!translator.Completed && translator.Error is null)
            {
                var ended = await ReadOnceAsync(ct);
                if (client.Pending)
                {
                    client.Pending = false;
                    await writer.FlushAsync(ctx.RequestAborted);
                }
                if (ended) break;
            }
            if (translator.Error is { } error) failure = $"The provider reported an error mid-stream: {error}";
            else if (!translator.Completed) failure = "The provider's stream ended before it was complete.";
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            trace.UpstreamEndedNow();
            // The tokens streamed so far were generated and are billed even though the client left.
            TakeUsage();
            await completion.CommitAsync(trace, 499, "client_closed_request", clientBody.Span, client.Captured);
            return;
        }
        catch (OperationCanceledException)
        {
            failure = "The provider's stream did not finish in time.";
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            failure = "The provider's stream broke off.";
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or TranslationException or InvalidOperationException or FormatException)
        {
            failure = "The provider sent a stream event that could not be read.";
        }
        trace.UpstreamEndedNow();
        TakeUsage();

        // The last event is held back until the record is durable: a client that saw the end knows it was recorded.
        if (failure is null) client.Complete(trace.Usage);
        else
        {
            trace.MarkStreamBroken();
            client.Fail(502, failure);
        }
        await completion.CommitAsync(trace, failure is null ? 200 : 502, failure is null ? null : "stream_interrupted", clientBody.Span, client.Captured);
        if (failure is null) cache.KeepStreamed(trace, openAiChunks is null ? client.Captured : openAiChunks.Span);
        client.Release();
        await writer.FlushAsync(ctx.RequestAborted);
    }

    void ReplayPrimed()
    {
        var rest = primed.Span;
        while (rest.Length >= 4)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(rest);
            Pass(rest.Slice(4, length));
            rest = rest[(4 + length)..];
        }
        primed.Clear();
    }

    void ReplayPrimedEvents()
    {
        if (primedEvents is null) return;
        var rest = primedEvents.Span;
        while (rest.Length >= 8)
        {
            var nameLength = BinaryPrimitives.ReadInt32LittleEndian(rest);
            var name = rest.Slice(4, nameLength);
            rest = rest[(4 + nameLength)..];
            var dataLength = BinaryPrimitives.ReadInt32LittleEndian(rest);
            client!.OnUpstreamEvent(name, rest.Slice(4, dataLength));
            rest = rest[(4 + dataLength)..];
        }
        primedEvents.Clear();
    }

    /// <summary>An upstream event of a native stream: to the client, or held while priming.</summary>
    void Raw(ReadOnlySpan<byte> name, ReadOnlySpan<byte> payload)
    {
        if (client is not null)
        {
            client.OnUpstreamEvent(name, payload);
            return;
        }
        primedEvents ??= new PooledBuffer(1024);
        Prefixed(primedEvents, name);
        Prefixed(primedEvents, payload);
    }

    static void Prefixed(PooledBuffer buffer, ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), bytes.Length);
        buffer.Advance(4);
        buffer.Write(bytes);
    }

    /// <summary>
    /// Usage as the upstream reported it. When it reported none, or the stream ended early (so a count reported on the
    /// way, like Anthropic's and Gemini's, stops short of what was streamed), what was streamed is counted and the
    /// record marked estimated; the upstream's own prompt count is kept when it gave one.
    /// </summary>
    void TakeUsage()
    {
        var reported = translator.Usage;
        if (translator.Completed && reported is { } whole)
        {
            trace.SetUsage(whole);
            return;
        }
        usage.Estimate(trace, head, openAiBody.Span, openAiChunks is null ? client!.Captured : openAiChunks.Span, streamed: true);
        if (reported is { } partial) trace.KeepReported(partial);
    }

    public void OnChunk(ReadOnlySpan<byte> chunkJson)
    {
        if (client is null)
        {
            // Still priming: the client has not been chosen to receive this stream yet.
            Prefixed(primed, chunkJson);
            return;
        }
        Pass(chunkJson);
    }

    void Pass(ReadOnlySpan<byte> chunkJson)
    {
        if (openAiChunks is not null && openAiChunks.Length + chunkJson.Length + 8 <= CaptureLimit)
        {
            openAiChunks.Write(DataPrefix);
            openAiChunks.Write(chunkJson);
            openAiChunks.Write(EventEnd);
        }
        trace.Answered(chunkJson);
        if (!native) client!.OnChunk(chunkJson);
    }

    static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    /// <summary>One SSE line: fields are gathered until the blank line that ends the event.</summary>
    void HandleLine(ReadOnlySequence<byte> sequence)
    {
        ReadOnlySpan<byte> text;
        if (sequence.IsSingleSegment) text = sequence.FirstSpan;
        else
        {
            line.Clear();
            foreach (var segment in sequence) line.Write(segment.Span);
            text = line.Span;
        }
        if (text.Length > 0 && text[^1] == (byte)'\r') text = text[..^1];
        if (text.IsEmpty)
        {
            if (data.Length > 0) Dispatch();
            eventName.Clear();
            return;
        }
        if (text.StartsWith("data:"u8))
        {
            if (data.Length > 0) data.Write("\n"u8);
            data.Write(FieldValue(text, 5));
        }
        else if (text.StartsWith("event:"u8))
        {
            eventName.Clear();
            eventName.Write(FieldValue(text, 6));
        }
        // Comments (":"), id: and retry: lines carry nothing to relay.
    }

    static ReadOnlySpan<byte> FieldValue(ReadOnlySpan<byte> text, int nameLength)
    {
        var value = text[nameLength..];
        return value.Length > 0 && value[0] == (byte)' ' ? value[1..] : value;
    }

    void Dispatch()
    {
        if (native) Raw(eventName.Span, data.Span);
        translator.OnEvent(eventName.Span, data.Span, this);
        data.Clear();
        if (!sawFirstToken && translator.SawContent)
        {
            // For streams the record's time to first byte is the time to the first token, not to the headers.
            sawFirstToken = true;
            trace.UpstreamFirstByteNow();
        }
    }

    public void Dispose()
    {
        reader?.Complete();
        upstream?.Dispose();
        (translator as IDisposable)?.Dispose();
        line.Dispose();
        eventName.Dispose();
        data.Dispose();
        primed.Dispose();
        primedEvents?.Dispose();
    }
}
