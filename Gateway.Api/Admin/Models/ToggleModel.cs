using Gateway.Domain.Catalog;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Models;

/// <summary>Enable or disable a catalog model; the change applies to the very next request.</summary>
public static class ToggleModelEndpoint
{
    [WolverinePost("/admin/models/{id}/enable", OperationId = "enableModel")]
    [Tags("models")]
    [ProducesResponseType<ModelResponse>(200)]
    public static Task<IResult> Enable(Guid id, IDocumentSession session, CancellationToken ct) => ToggleAsync(id, enable: true, session, ct);

    [WolverinePost("/admin/models/{id}/disable", OperationId = "disableModel")]
    [Tags("models")]
    [ProducesResponseType<ModelResponse>(200)]
    public static Task<IResult> Disable(Guid id, IDocumentSession session, CancellationToken ct) => ToggleAsync(id, enable: false, session, ct);

    static async Task<IResult> ToggleAsync(Guid id, bool enable, IDocumentSession session, CancellationToken ct)
    {
        var model = await session.LoadAsync<ModelView>(id, ct);
        if (model is null) return Results.Problem(AdminProblems.NotFound($"No model with id {id}."));
        if (model.Enabled != enable)
        {
            session.Events.Append(id, enable ? new ModelEnabled(id) : new ModelDisabled(id));
            await session.SaveChangesAsync(ct);
            model = (await session.LoadAsync<ModelView>(id, ct))!;
        }
        var provider = await session.LoadAsync<ProviderView>(model.ProviderId, ct);
        return Results.Ok(ModelResponse.From(model, provider?.Name ?? ""));
    }
}
