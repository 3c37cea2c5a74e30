namespace Gateway.Domain.Teams;

/// <summary>A team was created, in an account (null for teams created before accounts existed, or outside any).</summary>
public sealed record TeamCreated(Guid TeamId, string Name, Guid? AccountId = null) : IControlPlaneEvent;

/// <summary>How long the team's request and response bodies are kept (null: until erased on demand). Version 1.</summary>
public sealed record TeamBodyRetentionSet(Guid TeamId, int? Days) : IControlPlaneEvent;
