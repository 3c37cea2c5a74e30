namespace MockProvider;

/// <summary>Writes the error a <see cref="ModelBehavior.Status"/> fault injects, in one wire format's shape.</summary>
internal delegate Task InjectError(HttpContext ctx, int status, ModelBehavior behavior, string model);

/// <summary>The parts of a <see cref="ModelBehavior"/> that apply before any content is produced.</summary>
internal static class Faults
{
    /// <summary>
    /// Makes server shutdown abort this request, which fires RequestAborted and so ends every delay below;
    /// otherwise a hung or slow request would hold shutdown for the whole host timeout.
    /// </summary>
    public static CancellationTokenRegistration AbortOnStop(HttpContext ctx, MockState state, ModelBehavior behavior) =>
        behavior.MayWait ? state.Stopping.UnsafeRegister(static c => ((HttpContext)c!).Abort(), ctx) : default;

    public static Task DelayAsync(HttpContext ctx, int milliseconds) =>
        milliseconds > 0 ? Task.Delay(milliseconds, ctx.RequestAborted) : Task.CompletedTask;

    /// <returns>True when the fault answered the request (hang ended or error sent) and the handler must stop.</returns>
    public static async ValueTask<bool> InterceptAsync(HttpContext ctx, MockState state, ModelBehavior behavior, string model, InjectError inject)
    {
        if (behavior.Hang)
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
            return true;
        }
        if (state.Behaviors.ShouldFail(model, behavior))
        {
            await DelayAsync(ctx, behavior.LatencyMs);
            await inject(ctx, behavior.Status!.Value, behavior, model);
            return true;
        }
        return false;
    }
}
