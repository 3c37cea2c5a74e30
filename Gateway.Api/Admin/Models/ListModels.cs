using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Models;

public static class ListModelsEndpoint
{
    [WolverineGet("/admin/models", OperationId = "listModels")]
    [Tags("models")]
    public static async Task<IReadOnlyList<ModelResponse>> Get(IQuerySession session, CancellationToken ct)
    {
        var models = await session.Query<ModelView>().OrderBy(m => m.PublicId).ToListAsync(ct);
        var providers = (await session.Query<ProviderView>().ToListAsync(ct)).ToDictionary(p => p.Id, p => p.Name);
        return models.Select(m => ModelResponse.From(m, providers.GetValueOrDefault(m.ProviderId, ""))).ToList();
    }
}
