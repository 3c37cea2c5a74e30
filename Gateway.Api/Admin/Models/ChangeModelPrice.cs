using FluentValidation;
using Gateway.Api.Pricing;
using Gateway.Domain.Catalog;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Models;

/// <summary>
/// A new price for a model (USD per million tokens), in force from <c>effectiveFrom</c> (default: now). Requests
/// are priced by the version in force when they ran.
/// </summary>
public sealed record ChangeModelPrice(decimal InputPricePerMillion, decimal OutputPricePerMillion, decimal? CachedInputPricePerMillion = null,
    DateTimeOffset? EffectiveFrom = null, decimal? CacheWriteInputPricePerMillion = null);

public sealed class ChangeModelPriceValidator : AbstractValidator<ChangeModelPrice>
{
    public static readonly ChangeModelPriceValidator Instance = new();

    ChangeModelPriceValidator()
    {
        RuleFor(x => x.InputPricePerMillion).InclusiveBetween(0m, 100_000m);
        RuleFor(x => x.OutputPricePerMillion).InclusiveBetween(0m, 100_000m);
        RuleFor(x => x.CachedInputPricePerMillion).InclusiveBetween(0m, 100_000m);
        RuleFor(x => x.CacheWriteInputPricePerMillion).InclusiveBetween(0m, 100_000m);
    }
}

public static class ChangeModelPriceEndpoint
{
    public static ProblemDetails Validate(ChangeModelPrice command) => AdminProblems.Check(ChangeModelPriceValidator.Instance, command);

    [WolverinePut("/admin/models/{id}/price", OperationId = "changeModelPrice")]
    [Tags("models")]
    [ProducesResponseType<ModelResponse>(200)]
    public static async Task<IResult> Put(Guid id, ChangeModelPrice command, IDocumentSession session, TimeProvider time, CancellationToken ct)
    {
        var model = await session.LoadAsync<ModelView>(id, ct);
        if (model is null) return Results.Problem(AdminProblems.NotFound($"No model with id {id}."));
        session.Events.Append(id, new ModelPriceChanged(id, command.InputPricePerMillion, command.OutputPricePerMillion,
            command.CachedInputPricePerMillion, (command.EffectiveFrom ?? time.GetUtcNow()).ToUniversalTime(), command.CacheWriteInputPricePerMillion));
        await session.SaveChangesAsync(ct);
        model = (await session.LoadAsync<ModelView>(id, ct))!;
        var provider = await session.LoadAsync<ProviderView>(model.ProviderId, ct);
        return Results.Ok(ModelResponse.From(model, provider?.Name ?? ""));
    }
}

public static class LoadStarterPricesEndpoint
{
    /// <summary>Apply the shipped starter price list to the catalog models it names.</summary>
    [WolverinePost("/admin/prices/load-starter", OperationId = "loadStarterPrices")]
    [Tags("models")]
    public static Task<IReadOnlyList<StarterPrices.Applied>> Post(StarterPrices prices, IDocumentSession session, CancellationToken ct) => prices.ApplyAsync(ct, session);

    [WolverineGet("/admin/prices/starter", OperationId = "starterPrices")]
    [Tags("models")]
    public static IReadOnlyList<StarterPrices.Entry> Get() => StarterPrices.Read();
}
