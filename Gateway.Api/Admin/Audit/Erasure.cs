using Gateway.Api.Admin.Keys;
using Gateway.Api.Audit;
using Gateway.Domain.Teams;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Audit;

/// <summary>Erase one request's bodies (its record stays). The reason goes in the X-Audit-Reason header.</summary>
public static class EraseRequestBodiesEndpoint
{
    [WolverineDelete("/admin/requests/{id}/bodies", OperationId = "eraseRequestBodies")]
    [Tags("requests")]
    public static async Task<IResult> Delete(Guid id, IDocumentSession session, CancellationToken ct)
    {
        var erased = await BodyErasure.EraseRequestAsync(session, id, ct);
        return erased == 0
            ? Results.Problem(AdminProblems.NotFound($"No stored bodies for request {id} (never stored, expired or already erased)."))
            : Results.Ok(new { requestId = id, erased });
    }
}

/// <summary>Erase the bodies of every request a key made (its records stay).</summary>
public static class EraseKeyBodiesEndpoint
{
    [WolverineDelete("/admin/keys/{id}/bodies", OperationId = "eraseKeyBodies")]
    [Tags("keys")]
    public static async Task<IResult> Delete(Guid id, IDocumentSession session, HttpContext ctx, CancellationToken ct)
    {
        var (_, refusal) = await ManagedKey.LoadAsync(id, session, ctx, ct);
        if (refusal is not null) return refusal;
        return Results.Ok(new { keyId = id, erased = await BodyErasure.EraseKeyAsync(session, id, ct) });
    }
}

/// <summary>How many days a team's request and response bodies are kept; null keeps them until erased.</summary>
public sealed record SetBodyRetention(int? BodyRetentionDays);

public static class SetBodyRetentionEndpoint
{
    public static ProblemDetails Validate(SetBodyRetention command) =>
        command is { BodyRetentionDays: < 1 or > 3650 }
            ? AdminProblems.Invalid("bodyRetentionDays", "must be between 1 and 3650, or null to keep bodies until erased.")
            : WolverineContinue.NoProblems;

    [WolverinePut("/admin/teams/{id}/retention", OperationId = "setTeamBodyRetention")]
    [Tags("teams")]
    public static async Task<IResult> Put(Guid id, SetBodyRetention command, IDocumentSession session, CancellationToken ct)
    {
        if (await session.LoadAsync<TeamView>(id, ct) is null) return Results.Problem(AdminProblems.NotFound($"No team with id {id}."));
        session.Events.Append(id, new TeamBodyRetentionSet(id, command.BodyRetentionDays));
        await session.SaveChangesAsync(ct);
        return Results.Ok(new { teamId = id, command.BodyRetentionDays });
    }
}
