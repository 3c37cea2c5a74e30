namespace Gateway.Domain.Budgets;

/// <summary>
/// A budget's webhook got a new signing secret (its webhook URL was set or changed), or lost it (null: the webhook was
/// removed). The event names where the secret is kept, encrypted under the master key; the secret itself is never
/// in an event.
/// </summary>
public sealed record BudgetWebhookSecretSet(Guid BudgetId, Guid? SecretId) : IControlPlaneEvent;
