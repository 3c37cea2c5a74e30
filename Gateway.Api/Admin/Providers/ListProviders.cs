using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Providers;

public static class ListProvidersEndpoint
{
    [WolverineGet("/admin/providers", OperationId = "listProviders")]
    [Tags("providers")]
    public static async Task<IReadOnlyList<ProviderResponse>> Get(IQuerySession session, CancellationToken ct)
    {
        var providers = await session.Query<ProviderView>().OrderBy(p => p.Name).ToListAsync(ct);
        return providers.Select(ProviderResponse.From).ToList();
    }
}
