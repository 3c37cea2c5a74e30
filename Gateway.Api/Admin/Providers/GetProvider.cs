using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Providers;

/// <summary>One provider (whether it has a key, never the key): where a provider's registration points (<c>Location</c>).</summary>
public static class GetProviderEndpoint
{
    [WolverineGet("/admin/providers/{id}", OperationId = "getProvider")]
    [Tags("providers")]
    [ProducesResponseType<ProviderResponse>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<ProviderView>(id, ct) is { } provider
            ? Results.Ok(ProviderResponse.From(provider))
            : Results.Problem(AdminProblems.NotFound($"No provider with id {id}."));
}
