using Gateway.Domain.Keys;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Keys;

/// <summary>One gateway key (never its secret): where a key's issue points (<c>Location</c>). A key manager reads its team's only.</summary>
public static class GetKeyEndpoint
{
    [WolverineGet("/admin/keys/{id}", OperationId = "getKey")]
    [Tags("keys")]
    [ProducesResponseType<KeyResponse>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, HttpContext ctx, CancellationToken ct)
    {
        var key = await session.LoadAsync<KeyView>(id, ct);
        if (key is null) return Results.Problem(AdminProblems.NotFound($"No key with id {id}."));
        if (ctx.Principal() is { Role: AdminRoles.KeyManager } manager && manager.TeamId != key.TeamId)
            return AdminAuth.Forbidden($"This admin key may not read keys of team {key.TeamId}.");
        return Results.Ok(KeyResponse.From(key));
    }
}
