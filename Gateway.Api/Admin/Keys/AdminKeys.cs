using FluentValidation;
using Gateway.Domain.Keys;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Keys;

/// <summary>
/// Issue an admin key for a person or service with a role: admin, key-manager (of one team), finance or auditor.
/// The secret is in this response only. <c>name</c> is the actor recorded on every change made with the key.
/// </summary>
public sealed record IssueAdminKey(string Name, string Role, Guid? TeamId = null);

public sealed class IssueAdminKeyValidator : AbstractValidator<IssueAdminKey>
{
    public static readonly IssueAdminKeyValidator Instance = new();

    IssueAdminKeyValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(AdminLimits.Name);
        RuleFor(x => x.Role).Must(AdminRoles.IsKnown).WithMessage("must be admin, key-manager, finance or auditor.");
        RuleFor(x => x.TeamId).NotEmpty().When(x => x.Role == AdminRoles.KeyManager).WithMessage("is required for a key manager.");
        RuleFor(x => x.TeamId).Null().When(x => x.Role != AdminRoles.KeyManager).WithMessage("is only for a key manager.");
    }
}

public sealed record AdminKeyResponse(Guid Id, string Name, string Role, Guid? TeamId, string Prefix, string Origin, bool Revoked, DateTimeOffset IssuedAt)
{
    public static AdminKeyResponse From(AdminKeyView v) => new(v.Id, v.Name ?? $"{v.Origin} admin key", v.Role, v.TeamId, v.Prefix, v.Origin, v.Revoked, v.IssuedAt);
}

public sealed record IssuedAdminKeyResponse(Guid Id, string Name, string Role, Guid? TeamId, string Key) : CreationResponse($"/admin/admin-keys/{Id}");

public static class AdminKeysEndpoint
{
    public static async Task<ProblemDetails> ValidateAsync(IssueAdminKey command, IQuerySession session, CancellationToken ct)
    {
        var problems = AdminProblems.Check(IssueAdminKeyValidator.Instance, command);
        if (problems != WolverineContinue.NoProblems) return problems;
        return command.TeamId is { } team && await session.LoadAsync<TeamView>(team, ct) is null
            ? AdminProblems.Invalid("teamId", $"no team with id {team}.")
            : WolverineContinue.NoProblems;
    }

    [WolverinePost("/admin/admin-keys", OperationId = "issueAdminKey")]
    [Tags("admin keys")]
    public static IssuedAdminKeyResponse Post(IssueAdminKey command, IDocumentSession session)
    {
        var secret = KeySecret.NewAdminKey();
        var issued = new AdminKeyIssued(Guid.CreateVersion7(), KeySecret.Hash(secret), KeySecret.Display(secret), "api", command.Role, command.Name.Trim(), command.TeamId);
        session.Events.StartStream<AdminKeyView>(issued.AdminKeyId, issued);
        return new IssuedAdminKeyResponse(issued.AdminKeyId, command.Name.Trim(), command.Role, command.TeamId, secret);
    }
}

public static class ListAdminKeysEndpoint
{
    [WolverineGet("/admin/admin-keys", OperationId = "listAdminKeys")]
    [Tags("admin keys")]
    public static async Task<IReadOnlyList<AdminKeyResponse>> Get(IQuerySession session, CancellationToken ct) =>
        (await session.Query<AdminKeyView>().OrderBy(k => k.IssuedAt).ToListAsync(ct)).Select(AdminKeyResponse.From).ToList();
}

public static class RevokeAdminKeyEndpoint
{
    public static ProblemDetails Validate(RevokeKey? command) => RevokeKey.Check(command);

    [WolverinePost("/admin/admin-keys/{id}/revoke", OperationId = "revokeAdminKey")]
    [Tags("admin keys")]
    public static async Task<IResult> Post(Guid id, RevokeKey? command, IDocumentSession session, HttpContext ctx, CancellationToken ct)
    {
        var key = await session.LoadAsync<AdminKeyView>(id, ct);
        if (key is null) return Results.Problem(AdminProblems.NotFound($"No admin key with id {id}."));
        if (ctx.Principal().Id == id) return Results.Problem(AdminProblems.Conflict("id", "an admin key cannot revoke itself."));
        if (!key.Revoked)
        {
            session.Events.Append(id, new AdminKeyRevoked(id, command?.Reason));
            await session.SaveChangesAsync(ct);
        }
        return Results.NoContent();
    }
}
