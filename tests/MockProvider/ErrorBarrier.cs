namespace MockProvider;

internal enum WireFormat { OpenAi, Anthropic, Gemini, Azure }

/// <summary>Turns anything a handler throws into an error in the caller's wire format, so no stack trace or HTML error page ever leaks.</summary>
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
        int status = e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
        const string Unreadable = "The request could not be read.";
        return (FormatOf(ctx.Request.Path), status) switch
        {
            (WireFormat.Anthropic, 500) => AnthropicErrors.ServerErrorAsync(ctx),
            (WireFormat.Anthropic, _) => AnthropicErrors.WriteAsync(ctx, status, Unreadable),
            (WireFormat.Gemini, 500) => GeminiErrors.ServerErrorAsync(ctx),
            (WireFormat.Gemini, _) => GeminiErrors.WriteAsync(ctx, status, Unreadable),
            (_, 500) => OpenAiErrors.ServerErrorAsync(ctx),
            _ => OpenAiErrors.WriteAsync(ctx, status, Unreadable, "invalid_request_error"),
        };
    }

    public static WireFormat FormatOf(PathString path) =>
        path.StartsWithSegments("/v1/messages") ? WireFormat.Anthropic
        : path.StartsWithSegments("/v1beta") ? WireFormat.Gemini
        : path.StartsWithSegments("/openai") ? WireFormat.Azure
        : WireFormat.OpenAi;
}
