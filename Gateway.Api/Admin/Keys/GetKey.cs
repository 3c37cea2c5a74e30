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
        var (key, refusal) = await ManagedKey.LoadForReadingAsync(id, session, ctx, ct);
        return refusal ?? Results.Ok(KeyResponse.From(key!));
    }
}
