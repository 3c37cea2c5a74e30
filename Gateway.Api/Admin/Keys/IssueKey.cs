using FluentValidation;
using Gateway.Domain.Keys;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Keys;

/// <summary>
/// Issue a gateway key to a team. The secret is in this response only; the gateway keeps its hash.
/// <paramref name="AllowsRequestProviderKey"/>: its requests may bring their own provider key in the X-Provider-Api-Key header.
/// </summary>
public sealed record IssueKey(Guid TeamId, string Name, bool AllowsRequestProviderKey = false, string? Owner = null,
    DateTimeOffset? ExpiresAt = null, IReadOnlyList<string>? AllowedModels = null, int? RequestsPerMinute = null, int? TokensPerMinute = null);

public sealed class IssueKeyValidator : AbstractValidator<IssueKey>
{
    public static readonly IssueKeyValidator Instance = new();

    IssueKeyValidator()
    {
        RuleFor(x => x.TeamId).NotEmpty();
        RuleFor(x => x.Name).NotEmpty().MaximumLength(AdminLimits.Name);
        RuleFor(x => x.Owner).MaximumLength(AdminLimits.Name);
        RuleFor(x => x.RequestsPerMinute).GreaterThan(0);
        RuleFor(x => x.TokensPerMinute).GreaterThan(0);
        RuleFor(x => x.AllowedModels).AtMost(AdminLimits.AllowedModels);
        RuleForEach(x => x.AllowedModels).NotEmpty().MaximumLength(AdminLimits.ModelName)
            .When(x => AdminLimitRules.AtMost(x.AllowedModels, AdminLimits.AllowedModels));
    }
}

public sealed record IssuedKeyResponse(Guid Id, Guid TeamId, string Name, string Prefix, string Key) : CreationResponse($"/admin/keys/{Id}");

public static class IssueKeyEndpoint
{
    public static async Task<ProblemDetails> ValidateAsync(IssueKey command, IQuerySession session, HttpContext ctx, CancellationToken ct)
    {
        var problems = AdminProblems.Check(IssueKeyValidator.Instance, command);
        if (problems != WolverineContinue.NoProblems) return problems;
        if (!ctx.Principal().MayManageTeam(command.TeamId))
            return new ProblemDetails { Status = 403, Title = "Forbidden", Detail = $"This admin key may not issue keys for team {command.TeamId}." };
        return await session.LoadAsync<TeamView>(command.TeamId, ct) is null
            ? AdminProblems.Invalid("teamId", $"no team with id {command.TeamId}.")
            : WolverineContinue.NoProblems;
    }

    [WolverinePost("/admin/keys", OperationId = "issueKey")]
    [Tags("keys")]
    public static IssuedKeyResponse Post(IssueKey command, IDocumentSession session)
    {
        var secret = KeySecret.NewGatewayKey();
        var issued = Issue(command.TeamId, command.Name.Trim(), secret) with
        {
            AllowsRequestProviderKey = command.AllowsRequestProviderKey,
            Owner = string.IsNullOrWhiteSpace(command.Owner) ? null : command.Owner.Trim(),
            ExpiresAt = command.ExpiresAt?.ToUniversalTime(),
        };
        if (command.AllowedModels is not null || command.RequestsPerMinute is not null || command.TokensPerMinute is not null)
            session.Events.StartStream<KeyView>(issued.KeyId, issued,
                new KeyScopeSet(issued.KeyId, command.AllowedModels, command.RequestsPerMinute, command.TokensPerMinute));
        else session.Events.StartStream<KeyView>(issued.KeyId, issued);
        return new IssuedKeyResponse(issued.KeyId, issued.TeamId, issued.Name, issued.Prefix, secret);
    }

    /// <summary>The event for a new key; shared with the demo seed so both issue keys the same way.</summary>
    public static KeyIssued Issue(Guid teamId, string name, string secret) =>
        new(Guid.CreateVersion7(), teamId, name, KeySecret.Hash(secret), KeySecret.Display(secret));
}
