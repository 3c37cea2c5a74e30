using Gateway.Api.ControlPlane;
using Gateway.Api.OpenAi;
using Gateway.Domain.Keys;

namespace Gateway.Api.Admin;

/// <summary>Every /admin call needs an admin key as a bearer token; checked against the in-memory hashes.</summary>
public static class AdminAuth
{
    public static IApplicationBuilder UseAdminAuth(this IApplicationBuilder app)
    {
        var views = app.ApplicationServices.GetRequiredService<ControlPlaneViews>();
        return app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/admin"), branch => branch.Use(async (ctx, next) =>
        {
            if (IsAdmin(ctx.Request, views.Current))
            {
                await next(ctx);
                return;
            }
            ctx.Response.StatusCode = 401;
            await Results.Problem(statusCode: 401, title: "Unauthorized",
                detail: "An admin key is required: send it as 'Authorization: Bearer <admin key>'.").ExecuteAsync(ctx);
        }));
    }

    static bool IsAdmin(HttpRequest request, ControlPlaneSnapshot snapshot) =>
        GatewayKeyAuth.TryGetBearer(request, out var secret) && snapshot.AdminKeys.Contains(KeyHash.Of(secret));
}
