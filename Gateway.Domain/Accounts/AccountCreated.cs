namespace Gateway.Domain.Accounts;

/// <summary>An account was created: the top of the tenancy tree (account → teams → keys), with budgets of its own.</summary>
public sealed record AccountCreated(Guid AccountId, string Name) : IControlPlaneEvent;
