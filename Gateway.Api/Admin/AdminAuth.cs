using Gateway.Api.ControlPlane;
using Gateway.Api.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Gateway.Api.RequestPath.Admission;
using Gateway.Domain.Keys;

namespace Gateway.Api.Admin;

/// <summary>
/// Every /admin call needs an admin key as a bearer token, checked against the in-memory hashes, and is authorised
/// by the key's role: admin (everything), key-manager (its team's keys), finance (costs, read-only), auditor
/// (history, read-only). Key managers' team is checked by the key endpoints themselves. The dashboard's session cookie
/// stands for its admin key when no Authorization header is sent.
/// </summary>
public static class AdminAuth
{
    public static IApplicationBuilder UseAdminAuth(this IApplicationBuilder app)
    {
        var views = app.ApplicationServices.GetRequiredService<ControlPlaneViews>();
        return app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/admin"), branch => branch.Use(async (ctx, next) =>
        {
            var principal = Bearer(ctx, views);
            var fromSession = false;
            if (principal is null && !ctx.Request.Headers.ContainsKey("Authorization"))
            {
                principal = await DashboardSession.PrincipalAsync(ctx, views);
                fromSession = principal is not null;
            }
            if (principal is null)
            {
                ctx.Response.StatusCode = 401;
                await Results.Problem(statusCode: 401, title: "Unauthorized",
                    detail: "An admin key is required: send it as 'Authorization: Bearer <admin key>' (or sign in to the dashboard at /ui).").ExecuteAsync(ctx);
                return;
            }
            if (!Allows(principal, ctx.Request.Method, ctx.Request.Path))
            {
                await Forbid(ctx, $"The {principal.Role} role may not {ctx.Request.Method} {ctx.Request.Path}.");
                return;
            }
            // A cookie rides along with any request the browser makes; a change must also prove it came from the dashboard's
            // page. Antiforgery lets OPTIONS and TRACE through unchecked, so a session may use the API's methods only.
            if (fromSession && !IsRead(ctx.Request.Method))
            {
                if (!IsChange(ctx.Request.Method))
                {
                    ctx.Response.StatusCode = 405;
                    await Results.Problem(statusCode: 405, title: "Method not allowed", detail: $"A dashboard session cannot {ctx.Request.Method}.").ExecuteAsync(ctx);
                    return;
                }
                if (!await ctx.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(ctx))
                {
                    await Forbid(ctx, DashboardSession.MissingCsrf);
                    return;
                }
            }
            ctx.Items[typeof(AdminPrincipal)] = principal;
            await next(ctx);
        }));
    }

    static AdminPrincipal? Bearer(HttpContext ctx, ControlPlaneViews views) =>
        GatewayKeyAuth.TryGetBearer(ctx.Request, out var secret) && views.Current.AdminKeys.TryGetValue(KeyHash.Of(secret), out var principal) ? principal : null;

    static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method);

    static bool IsChange(string method) => HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <summary>The admin key behind this request (set by the admin middleware).</summary>
    public static AdminPrincipal Principal(this HttpContext ctx) => (AdminPrincipal)ctx.Items[typeof(AdminPrincipal)]!;

    public static Task Forbid(HttpContext ctx, string detail)
    {
        ctx.Response.StatusCode = 403;
        return Results.Problem(statusCode: 403, title: "Forbidden", detail: detail).ExecuteAsync(ctx);
    }

    public static IResult Forbidden(string detail) => Results.Problem(statusCode: 403, title: "Forbidden", detail: detail);

    static readonly string[] FinanceReads = ["/admin/analytics", "/admin/budgets", "/admin/keys", "/admin/teams", "/admin/accounts", "/admin/models", "/admin/prices",
        "/admin/routes", "/admin/routing", "/admin/providers", "/admin/requests"];

    /// <summary>The catalog a key manager reads to scope its team's keys (names, routes, health; never credentials).</summary>
    static readonly string[] KeyManagerReads = ["/admin/teams", "/admin/models", "/admin/routes", "/admin/routing", "/admin/providers"];

    static bool Allows(AdminPrincipal principal, string method, PathString path)
    {
        var read = IsRead(method);
        return principal.Role switch
        {
            AdminRoles.Admin => true,
            AdminRoles.Auditor => read,
            AdminRoles.Finance => read && FinanceReads.Any(p => path.StartsWithSegments(p)),
            AdminRoles.KeyManager => path.StartsWithSegments("/admin/keys") || (read && KeyManagerReads.Any(p => path.StartsWithSegments(p))),
            _ => false,
        };
    }
}
