using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;

namespace Gateway.Api.OpenAi;

/// <summary>
/// Relays an upstream OpenAI-format SSE stream to the client event by event as it arrives: each chunk's
/// model renamed to the public id, usage read on the way (and the usage-only chunk dropped if the client
/// did not ask for it). The final <c>data: [DONE]</c> is written only after the request's record is
/// durable; a stream that breaks off ends with an OpenAI-shaped error event and is recorded as such.
/// </summary>
internal sealed class StreamRelay(
    Proxy proxy, HttpContext ctx, RequestTrace trace, RequestHead head, PooledBuffer requestBody,
    HttpResponseMessage response, CancellationToken ct)
{
    static readonly byte[] DataPrefix = "data: "u8.ToArray();
    static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    readonly PooledBuffer captured = new(8 * 1024);
    readonly PooledBuffer scratch = new(4 * 1024);
    readonly int captureLimit = 1024 * 1024;
    bool sawDone;
    bool firstToken;
    bool sawUsage;

    public async Task RunAsync()
    {
        using var _ = captured;
        using var __ = scratch;
        var client = ctx.Response;
        client.StatusCode = 200;
        client.ContentType = "text/event-stream";
        client.Headers.CacheControl = "no-cache";
        client.Headers["X-Accel-Buffering"] = "no";
        var writer = client.BodyWriter;

        string? failure = null;
        try
        {
            await using var upstream = await response.Content.ReadAsStreamAsync(ct);
            var reader = PipeReader.Create(upstream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));
            try
            {
                while (!sawDone)
                {
                    var result = await reader.ReadAsync(ct);
                    var buffer = result.Buffer;
                    var wrote = false;
                    while (TryReadLine(ref buffer, out var line)) wrote |= HandleLine(line, writer);
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (wrote) await writer.FlushAsync(ctx.RequestAborted);
                    if (result.IsCompleted) break;
                }
            }
            finally
            {
                await reader.CompleteAsync();
            }
            if (!sawDone) failure = "The provider's stream ended before it was complete.";
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            trace.UpstreamEnd = Stopwatch.GetTimestamp();
            // The tokens streamed so far were generated and are billed even though the client left.
            if (!sawUsage) proxy.EstimateUsage(trace, requestBody.Span, captured.Span, streamed: true);
            await proxy.CommitAsync(trace, 499, "client_closed_request", requestBody.Span, captured.Span);
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
        trace.UpstreamEnd = Stopwatch.GetTimestamp();
        // Usage missing (the upstream ignored include_usage, or the stream broke before it): count what was sent.
        if (!sawUsage) proxy.EstimateUsage(trace, requestBody.Span, captured.Span, streamed: true);

        if (failure is null)
        {
            await proxy.CommitAsync(trace, 200, null, requestBody.Span, captured.Span);
            await writer.WriteAsync(Done, ctx.RequestAborted);
            await writer.FlushAsync(ctx.RequestAborted);
            return;
        }

        if (!client.HasStarted)
        {
            await proxy.FailAsync(ctx, trace, requestBody, 502, $"Provider '{trace.Model!.Provider.Name}': {failure}",
                OpenAiError.UpstreamType, "stream_interrupted");
            return;
        }
        var error = OpenAiError.Serialize(failure, OpenAiError.UpstreamType, "stream_interrupted");
        Capture(DataPrefix);
        Capture(error);
        Capture(EventEnd);
        await proxy.CommitAsync(trace, 502, "stream_interrupted", requestBody.Span, captured.Span);
        writer.Write(DataPrefix);
        writer.Write(error);
        writer.Write(EventEnd);
        await writer.FlushAsync(ctx.RequestAborted);
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

    /// <summary>Handles one SSE line; returns true when something was written to the client.</summary>
    bool HandleLine(ReadOnlySequence<byte> sequence, PipeWriter writer)
    {
        ReadOnlySpan<byte> line;
        if (sequence.IsSingleSegment) line = sequence.FirstSpan;
        else
        {
            scratch.Clear();
            foreach (var segment in sequence) scratch.Write(segment.Span);
            line = scratch.Span;
        }
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        if (!line.StartsWith("data:"u8)) return false; // blank separators, comments and other fields are not relayed
        var payload = line[5..];
        if (payload.Length > 0 && payload[0] == (byte)' ') payload = payload[1..];

        if (payload.SequenceEqual("[DONE]"u8))
        {
            sawDone = true;
            return false;
        }
        if (!ResponseScan.TryScan(payload, out var scan))
        {
            Write(writer, DataPrefix);
            Write(writer, payload);
            Write(writer, EventEnd);
            return true;
        }
        if (!firstToken && scan.ChoiceCount > 0)
        {
            firstToken = true;
            trace.UpstreamFirstByte = Stopwatch.GetTimestamp();
        }
        if (scan.HasUsage)
        {
            sawUsage = true;
            trace.SetUsage(scan);
            // We always ask upstreams for usage; the client only sees the usage chunk if it asked too.
            if (scan.ChoiceCount <= 0 && !head.IncludeUsage) return false;
        }

        var model = trace.Model!.PublicIdJson;
        Write(writer, DataPrefix);
        if (scan.ModelStart < 0) Write(writer, payload);
        else
        {
            Write(writer, payload[..scan.ModelStart]);
            Write(writer, model);
            Write(writer, payload[scan.ModelEnd..]);
        }
        Write(writer, EventEnd);
        return true;
    }

    void Write(PipeWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes);
        Capture(bytes);
    }

    void Capture(ReadOnlySpan<byte> bytes)
    {
        if (captured.Length + bytes.Length <= captureLimit) captured.Write(bytes);
    }
}
