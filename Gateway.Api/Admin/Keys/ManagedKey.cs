using Gateway.Projections;
using Marten;

namespace Gateway.Api.Admin.Keys;

/// <summary>Loads a key a change is about: 404 when it does not exist, 403 when the caller may not manage its team.</summary>
public static class ManagedKey
{
    public static async Task<(KeyView? Key, IResult? Refusal)> LoadAsync(Guid id, IQuerySession session, HttpContext ctx, CancellationToken ct)
    {
        var key = await session.LoadAsync<KeyView>(id, ct);
        if (key is null) return (null, Results.Problem(AdminProblems.NotFound($"No key with id {id}.")));
        return ctx.Principal().MayManageTeam(key.TeamId)
            ? (key, null)
            : (null, AdminAuth.Forbidden($"This admin key may not manage keys of team {key.TeamId}."));
    }
}
