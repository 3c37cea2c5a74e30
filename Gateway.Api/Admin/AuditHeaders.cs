using Marten;

namespace Gateway.Api.Admin;

/// <summary>
/// Wolverine middleware on every admin endpoint that changes something: the events it appends carry, as Marten
/// event headers, who made the change (the admin key's holder and id, its role), from where (address and user
/// agent) and why (the free-text <c>X-Audit-Reason</c> header). The event's own timestamp says when.
/// </summary>
public static class AuditHeaders
{
    public const string ReasonHeader = "X-Audit-Reason";

    public static void Before(HttpContext ctx, IDocumentSession session)
    {
        var principal = ctx.Principal();
        session.SetHeader("actor", principal.Name);
        session.SetHeader("actorId", principal.Id.ToString());
        session.SetHeader("role", principal.Role);
        session.SetHeader("source", $"{ctx.Connection.RemoteIpAddress?.ToString() ?? "local"} {ctx.Request.Headers.UserAgent}".Trim());
        var reason = ctx.Request.Headers[ReasonHeader].ToString();
        if (!string.IsNullOrWhiteSpace(reason)) session.SetHeader("reason", reason.Length > AdminLimits.Reason ? reason[..AdminLimits.Reason] : reason);
    }
}
