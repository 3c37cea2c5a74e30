namespace Gateway.Domain.Teams;

public sealed record TeamCreated(Guid TeamId, string Name) : IControlPlaneEvent;
