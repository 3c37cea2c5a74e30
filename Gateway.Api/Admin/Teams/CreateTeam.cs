using FluentValidation;
using Gateway.Domain.Teams;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Teams;

public sealed record CreateTeam(string Name);

public sealed class CreateTeamValidator : AbstractValidator<CreateTeam>
{
    public static readonly CreateTeamValidator Instance = new();

    CreateTeamValidator() => RuleFor(x => x.Name).NotEmpty().MaximumLength(100);
}

public sealed record TeamResponse(Guid Id, string Name, DateTimeOffset CreatedAt) : CreationResponse($"/admin/teams/{Id}")
{
    public static TeamResponse From(TeamView t) => new(t.Id, t.Name, t.CreatedAt);
}

public static class CreateTeamEndpoint
{
    public static ProblemDetails Validate(CreateTeam command) => AdminProblems.Check(CreateTeamValidator.Instance, command);

    [WolverinePost("/admin/teams", OperationId = "createTeam")]
    [Tags("teams")]
    public static TeamResponse Post(CreateTeam command, IDocumentSession session, TimeProvider time)
    {
        var created = new TeamCreated(Guid.CreateVersion7(), command.Name.Trim());
        session.Events.StartStream<TeamView>(created.TeamId, created);
        return new TeamResponse(created.TeamId, created.Name, time.GetUtcNow());
    }

    [WolverineGet("/admin/teams", OperationId = "listTeams")]
    [Tags("teams")]
    public static async Task<IReadOnlyList<TeamResponse>> List(IQuerySession session, CancellationToken ct) =>
        (await session.Query<TeamView>().OrderBy(t => t.Name).ToListAsync(ct)).Select(TeamResponse.From).ToList();
}
