using Gateway.Domain.Keys;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Keys;

public sealed record RevokeKey(string? Reason);

public static class RevokeKeyEndpoint
{
    /// <summary>Revoke a key: refused from its very next request on.</summary>
    [WolverinePost("/admin/keys/{id}/revoke", OperationId = "revokeKey")]
    [Tags("keys")]
    [ProducesResponseType<KeyResponse>(200)]
    public static async Task<IResult> Post(Guid id, RevokeKey? command, IDocumentSession session, HttpContext ctx, CancellationToken ct)
    {
        var (key, refusal) = await ManagedKey.LoadAsync(id, session, ctx, ct);
        if (refusal is not null) return refusal;
        if (!key!.Revoked)
        {
            session.Events.Append(id, new KeyRevoked(id, command?.Reason));
            await session.SaveChangesAsync(ct);
            key = (await session.LoadAsync<KeyView>(id, ct))!;
        }
        return Results.Ok(KeyResponse.From(key));
    }
}
