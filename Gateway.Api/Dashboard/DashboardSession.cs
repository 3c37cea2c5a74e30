using System.Security.Claims;
using Gateway.Api.ControlPlane;
using Gateway.Domain.Keys;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Wolverine.Http;

namespace Gateway.Api.Dashboard;

public sealed record SignIn(string? Key);

/// <summary>Who is signed in, and the anti-forgery token the page sends back (as <c>X-CSRF-TOKEN</c>) on every change.</summary>
public sealed record SessionInfo(string Name, string Role, Guid? TeamId, string CsrfToken);

/// <summary>
/// Signing in to the dashboard with an admin key: the key is checked once and never kept; the session cookie names
/// the admin key's id, and every call re-reads that key from the live views (revoked: signed out).
/// </summary>
public static class DashboardSession
{
    [WolverinePost("/ui/session", OperationId = "signIn")]
    [Tags("dashboard")]
    public static async Task<IResult> Post(SignIn body, HttpContext ctx, ControlPlaneViews views, IAntiforgery antiforgery, DashboardSessions sessions)
    {
        var key = body.Key?.Trim();
        if (string.IsNullOrEmpty(key) || key.Length > 200 || !views.Current.AdminKeys.TryGetValue(KeyHash.Of(key), out var principal))
            return Results.Problem(statusCode: 401, title: "Unauthorized", detail: "That is not a valid admin key.");
        var session = await sessions.StartAsync(principal.Id, ctx.RequestAborted);
        var user = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, principal.Id.ToString()), new Claim(SessionClaim, session.ToString())], DashboardServices.Scheme));
        await ctx.SignInAsync(DashboardServices.Scheme, user);
        ctx.User = user;
        return Results.Ok(Info(principal, ctx, antiforgery));
    }

    /// <summary>The current session, or 204 when there is none (the page asks before anyone signed in: not an error).</summary>
    [WolverineGet("/ui/session", OperationId = "session")]
    [Tags("dashboard")]
    public static async Task<IResult> Get(HttpContext ctx, ControlPlaneViews views, IAntiforgery antiforgery) =>
        await PrincipalAsync(ctx, views) is { } principal
            ? Results.Ok(Info(principal, ctx, antiforgery))
            : Results.NoContent();

    [WolverineDelete("/ui/session", OperationId = "signOut")]
    [Tags("dashboard")]
    public static async Task<IResult> Delete(HttpContext ctx, ControlPlaneViews views, IAntiforgery antiforgery, DashboardSessions sessions)
    {
        if (await PrincipalAsync(ctx, views) is not null)
        {
            if (!await antiforgery.IsRequestValidAsync(ctx)) return Results.Problem(statusCode: 403, title: "Forbidden", detail: MissingCsrf);
            // Ended on the server: a copy of the cookie kept anywhere no longer signs in.
            await sessions.EndAsync(Guid.Parse(ctx.User.FindFirstValue(SessionClaim)!), ctx.RequestAborted);
        }
        await ctx.SignOutAsync(DashboardServices.Scheme);
        return Results.NoContent();
    }

    const string SessionClaim = "gateway:session";

    public const string MissingCsrf = $"A dashboard session must send its anti-forgery token as '{DashboardServices.CsrfHeader}' with every change.";

    /// <summary>
    /// The admin key behind this request's session cookie, if both are still live — the key not revoked (in-memory
    /// views), the session neither signed out nor past its lifetime (PostgreSQL) — and the request's user becomes it.
    /// </summary>
    public static async Task<AdminPrincipal?> PrincipalAsync(HttpContext ctx, ControlPlaneViews views)
    {
        if (!ctx.Request.Cookies.ContainsKey(DashboardServices.SessionCookie)) return null;
        var ticket = await ctx.AuthenticateAsync(DashboardServices.Scheme);
        if (!ticket.Succeeded
            || !Guid.TryParse(ticket.Principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            || !Guid.TryParse(ticket.Principal.FindFirstValue(SessionClaim), out var session)
            || !views.Current.AdminKeysById.TryGetValue(id, out var principal)
            || !await ctx.RequestServices.GetRequiredService<DashboardSessions>().IsLiveAsync(session, ctx.RequestAborted))
            return null;
        ctx.User = ticket.Principal;
        return principal;
    }

    static SessionInfo Info(AdminPrincipal principal, HttpContext ctx, IAntiforgery antiforgery) =>
        new(principal.Name, principal.Role, principal.TeamId, antiforgery.GetAndStoreTokens(ctx).RequestToken!);
}
