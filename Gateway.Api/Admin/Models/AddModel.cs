using FluentValidation;
using Gateway.Api.ControlPlane;
using Gateway.Domain.Catalog;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Models;

/// <summary>
/// Add a catalog model. Its public id is <c>provider/model</c>; <see cref="UpstreamModel"/> is the name the
/// provider knows it by (defaults to <see cref="Model"/>). Prices are USD per million tokens.
/// </summary>
public sealed record AddModel(
    string Provider,
    string Model,
    string? UpstreamModel,
    decimal InputPricePerMillion,
    decimal OutputPricePerMillion,
    bool Enabled = true,
    decimal? CachedInputPricePerMillion = null,
    decimal? CacheWriteInputPricePerMillion = null);

public sealed class AddModelValidator : AbstractValidator<AddModel>
{
    public static readonly AddModelValidator Instance = new();

    AddModelValidator()
    {
        RuleFor(x => x.Provider).NotEmpty().MaximumLength(AdminLimits.Identifier);
        RuleFor(x => x.Model).NotEmpty().MaximumLength(AdminLimits.ModelName)
            .Must(m => m is null || !m.Any(char.IsWhiteSpace)).WithMessage("must not contain white space.");
        RuleFor(x => x.UpstreamModel).MaximumLength(AdminLimits.ModelName);
        RuleFor(x => x.InputPricePerMillion).InclusiveBetween(0m, 100_000m);
        RuleFor(x => x.OutputPricePerMillion).InclusiveBetween(0m, 100_000m);
        RuleFor(x => x.CachedInputPricePerMillion).InclusiveBetween(0m, 100_000m);
        RuleFor(x => x.CacheWriteInputPricePerMillion).InclusiveBetween(0m, 100_000m);
    }
}

public sealed record ModelResponse(
    Guid Id, string PublicId, string Provider, string UpstreamModel,
    decimal InputPricePerMillion, decimal OutputPricePerMillion, bool Enabled, DateTimeOffset ChangedAt)
    : CreationResponse($"/admin/models/{Id}")
{
    public decimal? CachedInputPricePerMillion { get; init; }
    public decimal? CacheWriteInputPricePerMillion { get; init; }
    /// <summary>Every price version with the instant it took effect.</summary>
    public IReadOnlyList<Gateway.Domain.Pricing.PriceVersion>? Prices { get; init; }

    public static ModelResponse From(ModelView m, string providerName) => new(
        m.Id, m.PublicId, providerName, m.UpstreamModel, m.InputPricePerMillion, m.OutputPricePerMillion, m.Enabled, m.ChangedAt)
    {
        CachedInputPricePerMillion = m.CachedInputPricePerMillion,
        CacheWriteInputPricePerMillion = m.CacheWriteInputPricePerMillion,
        Prices = m.Prices,
    };
}

public static class AddModelEndpoint
{
    public static ProblemDetails Validate(AddModel command, ControlPlaneViews views)
    {
        var problems = AdminProblems.Check(AddModelValidator.Instance, command);
        if (problems != WolverineContinue.NoProblems) return problems;
        var snapshot = views.Current;
        if (!snapshot.ProvidersByName.ContainsKey(command.Provider))
            return AdminProblems.Invalid("provider", $"no provider named '{command.Provider}' is registered.");
        var publicId = ModelId.Compose(command.Provider, command.Model);
        return snapshot.ModelsByPublicId.ContainsKey(publicId)
            ? AdminProblems.Conflict("model", $"The catalog already has '{publicId}'.")
            : WolverineContinue.NoProblems;
    }

    [WolverinePost("/admin/models", OperationId = "addModel")]
    [Tags("models")]
    public static ModelResponse Post(AddModel command, IDocumentSession session, ControlPlaneViews views, TimeProvider time)
    {
        var provider = views.Current.ProvidersByName[command.Provider];
        var added = new ModelAdded(
            Guid.CreateVersion7(),
            ModelId.Compose(command.Provider, command.Model),
            provider.Id,
            string.IsNullOrWhiteSpace(command.UpstreamModel) ? command.Model : command.UpstreamModel,
            command.InputPricePerMillion,
            command.OutputPricePerMillion,
            command.Enabled,
            command.CachedInputPricePerMillion, command.CacheWriteInputPricePerMillion);
        session.Events.StartStream<ModelView>(added.ModelId, added);
        var now = time.GetUtcNow();
        return new ModelResponse(added.ModelId, added.PublicId, provider.Name, added.UpstreamModel,
            added.InputPricePerMillion, added.OutputPricePerMillion, added.Enabled, now);
    }
}
