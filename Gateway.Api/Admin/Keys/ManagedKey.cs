using Gateway.Domain.Keys;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Admin.Keys;

/// <summary>
/// Loads the key a call is about: 404 when it does not exist, 403 when the caller may not change it (a change) or see
/// it (a read: every role but a key manager of another team).
/// </summary>
public static class ManagedKey
{
    public static async Task<(KeyView? Key, IResult? Refusal)> LoadAsync(Guid id, IQuerySession session, HttpContext ctx, CancellationToken ct)
    {
        var key = await session.LoadAsync<KeyView>(id, ct);
        if (key is null) return (null, NotFound(id));
        return ctx.Principal().MayManageTeam(key.TeamId)
            ? (key, null)
            : (null, AdminAuth.Forbidden($"This admin key may not manage keys of team {key.TeamId}."));
    }

    public static async Task<(KeyView? Key, IResult? Refusal)> LoadForReadingAsync(Guid id, IQuerySession session, HttpContext ctx, CancellationToken ct)
    {
        var key = await session.LoadAsync<KeyView>(id, ct);
        if (key is null) return (null, NotFound(id));
        return ctx.Principal() is { Role: AdminRoles.KeyManager } manager && manager.TeamId != key.TeamId
            ? (null, AdminAuth.Forbidden($"This admin key may not read keys of team {key.TeamId}."))
            : (key, null);
    }

    static IResult NotFound(Guid id) => Results.Problem(AdminProblems.NotFound($"No key with id {id}."));
}
