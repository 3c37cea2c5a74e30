using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Models;

/// <summary>One catalog model with every price version: where a model's creation points (<c>Location</c>).</summary>
public static class GetModelEndpoint
{
    [WolverineGet("/admin/models/{id}", OperationId = "getModel")]
    [Tags("models")]
    [ProducesResponseType<ModelResponse>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct)
    {
        var model = await session.LoadAsync<ModelView>(id, ct);
        if (model is null) return Results.Problem(AdminProblems.NotFound($"No model with id {id}."));
        var provider = await session.LoadAsync<ProviderView>(model.ProviderId, ct);
        return Results.Ok(ModelResponse.From(model, provider?.Name ?? ""));
    }
}
