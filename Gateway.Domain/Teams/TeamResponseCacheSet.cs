namespace Gateway.Domain.Teams;

/// <summary>The team's keys' answers are cached for <paramref name="TtlSeconds"/> unless a key says otherwise; null: off.</summary>
public sealed record TeamResponseCacheSet(Guid TeamId, int? TtlSeconds) : IControlPlaneEvent;
