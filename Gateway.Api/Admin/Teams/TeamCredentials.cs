using FluentValidation;
using Gateway.Api.Security;
using Gateway.Domain.Teams;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Teams;

/// <summary>A team's own key for one provider (BYOK): encrypted at rest, used for that team's requests, never returned.</summary>
public sealed record SetTeamCredential(string ApiKey);

public sealed class SetTeamCredentialValidator : AbstractValidator<SetTeamCredential>
{
    public static readonly SetTeamCredentialValidator Instance = new();

    SetTeamCredentialValidator() => RuleFor(x => x.ApiKey).NotEmpty().MaximumLength(AdminLimits.ApiKey);
}

public sealed record TeamCredentialResponse(Guid TeamId, Guid ProviderId, string Provider, Guid CredentialId);

public static class SetTeamCredentialEndpoint
{
    public static ProblemDetails Validate(SetTeamCredential command) => AdminProblems.Check(SetTeamCredentialValidator.Instance, command);

    [WolverinePut("/admin/teams/{teamId}/credentials/{providerId}", OperationId = "setTeamCredential")]
    [Tags("teams")]
    [ProducesResponseType<TeamCredentialResponse>(200)]
    public static async Task<IResult> Put(Guid teamId, Guid providerId, SetTeamCredential command, IDocumentSession session, SecretBox secrets, CancellationToken ct)
    {
        var team = await session.LoadAsync<TeamView>(teamId, ct);
        if (team is null) return Results.Problem(AdminProblems.NotFound($"No team with id {teamId}."));
        var provider = await session.LoadAsync<ProviderView>(providerId, ct);
        if (provider is null) return Results.Problem(AdminProblems.NotFound($"No provider with id {providerId}."));

        var credentialId = Guid.CreateVersion7();
        session.Store(secrets.Seal(credentialId, command.ApiKey));
        // A replaced key's ciphertext is deleted, as for the gateway's own keys.
        if (team.Credentials.TryGetValue(providerId, out var old))
        {
            session.Delete<ProviderSecret>(old);
            session.Events.Append(teamId, new TeamCredentialRemoved(teamId, providerId, old));
        }
        session.Events.Append(teamId, new TeamCredentialRegistered(teamId, providerId, credentialId));
        await session.SaveChangesAsync(ct);
        return Results.Ok(new TeamCredentialResponse(teamId, providerId, provider.Name, credentialId));
    }

}

// Separate classes: Wolverine applies a class's Validate method to every endpoint in it.
public static class RemoveTeamCredentialEndpoint
{
    [WolverineDelete("/admin/teams/{teamId}/credentials/{providerId}", OperationId = "removeTeamCredential")]
    [Tags("teams")]
    public static async Task<IResult> Delete(Guid teamId, Guid providerId, IDocumentSession session, CancellationToken ct)
    {
        var team = await session.LoadAsync<TeamView>(teamId, ct);
        if (team is null || !team.Credentials.TryGetValue(providerId, out var credentialId))
            return Results.Problem(AdminProblems.NotFound($"Team {teamId} has no own key for provider {providerId}."));
        session.Delete<ProviderSecret>(credentialId);
        session.Events.Append(teamId, new TeamCredentialRemoved(teamId, providerId, credentialId));
        await session.SaveChangesAsync(ct);
        return Results.NoContent();
    }

}

public static class ListTeamCredentialsEndpoint
{
    [WolverineGet("/admin/teams/{teamId}/credentials", OperationId = "listTeamCredentials")]
    [Tags("teams")]
    [ProducesResponseType<TeamCredentialResponse[]>(200)]
    public static async Task<IResult> List(Guid teamId, IQuerySession session, CancellationToken ct)
    {
        var team = await session.LoadAsync<TeamView>(teamId, ct);
        if (team is null) return Results.Problem(AdminProblems.NotFound($"No team with id {teamId}."));
        var ids = team.Credentials.Keys.ToArray();
        var providers = (await session.Query<ProviderView>().Where(p => ids.Contains(p.Id)).ToListAsync(ct)).ToDictionary(p => p.Id, p => p.Name);
        return Results.Ok(team.Credentials
            .Select(c => new TeamCredentialResponse(teamId, c.Key, providers.GetValueOrDefault(c.Key, "?"), c.Value))
            .ToArray());
    }
}
