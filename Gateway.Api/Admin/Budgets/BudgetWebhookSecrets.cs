using Gateway.Api.Security;
using Gateway.Domain.Budgets;
using Marten;

namespace Gateway.Api.Admin.Budgets;

/// <summary>
/// A budget webhook's signing secret follows its URL: a new one when the URL is set or changed (shown once, in that
/// response), none when it is removed, the same one while the URL stays. The secret is stored encrypted under the
/// master key; the event names only where.
/// </summary>
public static class BudgetWebhookSecrets
{
    /// <returns>The new secret to show (null if none was issued) and the event recording the change (null if none).</returns>
    public static (string? Secret, BudgetWebhookSecretSet? Changed) Follow(
        IDocumentSession session, SecretBox box, Guid budgetId, string? oldUrl, Guid? oldSecretId, string? newUrl)
    {
        // A webhook set before signing existed (URL, no secret) gets one when the budget is set again.
        if (newUrl == oldUrl && (newUrl is null || oldSecretId is not null)) return (null, null);
        if (oldSecretId is { } old) session.Delete<WebhookSecret>(old);
        if (newUrl is null) return (null, oldSecretId is null ? null : new BudgetWebhookSecretSet(budgetId, null));

        var secret = WebhookSignature.NewSecret();
        var secretId = Guid.CreateVersion7();
        session.Store(box.SealWebhook(secretId, secret));
        return (secret, new BudgetWebhookSecretSet(budgetId, secretId));
    }
}
