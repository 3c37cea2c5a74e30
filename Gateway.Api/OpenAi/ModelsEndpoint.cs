using System.Text.Json;
using Gateway.Api.ControlPlane;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Requests;

namespace Gateway.Api.OpenAi;

/// <summary>GET /v1/models and /v1/models/{id}: the enabled catalog models this key may use.</summary>
public static class ModelsEndpoint
{
    public static async Task ListAsync(HttpContext ctx, ControlPlaneViews views, TimeProvider time)
    {
        RequestIdHeader.Stamp(ctx, time);
        var snapshot = views.Current;
        if (!GatewayKeyAuth.TryAuthenticate(ctx.Request, snapshot, time.GetUtcNow(), out var key))
        {
            await OpenAiError.WriteAsync(ctx, 401, GatewayKeyAuth.InvalidKeyMessage, ErrorTypes.InvalidRequest, "invalid_api_key");
            return;
        }
        using var buffer = new PooledBuffer(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach (var model in snapshot.EnabledModels)
                if (key.MayCall(model.PublicId)) WriteModel(w, model);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(buffer.Memory, ctx.RequestAborted);
    }

    public static async Task GetAsync(HttpContext ctx, ControlPlaneViews views, TimeProvider time, string id)
    {
        id = Unescape(id);
        RequestIdHeader.Stamp(ctx, time);
        var snapshot = views.Current;
        if (!GatewayKeyAuth.TryAuthenticate(ctx.Request, snapshot, time.GetUtcNow(), out var key))
        {
            await OpenAiError.WriteAsync(ctx, 401, GatewayKeyAuth.InvalidKeyMessage, ErrorTypes.InvalidRequest, "invalid_api_key");
            return;
        }
        if (!snapshot.ModelsByPublicId.TryGetValue(id, out var model) || !model.Enabled || !key.MayCall(id))
        {
            await OpenAiError.WriteAsync(ctx, 404, $"The model '{id}' does not exist or is not enabled.", ErrorTypes.InvalidRequest, "model_not_found", "model");
            return;
        }
        using var buffer = new PooledBuffer(256);
        using (var w = new Utf8JsonWriter(buffer)) WriteModel(w, model);
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(buffer.Memory, ctx.RequestAborted);
    }

    /// <summary>
    /// Ids hold a slash (<c>mock/gpt-4o-mini</c>). SDKs escape it (<c>mock%2Fgpt-4o-mini</c>) and ASP.NET Core
    /// decodes every escape in a path except that one, so the route value still carries it. Only %2F is undone:
    /// the rest was decoded once already.
    /// </summary>
    internal static string Unescape(string id) =>
        id.Contains('%') ? id.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase) : id;

    static void WriteModel(Utf8JsonWriter w, CatalogModel model)
    {
        w.WriteStartObject();
        w.WriteString("id", model.PublicId);
        w.WriteString("object", "model");
        w.WriteNumber("created", model.Created);
        w.WriteString("owned_by", model.Provider.Name);
        w.WriteEndObject();
    }
}
