using System.Text.Json;

namespace MockProvider;

/// <summary>The <c>/_mock</c> control surface, so a mock running in another process (demo, benchmark) can be steered over HTTP.</summary>
internal static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder app, MockState state)
    {
        app.MapPut("/_mock/models/{**name}", (RequestDelegate)(ctx => SetModelAsync(ctx, state)));
        app.MapDelete("/_mock/models/{**name}", (RequestDelegate)(ctx => RemoveModelAsync(ctx, state)));
        app.MapPut("/_mock/default", (RequestDelegate)(ctx => SetDefaultAsync(ctx, state)));
        app.MapPost("/_mock/reset", (RequestDelegate)(ctx => ResetAsync(ctx, state)));
        app.MapGet("/_mock/requests", (RequestDelegate)(ctx => RequestsAsync(ctx, state)));
        app.MapGet("/_mock/health", (RequestDelegate)(static ctx => ctx.Response.WriteAsync("ok")));
    }

    private static async Task SetModelAsync(HttpContext ctx, MockState state)
    {
        var name = ctx.Request.RouteValues["name"] as string;
        if (string.IsNullOrEmpty(name))
        {
            await OpenAiErrors.WriteAsync(ctx, 400, "A model name is required.", "invalid_request_error", "name");
            return;
        }
        var behavior = await ReadBehaviorAsync(ctx);
        if (behavior is null) return;
        state.Behaviors.Set(name, behavior);
        await WriteBehaviorAsync(ctx, behavior);
    }

    private static Task RemoveModelAsync(HttpContext ctx, MockState state)
    {
        var name = ctx.Request.RouteValues["name"] as string;
        ctx.Response.StatusCode = name is not null && state.Behaviors.Remove(name) ? 204 : 404;
        return Task.CompletedTask;
    }

    private static async Task SetDefaultAsync(HttpContext ctx, MockState state)
    {
        var behavior = await ReadBehaviorAsync(ctx);
        if (behavior is null) return;
        state.Behaviors.Default = behavior;
        await WriteBehaviorAsync(ctx, behavior);
    }

    private static Task ResetAsync(HttpContext ctx, MockState state)
    {
        state.Behaviors.Reset();
        state.Requests.Clear();
        ctx.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private static Task RequestsAsync(HttpContext ctx, MockState state) =>
        JsonOut.SendAsync(ctx, 200, state.Requests.Snapshot(), static (w, requests) =>
        {
            w.WriteStartArray();
            foreach (var r in requests)
            {
                w.WriteStartObject();
                w.WriteString("receivedAt"u8, r.ReceivedAt);
                w.WriteString("method"u8, r.Method);
                w.WriteString("path"u8, r.Path);
                w.WriteString("query"u8, r.Query);
                w.WriteString("model"u8, r.Model);
                w.WriteString("authorization"u8, r.Authorization);
                w.WriteString("apiKey"u8, r.ApiKey);
                w.WriteStartObject("headers"u8);
                foreach (var (name, value) in r.Headers) w.WriteString(name, value);
                w.WriteEndObject();
                w.WriteString("body"u8, r.Body);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });

    /// <returns>The behavior, or null after answering 400.</returns>
    private static async Task<ModelBehavior?> ReadBehaviorAsync(HttpContext ctx)
    {
        var body = await RequestBody.ReadAsync(ctx.Request, ctx.RequestAborted);
        ModelBehavior? behavior;
        string? error;
        try
        {
            behavior = body.Length == 0 ? new ModelBehavior() : JsonSerializer.Deserialize(body, MockJsonContext.Default.ModelBehaviorBody)?.ToBehavior();
            error = behavior is null ? "The body must be a JSON object." : behavior.Validate();
        }
        catch (JsonException e)
        {
            // JsonException messages name the offending member and position, never a stack, so they are safe to return.
            behavior = null;
            error = e.Message;
        }
        if (error is null) return behavior;
        await OpenAiErrors.WriteAsync(ctx, 400, error, "invalid_request_error");
        return null;
    }

    private static async Task WriteBehaviorAsync(HttpContext ctx, ModelBehavior behavior)
    {
        ctx.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, behavior, MockJsonContext.Default.ModelBehavior, ctx.RequestAborted);
    }
}
