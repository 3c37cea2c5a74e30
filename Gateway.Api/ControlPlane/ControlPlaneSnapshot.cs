using System.Collections.Frozen;
using Gateway.Domain.Keys;
using Gateway.Domain.Pricing;
using Gateway.Projections;

namespace Gateway.Api.ControlPlane;

/// <summary>An upstream as the hot path needs it: where, which wire format, and the decrypted key.</summary>
/// <param name="ServesResponses">Takes OpenAI Responses calls as they are (<see cref="Gateway.Domain.Providers.ResponsesSupport"/>).</param>
public sealed record UpstreamProvider(Guid Id, string Name, string Kind, string BaseUrl, string? ApiKey, Guid? CredentialId, string? ApiVersion = null,
    bool ServesResponses = false);

/// <summary>A team's own key for one provider (BYOK), decrypted.</summary>
public sealed record TeamCredential(Guid CredentialId, string ApiKey);

public sealed record CatalogModel(Guid Id, string PublicId, string UpstreamModel, bool Enabled, Price Price, UpstreamProvider Provider, long Created)
{
    /// <summary>Every price version, so a request is priced by the one in force when it ran.</summary>
    public IReadOnlyList<PriceVersion> Prices { get; init; } = [new(DateTimeOffset.MinValue, Price.InputPerMillion, Price.OutputPerMillion, Price.CachedInputPerMillion, Price.CacheWriteInputPerMillion)];

    public Price PriceAt(DateTimeOffset instant) => Prices.Count == 1 ? Prices[0].Price : PriceVersion.At(Prices, instant);

    /// <summary>The public id as a JSON string literal, pre-encoded once for response rewriting.</summary>
    public byte[] PublicIdJson { get; } = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(PublicId);
    public byte[] UpstreamModelJson { get; } = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(UpstreamModel);
}

/// <summary>
/// A gateway key as the hot path needs it, with its team's scope folded in: the names (models or routes) it may call
/// — null when neither the key nor its team restricts them — and the rate limits of the key and of its team.
/// </summary>
public sealed record GatewayKey(Guid Id, Guid TeamId, string Name, bool Revoked, bool AllowsRequestProviderKey = false)
{
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>The account of the key's team, if it has one.</summary>
    public Guid? AccountId { get; init; }
    public FrozenSet<string>? AllowedModels { get; init; }
    public int? RequestsPerMinute { get; init; }
    public int? TokensPerMinute { get; init; }
    public int? TeamRequestsPerMinute { get; init; }
    public int? TeamTokensPerMinute { get; init; }
    /// <summary>How long this key's answers are cached: the key's setting, else its team's; null: not cached.</summary>
    public int? CacheTtlSeconds { get; init; }

    public bool MayCall(string name) => AllowedModels is null || AllowedModels.Contains(name);

    public bool HasRateLimits => RequestsPerMinute is not null || TokensPerMinute is not null || TeamRequestsPerMinute is not null || TeamTokensPerMinute is not null;
}

/// <summary>Who is calling the admin API: the admin key's id, its holder's name, its role, and for a key manager the team.</summary>
public sealed record AdminPrincipal(Guid Id, string Name, string Role, Guid? TeamId)
{
    public bool MayManageTeam(Guid teamId) => Role == AdminRoles.Admin || (Role == AdminRoles.KeyManager && TeamId == teamId);
}

/// <summary>One secret of a key: the current one (valid until the key expires), or the one a rotation replaced (until its grace ends).</summary>
public sealed record KeyCredential(GatewayKey Key, DateTimeOffset? ValidUntil);

/// <summary>
/// One immutable picture of keys, catalog and providers. The hot path reads it without locks; a refresh
/// builds a new one and swaps the reference.
/// </summary>
public sealed class ControlPlaneSnapshot
{
    public static readonly ControlPlaneSnapshot Empty = new([], [], [], [], [], [], new Dictionary<Guid, string>());

    public FrozenDictionary<KeyHash, KeyCredential> KeysByHash { get; }
    public FrozenDictionary<KeyHash, AdminPrincipal> AdminKeys { get; }
    /// <summary>The live admin keys by id: what a dashboard session names.</summary>
    public FrozenDictionary<Guid, AdminPrincipal> AdminKeysById { get; }
    public FrozenDictionary<string, CatalogModel> ModelsByPublicId { get; }
    public FrozenDictionary<string, UpstreamProvider> ProvidersByName { get; }
    public IReadOnlyList<CatalogModel> EnabledModels { get; }

    /// <summary>A key may call a name only if both its own list and its team's allow it.</summary>
    static FrozenSet<string>? Allowed(List<string>? key, List<string>? team) => (key, team) switch
    {
        (null, null) => null,
        ({ } k, null) => k.ToFrozenSet(StringComparer.Ordinal),
        (null, { } t) => t.ToFrozenSet(StringComparer.Ordinal),
        ({ } k, { } t) => k.Intersect(t, StringComparer.Ordinal).ToFrozenSet(StringComparer.Ordinal),
    };
    /// <summary>Teams' own provider credentials, by (team, provider).</summary>
    public FrozenDictionary<(Guid TeamId, Guid ProviderId), TeamCredential> TeamCredentials { get; }
    /// <summary>Routes by their public name; a name is either a route or a catalog model, never both.</summary>
    public FrozenDictionary<string, Routing.CompiledRoute> RoutesByName { get; }
    public long Version { get; init; }

    public ControlPlaneSnapshot(
        IReadOnlyList<KeyView> keys,
        IReadOnlyList<AdminKeyView> adminKeys,
        IReadOnlyList<ProviderView> providers,
        IReadOnlyList<ModelView> models,
        IReadOnlyList<TeamView> teams,
        IReadOnlyList<RouteView> routes,
        IReadOnlyDictionary<Guid, string> providerKeys)
    {
        var teamsById = teams.ToDictionary(t => t.Id);
        var secrets = new Dictionary<KeyHash, KeyCredential>();
        foreach (var k in keys)
        {
            var team = teamsById.GetValueOrDefault(k.TeamId);
            var key = new GatewayKey(k.Id, k.TeamId, k.Name, k.Revoked, k.AllowsRequestProviderKey)
            {
                ExpiresAt = k.ExpiresAt,
                AccountId = team?.AccountId,
                AllowedModels = Allowed(k.AllowedModels, team?.AllowedModels),
                RequestsPerMinute = k.RequestsPerMinute,
                TokensPerMinute = k.TokensPerMinute,
                TeamRequestsPerMinute = team?.RequestsPerMinute,
                TeamTokensPerMinute = team?.TokensPerMinute,
                CacheTtlSeconds = k.CacheTtlSeconds ?? team?.CacheTtlSeconds,
            };
            secrets[KeyHash.FromHex(k.SecretHash)] = new KeyCredential(key, k.ExpiresAt);
            if (k.PreviousSecretHash is { } previous && k.PreviousValidUntil is { } until)
                secrets[KeyHash.FromHex(previous)] = new KeyCredential(key, k.ExpiresAt is { } e && e < until ? e : until);
        }
        KeysByHash = secrets.ToFrozenDictionary();
        TeamCredentials = teams
            .SelectMany(t => t.Credentials.Select(c => (Team: t.Id, Provider: c.Key, Credential: c.Value)))
            .Where(c => providerKeys.ContainsKey(c.Credential))
            .ToFrozenDictionary(c => (c.Team, c.Provider), c => new TeamCredential(c.Credential, providerKeys[c.Credential]));
        AdminKeys = adminKeys.Where(a => !a.Revoked).ToFrozenDictionary(a => KeyHash.FromHex(a.SecretHash),
            a => new AdminPrincipal(a.Id, a.Name ?? $"{a.Origin} admin key {a.Prefix}", a.Role, a.TeamId));
        AdminKeysById = AdminKeys.Values.ToFrozenDictionary(a => a.Id);

        var upstreams = providers.ToDictionary(
            p => p.Id,
            p => new UpstreamProvider(p.Id, p.Name, p.Kind, p.BaseUrl.TrimEnd('/'),
                p.CredentialId is { } c && providerKeys.TryGetValue(c, out var key) ? key : null, p.CredentialId, p.ApiVersion,
                Gateway.Domain.Providers.ResponsesSupport.Serves(p.Kind, p.BaseUrl, p.ResponsesApi)));
        ProvidersByName = upstreams.Values.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

        ModelsByPublicId = models
            .Where(m => upstreams.ContainsKey(m.ProviderId))
            .Select(m => new CatalogModel(m.Id, m.PublicId, m.UpstreamModel, m.Enabled,
                new Price(m.InputPricePerMillion, m.OutputPricePerMillion, m.CachedInputPricePerMillion, m.CacheWriteInputPricePerMillion), upstreams[m.ProviderId], m.AddedAt.ToUnixTimeSeconds())
            {
                Prices = m.Prices.Count > 0 ? m.Prices.OrderBy(v => v.EffectiveFrom).ToArray()
                    : [new(DateTimeOffset.MinValue, m.InputPricePerMillion, m.OutputPricePerMillion, m.CachedInputPricePerMillion, m.CacheWriteInputPricePerMillion)],
            })
            .ToFrozenDictionary(m => m.PublicId, StringComparer.Ordinal);
        RoutesByName = routes
            .Where(r => !r.Removed)
            .ToFrozenDictionary(r => r.Name, r => new Routing.CompiledRoute(r.Name, r.Policy, r.Tiers
                .Select(t => (IReadOnlyList<(CatalogModel, int)>)t.Targets
                    .Where(x => ModelsByPublicId.ContainsKey(x.Model))
                    .Select(x => (ModelsByPublicId[x.Model], Math.Max(1, x.Weight)))
                    .ToArray())
                .Where(t => t.Count > 0)
                .ToArray()), StringComparer.Ordinal);
        EnabledModels = ModelsByPublicId.Values.Where(m => m.Enabled).OrderBy(m => m.PublicId, StringComparer.Ordinal).ToArray();
    }
}
