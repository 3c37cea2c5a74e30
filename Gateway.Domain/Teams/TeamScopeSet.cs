namespace Gateway.Domain.Teams;

/// <summary>What every key of a team may do, on top of each key's own scope: allowed models or routes (null = all) and team-wide rate limits.</summary>
public sealed record TeamScopeSet(Guid TeamId, IReadOnlyList<string>? AllowedModels, int? RequestsPerMinute, int? TokensPerMinute) : IControlPlaneEvent;
