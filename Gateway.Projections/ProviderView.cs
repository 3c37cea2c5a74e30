using Gateway.Domain.Providers;
using JasperFx.Events;

namespace Gateway.Projections;

public sealed class ProviderView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "";
    public string BaseUrl { get; set; } = "";
    public Guid? CredentialId { get; set; }
    public string? ApiVersion { get; set; }
    /// <summary>As registered: null when the registration did not say (the kind's default applies).</summary>
    public bool? ResponsesApi { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }

    public static ProviderView Create(IEvent<ProviderRegistered> e) => new()
    {
        Id = e.Data.ProviderId,
        Name = e.Data.Name,
        Kind = e.Data.Kind,
        BaseUrl = e.Data.BaseUrl,
        CredentialId = e.Data.CredentialId,
        ApiVersion = e.Data.ApiVersion,
        ResponsesApi = e.Data.ResponsesApi,
        RegisteredAt = e.At(),
    };

    public void Apply(ProviderCredentialReplaced e) => CredentialId = e.CredentialId;
}
