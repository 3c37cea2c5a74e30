namespace MockProvider;

/// <summary>Turns anything a handler throws into an OpenAI-shaped error, so no stack trace or HTML error page ever leaks.</summary>
internal static class ErrorBarrier
{
    public static RequestDelegate Wrap(RequestDelegate next) => ctx =>
    {
        Task task;
        try
        {
            task = next(ctx);
        }
        catch (Exception e)
        {
            return HandleAsync(ctx, e);
        }
        // Completed handlers (the common case) skip the async state machine entirely.
        return task.IsCompletedSuccessfully ? Task.CompletedTask : AwaitAsync(task, ctx);
    };

    private static async Task AwaitAsync(Task task, HttpContext ctx)
    {
        try
        {
            await task;
        }
        catch (Exception e)
        {
            await HandleAsync(ctx, e);
        }
    }

    private static Task HandleAsync(HttpContext ctx, Exception e)
    {
        // The client went away (or shutdown aborted a waiting request): there is nobody left to answer.
        if (ctx.RequestAborted.IsCancellationRequested) return Task.CompletedTask;

        if (ctx.Response.HasStarted)
        {
            // Mid-stream there is no way to send an error; closing the connection makes the truncation visible.
            ctx.Abort();
            return Task.CompletedTask;
        }

        ctx.Response.Clear();
        return e is BadHttpRequestException bad
            ? OpenAiErrors.WriteAsync(ctx, bad.StatusCode, "The request could not be read.", "invalid_request_error")
            : OpenAiErrors.ServerErrorAsync(ctx);
    }
}
