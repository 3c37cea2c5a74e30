namespace Gateway.Domain.Teams;

/// <summary>A team was created, in an account (null for teams created before accounts existed, or outside any).</summary>
public sealed record TeamCreated(Guid TeamId, string Name, Guid? AccountId = null) : IControlPlaneEvent;
