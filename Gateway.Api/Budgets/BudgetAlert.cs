using System.Net.Http.Json;

namespace Gateway.Api.Budgets;

/// <summary>
/// A webhook to deliver: a budget's spend crossed one of its thresholds. Stored by Wolverine's durable outbox in
/// the same transaction as the request that crossed it, then delivered with retries.
/// </summary>
public sealed record BudgetAlert(
    Guid BudgetId, string Scope, Guid? ScopeId, int Threshold, decimal SpentUsd, decimal LimitUsd, DateTimeOffset PeriodStart,
    Guid RequestId, DateTimeOffset At, string Url);

/// <summary>Posts the alert to the budget's webhook; a failure throws so Wolverine retries it (see the error policy in GatewayServices).</summary>
public static class BudgetAlertHandler
{
    public static async Task Handle(BudgetAlert alert, IHttpClientFactory clients, CancellationToken ct)
    {
        using var client = clients.CreateClient("webhooks");
        using var request = new HttpRequestMessage(HttpMethod.Post, alert.Url)
        {
            Content = JsonContent.Create(new
            {
                type = "budget.threshold_crossed",
                budgetId = alert.BudgetId,
                scope = alert.Scope,
                scopeId = alert.ScopeId,
                threshold = alert.Threshold,
                spentUsd = alert.SpentUsd,
                limitUsd = alert.LimitUsd,
                periodStart = alert.PeriodStart,
                requestId = alert.RequestId,
                at = alert.At,
            }),
        };
        request.Headers.TryAddWithoutValidation("X-Gateway-Event", "budget.threshold_crossed");
        // The same id on every retry, so a receiver can drop duplicates.
        request.Headers.TryAddWithoutValidation("X-Gateway-Delivery", $"{alert.BudgetId:N}-{alert.PeriodStart.ToUnixTimeSeconds()}-{alert.Threshold}");
        using var response = await client.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw new WebhookRefusedException(alert.Url, (int)response.StatusCode);
    }
}

public sealed class WebhookRefusedException(string url, int status) : Exception($"The webhook {url} answered HTTP {status}.");
