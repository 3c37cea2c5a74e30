using FluentValidation;
using Gateway.Domain.Keys;
using Gateway.Domain.Teams;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Keys;

/// <summary>
/// A key's or a team's scope: the models or routes it may call (null = all) and its rate limits (null = none).
/// Replaces the previous scope as a whole; applies to the next request.
/// </summary>
public sealed record SetScope(IReadOnlyList<string>? AllowedModels, int? RequestsPerMinute, int? TokensPerMinute);

public sealed class SetScopeValidator : AbstractValidator<SetScope>
{
    public static readonly SetScopeValidator Instance = new();

    SetScopeValidator()
    {
        RuleFor(x => x.RequestsPerMinute).GreaterThan(0);
        RuleFor(x => x.TokensPerMinute).GreaterThan(0);
        RuleFor(x => x.AllowedModels).AtMost(AdminLimits.AllowedModels);
        RuleForEach(x => x.AllowedModels).NotEmpty().MaximumLength(AdminLimits.ModelName)
            .When(x => AdminLimitRules.AtMost(x.AllowedModels, AdminLimits.AllowedModels));
    }
}

public static class SetKeyScopeEndpoint
{
    public static ProblemDetails Validate(SetScope command) => AdminProblems.Check(SetScopeValidator.Instance, command);

    [WolverinePut("/admin/keys/{id}/scope", OperationId = "setKeyScope")]
    [Tags("keys")]
    [ProducesResponseType<KeyResponse>(200)]
    public static async Task<IResult> Put(Guid id, SetScope command, IDocumentSession session, HttpContext ctx, CancellationToken ct)
    {
        var (key, refusal) = await ManagedKey.LoadAsync(id, session, ctx, ct);
        if (refusal is not null) return refusal;
        session.Events.Append(id, new KeyScopeSet(id, command.AllowedModels, command.RequestsPerMinute, command.TokensPerMinute));
        await session.SaveChangesAsync(ct);
        return Results.Ok(KeyResponse.From((await session.LoadAsync<KeyView>(id, ct))!));
    }
}

public static class SetTeamScopeEndpoint
{
    public static ProblemDetails Validate(SetScope command) => AdminProblems.Check(SetScopeValidator.Instance, command);

    [WolverinePut("/admin/teams/{id}/scope", OperationId = "setTeamScope")]
    [Tags("teams")]
    public static async Task<IResult> Put(Guid id, SetScope command, IDocumentSession session, CancellationToken ct)
    {
        if (await session.LoadAsync<TeamView>(id, ct) is null) return Results.Problem(AdminProblems.NotFound($"No team with id {id}."));
        session.Events.Append(id, new TeamScopeSet(id, command.AllowedModels, command.RequestsPerMinute, command.TokensPerMinute));
        await session.SaveChangesAsync(ct);
        var team = (await session.LoadAsync<TeamView>(id, ct))!;
        return Results.Ok(new { team.Id, team.Name, team.AllowedModels, team.RequestsPerMinute, team.TokensPerMinute });
    }
}

/// <summary>Rotate a key: a new secret, shown once; the old one keeps working for the grace period (default 24 h, 0 = none).</summary>
public sealed record RotateKey(int GracePeriodSeconds = 86_400);

public sealed record RotatedKeyResponse(Guid Id, string Prefix, string Key, DateTimeOffset PreviousSecretValidUntil);

public static class RotateKeyEndpoint
{
    public static ProblemDetails Validate(RotateKey command) =>
        command is { GracePeriodSeconds: < 0 or > 30 * 86_400 }
            ? AdminProblems.Invalid("gracePeriodSeconds", "must be between 0 and 2592000 (30 days).")
            : WolverineContinue.NoProblems;

    [WolverinePost("/admin/keys/{id}/rotate", OperationId = "rotateKey")]
    [Tags("keys")]
    [ProducesResponseType<RotatedKeyResponse>(200)]
    public static async Task<IResult> Post(Guid id, RotateKey? command, IDocumentSession session, TimeProvider time, HttpContext ctx, CancellationToken ct)
    {
        var (key, refusal) = await ManagedKey.LoadAsync(id, session, ctx, ct);
        if (refusal is not null) return refusal;
        if (key!.Revoked) return Results.Problem(AdminProblems.Conflict("id", "a revoked key cannot be rotated."));
        var secret = KeySecret.NewGatewayKey();
        var until = time.GetUtcNow().AddSeconds((command ?? new RotateKey()).GracePeriodSeconds);
        session.Events.Append(id, new KeyRotated(id, KeySecret.Hash(secret), KeySecret.Display(secret), until));
        await session.SaveChangesAsync(ct);
        return Results.Ok(new RotatedKeyResponse(id, KeySecret.Display(secret), secret, until));
    }
}

/// <summary>Set, move or remove (null) a key's expiry; past it the key is refused.</summary>
public sealed record SetKeyExpiry(DateTimeOffset? ExpiresAt);

public static class SetKeyExpiryEndpoint
{
    [WolverinePut("/admin/keys/{id}/expiry", OperationId = "setKeyExpiry")]
    [Tags("keys")]
    [ProducesResponseType<KeyResponse>(200)]
    public static async Task<IResult> Put(Guid id, SetKeyExpiry command, IDocumentSession session, HttpContext ctx, CancellationToken ct)
    {
        var (key, refusal) = await ManagedKey.LoadAsync(id, session, ctx, ct);
        if (refusal is not null) return refusal;
        session.Events.Append(id, new KeyExpirySet(id, command.ExpiresAt?.ToUniversalTime()));
        await session.SaveChangesAsync(ct);
        return Results.Ok(KeyResponse.From((await session.LoadAsync<KeyView>(id, ct))!));
    }
}
