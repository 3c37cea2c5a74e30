using FluentValidation;
using Gateway.Api.Security;
using Gateway.Domain.Providers;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Providers;

/// <summary>Replace (rotate) a provider's API key, or remove it with null; applies to the very next request.</summary>
public sealed record ReplaceProviderKey(string? ApiKey);

public sealed class ReplaceProviderKeyValidator : AbstractValidator<ReplaceProviderKey>
{
    public static readonly ReplaceProviderKeyValidator Instance = new();

    ReplaceProviderKeyValidator() => RuleFor(x => x.ApiKey).MaximumLength(AdminLimits.ApiKey);
}

public static class ReplaceProviderKeyEndpoint
{
    public static ProblemDetails Validate(ReplaceProviderKey command) => AdminProblems.Check(ReplaceProviderKeyValidator.Instance, command);

    [WolverinePut("/admin/providers/{id}/key", OperationId = "replaceProviderKey")]
    [Tags("providers")]
    [ProducesResponseType<ProviderResponse>(200)]
    public static async Task<IResult> Put(Guid id, ReplaceProviderKey command, IDocumentSession session, SecretBox secrets, CancellationToken ct)
    {
        var provider = await session.LoadAsync<ProviderView>(id, ct);
        if (provider is null) return Results.Problem(AdminProblems.NotFound($"No provider with id {id}."));

        Guid? credentialId = null;
        if (!string.IsNullOrEmpty(command.ApiKey))
        {
            credentialId = Guid.CreateVersion7();
            session.Store(secrets.Seal(credentialId.Value, command.ApiKey));
        }
        // The old ciphertext is deleted: a rotated-out key should not stay readable at rest.
        if (provider.CredentialId is { } old) session.Delete<ProviderSecret>(old);
        session.Events.Append(id, new ProviderCredentialReplaced(id, credentialId));
        await session.SaveChangesAsync(ct);
        return Results.Ok(ProviderResponse.From((await session.LoadAsync<ProviderView>(id, ct))!));
    }
}
