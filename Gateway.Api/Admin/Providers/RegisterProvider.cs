using FluentValidation;
using Gateway.Api.ControlPlane;
using Gateway.Api.Security;
using Gateway.Domain.Providers;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Providers;

/// <summary>
/// Register an upstream. The API key is encrypted at rest and never returned. <paramref name="ApiVersion"/> is
/// Azure's api-version (default 2024-10-21); other kinds ignore it. <paramref name="ResponsesApi"/> says whether the
/// upstream serves OpenAI's Responses API, so <c>/v1/responses</c> calls pass through to it (openai and azure kinds only;
/// by default true for Azure and for https://api.openai.com, false for other OpenAI-format servers).
/// </summary>
public sealed record RegisterProvider(string Name, string Kind, string BaseUrl, string? ApiKey, string? ApiVersion = null, bool? ResponsesApi = null);

public sealed class RegisterProviderValidator : AbstractValidator<RegisterProvider>
{
    public static readonly RegisterProviderValidator Instance = new();

    RegisterProviderValidator()
    {
        RuleFor(x => x.Name).NotEmpty().MaximumLength(AdminLimits.Identifier).Matches("^[a-z0-9][a-z0-9._-]*$")
            .WithMessage("must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.");
        RuleFor(x => x.Kind).Must(ProviderKinds.IsKnown).WithMessage($"must be one of: {string.Join(", ", ProviderKinds.All)}.");
        RuleFor(x => x.BaseUrl).MaximumLength(AdminLimits.Url).Must(BeHttpUrl).WithMessage("must be an absolute http(s) URL, e.g. https://api.openai.com/v1.");
        RuleFor(x => x.ApiKey).MaximumLength(AdminLimits.ApiKey);
        RuleFor(x => x.ResponsesApi).Must((command, declared) => declared != true || ResponsesSupport.CanServe(command.Kind))
            .WithMessage("only openai and azure providers can serve OpenAI's Responses API.");
        RuleFor(x => x.ApiVersion).MaximumLength(AdminLimits.ApiVersion).Matches("^[0-9A-Za-z.-]+$").WithMessage("must be a version such as 2024-10-21.");
    }

    static bool BeHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <param name="ResponsesApi">Whether <c>/v1/responses</c> calls pass through to this provider (as registered, or the kind's default).</param>
public sealed record ProviderResponse(Guid Id, string Name, string Kind, string BaseUrl, bool HasApiKey, DateTimeOffset RegisteredAt, string? ApiVersion = null,
    bool ResponsesApi = false)
    : CreationResponse($"/admin/providers/{Id}")
{
    public static ProviderResponse From(ProviderView v) => new(v.Id, v.Name, v.Kind, v.BaseUrl, v.CredentialId is not null, v.RegisteredAt, v.ApiVersion,
        ResponsesSupport.Serves(v.Kind, v.BaseUrl, v.ResponsesApi));
}

public static class RegisterProviderEndpoint
{
    public static ProblemDetails Validate(RegisterProvider command, ControlPlaneViews views)
    {
        var problems = AdminProblems.Check(RegisterProviderValidator.Instance, command);
        if (problems != WolverineContinue.NoProblems) return problems;
        return views.Current.ProvidersByName.ContainsKey(command.Name)
            ? AdminProblems.Conflict("name", $"A provider named '{command.Name}' is already registered.")
            : WolverineContinue.NoProblems;
    }

    [WolverinePost("/admin/providers", OperationId = "registerProvider")]
    [Tags("providers")]
    public static ProviderResponse Post(RegisterProvider command, IDocumentSession session, SecretBox secrets, TimeProvider time)
    {
        var providerId = Guid.CreateVersion7();
        Guid? credentialId = null;
        if (!string.IsNullOrEmpty(command.ApiKey))
        {
            credentialId = Guid.CreateVersion7();
            session.Store(secrets.Seal(credentialId.Value, command.ApiKey));
        }
        var registered = new ProviderRegistered(providerId, command.Name, command.Kind, command.BaseUrl.TrimEnd('/'), credentialId,
            string.IsNullOrWhiteSpace(command.ApiVersion) ? null : command.ApiVersion.Trim(), command.ResponsesApi);
        session.Events.StartStream<ProviderView>(providerId, registered);
        return new ProviderResponse(providerId, registered.Name, registered.Kind, registered.BaseUrl, credentialId is not null, time.GetUtcNow(),
            registered.ApiVersion, ResponsesSupport.Serves(registered.Kind, registered.BaseUrl, registered.ResponsesApi));
    }
}
