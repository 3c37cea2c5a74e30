using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Teams;

/// <summary>One team with its scope and body retention: where a team's creation points (<c>Location</c>).</summary>
public static class GetTeamEndpoint
{
    [WolverineGet("/admin/teams/{id}", OperationId = "getTeam")]
    [Tags("teams")]
    [ProducesResponseType<TeamResponse>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<TeamView>(id, ct) is { } team
            ? Results.Ok(TeamResponse.From(team))
            : Results.Problem(AdminProblems.NotFound($"No team with id {id}."));
}
