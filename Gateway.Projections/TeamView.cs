using Gateway.Domain.Teams;
using JasperFx.Events;

namespace Gateway.Projections;

public sealed class TeamView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public Guid? AccountId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The team's own provider credentials (BYOK): provider id → credential id.</summary>
    public Dictionary<Guid, Guid> Credentials { get; set; } = [];

    public List<string>? AllowedModels { get; set; }
    public int? RequestsPerMinute { get; set; }
    public int? TokensPerMinute { get; set; }
    /// <summary>Request and response bodies older than this are removed; null keeps them until erased on demand.</summary>
    public int? BodyRetentionDays { get; set; }
    /// <summary>How long the team's keys' answers are cached (exact-match response cache); null: off.</summary>
    public int? CacheTtlSeconds { get; set; }

    public static TeamView Create(IEvent<TeamCreated> e) => new() { Id = e.Data.TeamId, Name = e.Data.Name, AccountId = e.Data.AccountId, CreatedAt = e.At() };

    public void Apply(TeamCredentialRegistered e) => Credentials[e.ProviderId] = e.CredentialId;

    public void Apply(TeamCredentialRemoved e) => Credentials.Remove(e.ProviderId);

    public void Apply(TeamBodyRetentionSet e) => BodyRetentionDays = e.Days;

    public void Apply(TeamResponseCacheSet e) => CacheTtlSeconds = e.TtlSeconds;

    public void Apply(TeamScopeSet e) =>
        (AllowedModels, RequestsPerMinute, TokensPerMinute) = (e.AllowedModels is null ? null : [.. e.AllowedModels], e.RequestsPerMinute, e.TokensPerMinute);
}
