using System.Text;
using System.Text.Json;
using Gateway.Api.ControlPlane;
using Gateway.Api.OpenAi;
using Gateway.Api.RequestPath;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Requests;

namespace Gateway.Api.Responses;

/// <summary>
/// OpenAI's Responses API: <c>POST /v1/responses</c> through the request path like a chat completion, and the stored
/// responses a team's keys read back (<c>GET</c>, <c>DELETE</c>, <c>input_items</c>), with the same gateway keys.
/// </summary>
public static class ResponsesEndpoints
{
    public static void MapResponses(this IEndpointRouteBuilder app, Proxy proxy, ResponseStore store, ControlPlaneViews views, TimeProvider time)
    {
        app.MapPost("/v1/responses", ctx => proxy.HandleAsync(ctx, Operation.Chat, new ResponsesDialect(store))).ExcludeFromDescription();
        app.MapGet("/v1/responses/{id}", ctx => WithKeyAsync(ctx, views, time, async (key, id) =>
            await store.ResponseAsync(id, key.TeamId, ctx.RequestAborted))).ExcludeFromDescription();
        app.MapDelete("/v1/responses/{id}", ctx => WithKeyAsync(ctx, views, time, async (key, id) =>
            await store.DeleteAsync(id, key.TeamId, ctx.RequestAborted)
                ? JsonSerializer.Serialize(new { id = ResponseIds.Response(id), @object = "response", deleted = true })
                : null)).ExcludeFromDescription();
        app.MapGet("/v1/responses/{id}/input_items", ctx => WithKeyAsync(ctx, views, time, async (key, id) =>
            await store.InputItemsAsync(id, key.TeamId, ctx.RequestAborted) is { } items ? InputItemsPage(items, ctx.Request.Query) : null)).ExcludeFromDescription();
    }

    /// <summary>Authenticates the gateway key and answers with what <paramref name="read"/> found, or OpenAI's 404.</summary>
    static async Task WithKeyAsync(HttpContext ctx, ControlPlaneViews views, TimeProvider time, Func<GatewayKey, Guid, Task<string?>> read)
    {
        if (!GatewayKeyAuth.TryAuthenticate(ctx.Request, views.Current, time.GetUtcNow(), out var key))
        {
            await RequestAdmission.RefuseKeyAsync(ctx, OpenAiDialect.Instance, time);
            return;
        }
        var given = (string)ctx.Request.RouteValues["id"]!;
        var found = ResponseIds.TryParse(given, out var id) ? await read(key, id) : null;
        ctx.Response.ContentType = "application/json";
        if (found is null)
        {
            ctx.Response.StatusCode = 404;
            await ctx.Response.Body.WriteAsync(OpenAiError.Serialize($"Response with id '{given}' not found.", ErrorTypes.InvalidRequest, null, "id"));
            return;
        }
        await ctx.Response.WriteAsync(found, Encoding.UTF8);
    }

    /// <summary>A page of input items: <c>order</c> (<c>desc</c> by default, as OpenAI's), <c>limit</c> (20, at most 100), <c>after</c>.</summary>
    static string InputItemsPage(string items, IQueryCollection query)
    {
        using var document = JsonDocument.Parse(items);
        IEnumerable<JsonElement> all = document.RootElement.EnumerateArray().ToList();
        if (!string.Equals(query["order"], "asc", StringComparison.OrdinalIgnoreCase)) all = all.Reverse();
        if (query["after"].ToString() is { Length: > 0 } after)
            all = all.SkipWhile(i => i.GetProperty("id").GetString() != after).Skip(1);
        var limit = int.TryParse(query["limit"], out var l) ? Math.Clamp(l, 1, 100) : 20;
        var list = all.ToList();
        var page = list.Take(limit).ToList();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("object"u8, "list"u8);
            json.WriteStartArray("data"u8);
            foreach (var item in page) item.WriteTo(json);
            json.WriteEndArray();
            if (page.Count > 0)
            {
                json.WriteString("first_id"u8, page[0].GetProperty("id").GetString());
                json.WriteString("last_id"u8, page[^1].GetProperty("id").GetString());
            }
            else
            {
                json.WriteNull("first_id"u8);
                json.WriteNull("last_id"u8);
            }
            json.WriteBoolean("has_more"u8, list.Count > page.Count);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
