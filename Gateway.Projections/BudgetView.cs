using Gateway.Domain.Budgets;
using JasperFx.Events;

namespace Gateway.Projections;

/// <summary>A budget's settings as they stand: built inline from its stream. Live balances are in the gateway's memory.</summary>
public sealed class BudgetView
{
    public Guid Id { get; set; }
    public string Scope { get; set; } = "";
    public Guid? ScopeId { get; set; }
    public decimal LimitUsd { get; set; }
    public string Period { get; set; } = "";
    public string TimeZone { get; set; } = "UTC";
    public List<int> Thresholds { get; set; } = [];
    public string OnExhausted { get; set; } = BudgetPolicies.Block;
    public string? DowngradeModel { get; set; }
    /// <summary>Receives a POST when spend crosses a threshold (through Wolverine's durable outbox, with retries).</summary>
    public string? WebhookUrl { get; set; }
    /// <summary>Where the webhook's signing secret is kept, encrypted (null: none; a webhook set before signing existed).</summary>
    public Guid? WebhookSecretId { get; set; }
    public bool Removed { get; set; }
    public DateTimeOffset SetAt { get; set; }

    public static BudgetView Create(IEvent<BudgetSet> e) => new BudgetView { Id = e.Data.BudgetId }.With(e);

    public void Apply(IEvent<BudgetSet> e) => With(e);

    public void Apply(BudgetRemoved e) => Removed = true;

    public void Apply(BudgetWebhookSecretSet e) => WebhookSecretId = e.SecretId;

    BudgetView With(IEvent<BudgetSet> e)
    {
        (Scope, ScopeId, LimitUsd, Period, TimeZone) = (e.Data.Scope, e.Data.ScopeId, e.Data.LimitUsd, e.Data.Period, e.Data.TimeZone);
        (Thresholds, OnExhausted, DowngradeModel, WebhookUrl) = ([.. e.Data.Thresholds], e.Data.OnExhausted, e.Data.DowngradeModel, e.Data.WebhookUrl);
        Removed = false;
        SetAt = e.At();
        return this;
    }
}
