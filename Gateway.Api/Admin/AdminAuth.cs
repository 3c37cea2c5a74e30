using Gateway.Api.ControlPlane;
using Gateway.Api.OpenAi;
using Gateway.Domain.Keys;

namespace Gateway.Api.Admin;

/// <summary>
/// Every /admin call needs an admin key as a bearer token, checked against the in-memory hashes, and is authorised
/// by the key's role: admin (everything), key-manager (its team's keys), finance (costs, read-only), auditor
/// (history, read-only). Key managers' team is checked by the key endpoints themselves.
/// </summary>
public static class AdminAuth
{
    public static IApplicationBuilder UseAdminAuth(this IApplicationBuilder app)
    {
        var views = app.ApplicationServices.GetRequiredService<ControlPlaneViews>();
        return app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/admin"), branch => branch.Use(async (ctx, next) =>
        {
            if (!GatewayKeyAuth.TryGetBearer(ctx.Request, out var secret) || !views.Current.AdminKeys.TryGetValue(KeyHash.Of(secret), out var principal))
            {
                ctx.Response.StatusCode = 401;
                await Results.Problem(statusCode: 401, title: "Unauthorized",
                    detail: "An admin key is required: send it as 'Authorization: Bearer <admin key>'.").ExecuteAsync(ctx);
                return;
            }
            if (!Allows(principal, ctx.Request.Method, ctx.Request.Path))
            {
                await Forbid(ctx, $"The {principal.Role} role may not {ctx.Request.Method} {ctx.Request.Path}.");
                return;
            }
            ctx.Items[typeof(AdminPrincipal)] = principal;
            await next(ctx);
        }));
    }

    /// <summary>The admin key behind this request (set by the admin middleware).</summary>
    public static AdminPrincipal Principal(this HttpContext ctx) => (AdminPrincipal)ctx.Items[typeof(AdminPrincipal)]!;

    public static Task Forbid(HttpContext ctx, string detail)
    {
        ctx.Response.StatusCode = 403;
        return Results.Problem(statusCode: 403, title: "Forbidden", detail: detail).ExecuteAsync(ctx);
    }

    public static IResult Forbidden(string detail) => Results.Problem(statusCode: 403, title: "Forbidden", detail: detail);

    static readonly string[] FinanceReads = ["/admin/analytics", "/admin/budgets", "/admin/keys", "/admin/teams", "/admin/models", "/admin/prices", "/admin/routes", "/admin/requests"];

    static bool Allows(AdminPrincipal principal, string method, PathString path)
    {
        var read = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        return principal.Role switch
        {
            AdminRoles.Admin => true,
            AdminRoles.Auditor => read,
            AdminRoles.Finance => read && FinanceReads.Any(p => path.StartsWithSegments(p)),
            AdminRoles.KeyManager => path.StartsWithSegments("/admin/keys") || (read && (path.StartsWithSegments("/admin/teams") || path.StartsWithSegments("/admin/models"))),
            _ => false,
        };
    }
}
