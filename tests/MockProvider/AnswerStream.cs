namespace MockProvider;

/// <summary>One wire format's encoding of an <see cref="Answer"/> as a stream, paced by <see cref="AnswerStream.RunAsync"/>.</summary>
internal interface IAnswerStream
{
    /// <summary>Content events to send: the format decides, since Gemini sends a tool call whole while others fragment it.</summary>
    int Pieces { get; }

    /// <summary>Whatever the format sends before the first content event (role chunk, message_start...).</summary>
    void Open();

    void Piece(int index);

    /// <summary>Finish reason, usage and the format's end-of-stream marker.</summary>
    void Close();
}

/// <summary>The timing and truncation knobs of a stream, shared by every wire format so they behave identically.</summary>
internal static class AnswerStream
{
    // The cut connection is closed gracefully, but bytes still queued in Kestrel's output pipe would be
    // dropped; a short pause lets the chunks already "sent" reach the client so the truncation point is exact.
    private const int DrainBeforeCutMs = 20;

    public static async Task RunAsync(HttpContext ctx, ModelBehavior behavior, IAnswerStream stream, string contentType = "text/event-stream")
    {
        var response = ctx.Response;
        var ct = ctx.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;

        int ttft = behavior.TimeToFirstTokenMs;
        if (ttft > 0)
        {
            // Headers go out at once so a client's time-to-first-token is measured on the first chunk, not the headers.
            await response.StartAsync(ct);
            await Task.Delay(ttft, ct);
        }

        var pipe = response.BodyWriter;
        stream.Open();
        if ((await pipe.FlushAsync(ct)).IsCompleted) return;

        int cutAfter = behavior.CutAfterChunks ?? int.MaxValue;
        int pieces = stream.Pieces;
        for (int i = 0; i < pieces; i++)
        {
            if (i == cutAfter) { await CutAsync(ctx); return; }
            // The first piece travels right after the opening events, as real streams do; the chunk delay paces the rest.
            if (i > 0) await Faults.DelayAsync(ctx, behavior.ChunkDelayMs);
            stream.Piece(i);
            if ((await pipe.FlushAsync(ct)).IsCompleted) return;
        }
        if (cutAfter != int.MaxValue) { await CutAsync(ctx); return; }

        await Faults.DelayAsync(ctx, behavior.ChunkDelayMs);
        stream.Close();
        await pipe.FlushAsync(ct);
    }

    private static async Task CutAsync(HttpContext ctx)
    {
        await Task.Delay(DrainBeforeCutMs, ctx.RequestAborted);
        ctx.Abort();
    }
}
