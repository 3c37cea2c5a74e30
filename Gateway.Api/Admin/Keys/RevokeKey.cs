using FluentValidation;
using Gateway.Domain.Keys;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Keys;

/// <summary>Why a key (or an admin key) is revoked; the body is optional.</summary>
public sealed record RevokeKey(string? Reason)
{
    public static ProblemDetails Check(RevokeKey? command) =>
        command is null ? WolverineContinue.NoProblems : AdminProblems.Check(RevokeKeyValidator.Instance, command);
}

public sealed class RevokeKeyValidator : AbstractValidator<RevokeKey>
{
    public static readonly RevokeKeyValidator Instance = new();

    RevokeKeyValidator() => RuleFor(x => x.Reason).MaximumLength(AdminLimits.Reason);
}

public static class RevokeKeyEndpoint
{
    public static ProblemDetails Validate(RevokeKey? command) => RevokeKey.Check(command);

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
