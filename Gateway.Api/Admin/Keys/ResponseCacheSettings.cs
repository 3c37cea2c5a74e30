using FluentValidation;
using Gateway.Domain.Keys;
using Gateway.Domain.Teams;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Keys;

/// <summary>
/// Turns the exact-match response cache on for a key or a team: its answers are kept <c>ttlSeconds</c> (at most a day)
/// and served again to the same team for the same request (docs/caching.md); null turns it off.
/// </summary>
public sealed record SetResponseCache(int? TtlSeconds);

public sealed class SetResponseCacheValidator : AbstractValidator<SetResponseCache>
{
    public static readonly SetResponseCacheValidator Instance = new();

    SetResponseCacheValidator() => RuleFor(x => x.TtlSeconds).InclusiveBetween(1, 86_400);
}

public static class SetKeyResponseCacheEndpoint
{
    public static ProblemDetails Validate(SetResponseCache command) => AdminProblems.Check(SetResponseCacheValidator.Instance, command);

    [WolverinePut("/admin/keys/{id}/cache", OperationId = "setKeyResponseCache")]
    [Tags("keys")]
    [ProducesResponseType<KeyResponse>(200)]
    public static async Task<IResult> Put(Guid id, SetResponseCache command, IDocumentSession session, HttpContext ctx, CancellationToken ct)
    {
        var (_, refusal) = await ManagedKey.LoadAsync(id, session, ctx, ct);
        if (refusal is not null) return refusal;
        session.Events.Append(id, new KeyResponseCacheSet(id, command.TtlSeconds));
        await session.SaveChangesAsync(ct);
        return Results.Ok(KeyResponse.From((await session.LoadAsync<KeyView>(id, ct))!));
    }
}

public static class SetTeamResponseCacheEndpoint
{
    public static ProblemDetails Validate(SetResponseCache command) => AdminProblems.Check(SetResponseCacheValidator.Instance, command);

    [WolverinePut("/admin/teams/{id}/cache", OperationId = "setTeamResponseCache")]
    [Tags("teams")]
    public static async Task<IResult> Put(Guid id, SetResponseCache command, IDocumentSession session, CancellationToken ct)
    {
        if (await session.LoadAsync<TeamView>(id, ct) is null) return Results.Problem(AdminProblems.NotFound($"No team with id {id}."));
        session.Events.Append(id, new TeamResponseCacheSet(id, command.TtlSeconds));
        await session.SaveChangesAsync(ct);
        var team = (await session.LoadAsync<TeamView>(id, ct))!;
        return Results.Ok(new { team.Id, team.Name, team.CacheTtlSeconds });
    }
}
