using FluentValidation;
using Gateway.Domain.Teams;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Teams;

/// <summary>Create a team, in an account (optional).</summary>
public sealed record CreateTeam(string Name, Guid? AccountId = null);

public sealed class CreateTeamValidator : AbstractValidator<CreateTeam>
{
    public static readonly CreateTeamValidator Instance = new();

    CreateTeamValidator() => RuleFor(x => x.Name).NotEmpty().MaximumLength(AdminLimits.Name);
}

public sealed record TeamResponse(Guid Id, string Name, DateTimeOffset CreatedAt, Guid? AccountId = null) : CreationResponse($"/admin/teams/{Id}")
{
    public IReadOnlyList<string>? AllowedModels { get; init; }
    public int? RequestsPerMinute { get; init; }
    public int? TokensPerMinute { get; init; }
    public int? BodyRetentionDays { get; init; }

    public static TeamResponse From(TeamView t) => new(t.Id, t.Name, t.CreatedAt, t.AccountId)
    {
        AllowedModels = t.AllowedModels, RequestsPerMinute = t.RequestsPerMinute, TokensPerMinute = t.TokensPerMinute,
        BodyRetentionDays = t.BodyRetentionDays,
    };
}

public static class CreateTeamEndpoint
{
    public static async Task<ProblemDetails> ValidateAsync(CreateTeam command, IQuerySession session, CancellationToken ct)
    {
        var problems = AdminProblems.Check(CreateTeamValidator.Instance, command);
        if (problems != WolverineContinue.NoProblems) return problems;
        return command.AccountId is { } account && await session.LoadAsync<AccountView>(account, ct) is null
            ? AdminProblems.Invalid("accountId", $"no account with id {account}.")
            : WolverineContinue.NoProblems;
    }

    [WolverinePost("/admin/teams", OperationId = "createTeam")]
    [Tags("teams")]
    public static TeamResponse Post(CreateTeam command, IDocumentSession session, TimeProvider time)
    {
        var created = new TeamCreated(Guid.CreateVersion7(), command.Name.Trim(), command.AccountId);
        session.Events.StartStream<TeamView>(created.TeamId, created);
        return new TeamResponse(created.TeamId, created.Name, time.GetUtcNow(), created.AccountId);
    }
}

// A class of its own: Wolverine applies a class's Validate method to every endpoint in it.
public static class ListTeamsEndpoint
{
    [WolverineGet("/admin/teams", OperationId = "listTeams")]
    [Tags("teams")]
    public static async Task<IReadOnlyList<TeamResponse>> List(IQuerySession session, CancellationToken ct) =>
        (await session.Query<TeamView>().OrderBy(t => t.Name).ToListAsync(ct)).Select(TeamResponse.From).ToList();
}
