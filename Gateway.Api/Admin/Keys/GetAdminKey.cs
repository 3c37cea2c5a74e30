using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Keys;

/// <summary>One admin key (never its secret): where an admin key's issue points (<c>Location</c>).</summary>
public static class GetAdminKeyEndpoint
{
    [WolverineGet("/admin/admin-keys/{id}", OperationId = "getAdminKey")]
    [Tags("admin keys")]
    [ProducesResponseType<AdminKeyResponse>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<AdminKeyView>(id, ct) is { } key
            ? Results.Ok(AdminKeyResponse.From(key))
            : Results.Problem(AdminProblems.NotFound($"No admin key with id {id}."));
}
