using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Api.Security;
using Gateway.Domain.Budgets;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Budgets;

/// <summary>
/// A webhook to deliver: a budget's spend crossed one of its thresholds. Stored by Wolverine's durable outbox in
/// the same transaction as the request that crossed it, then delivered with retries.
/// </summary>
public sealed record BudgetAlert(
    Guid BudgetId, string Scope, Guid? ScopeId, int Threshold, decimal SpentUsd, decimal LimitUsd, DateTimeOffset PeriodStart,
    Guid RequestId, DateTimeOffset At, string Url);

/// <summary>
/// Posts the alert to the budget's webhook, signed with the webhook's secret (<see cref="WebhookSignature"/>), over a
/// connection that refuses addresses inside the network (<see cref="WebhookConnections"/>). A failure throws so
/// Wolverine retries it (see the error policy in GatewayMessaging); each retry is signed afresh.
/// </summary>
public static class BudgetAlertHandler
{
    public static async Task Handle(BudgetAlert alert, IHttpClientFactory clients, IQuerySession session, SecretBox secrets,
        TimeProvider time, ILogger<BudgetAlert> logger, CancellationToken ct)
    {
        var budget = await session.LoadAsync<BudgetView>(alert.BudgetId, ct);
        if (budget is null || budget.Removed || budget.WebhookUrl != alert.Url)
        {
            // The webhook it was meant for was removed or replaced since: its receiver no longer expects it.
            logger.LogInformation("Budget {BudgetId}: threshold {Threshold} alert dropped, the budget's webhook changed since", alert.BudgetId, alert.Threshold);
            return;
        }
        var secret = budget.WebhookSecretId is { } secretId && await session.LoadAsync<WebhookSecret>(secretId, ct) is { } stored
            ? secrets.Open(stored)
            : null;

        var body = JsonSerializer.SerializeToUtf8Bytes(new
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
        }, JsonSerializerOptions.Web);
        using var request = new HttpRequestMessage(HttpMethod.Post, alert.Url)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
        };
        request.Headers.TryAddWithoutValidation("X-Gateway-Event", "budget.threshold_crossed");
        // The same id on every retry, so a receiver can drop duplicates.
        request.Headers.TryAddWithoutValidation("X-Gateway-Delivery", $"{alert.BudgetId:N}-{alert.PeriodStart.ToUnixTimeSeconds()}-{alert.Threshold}");
        if (secret is not null) request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(secret, time.GetUtcNow(), body));
        else logger.LogWarning("Budget {BudgetId}'s webhook was set before webhooks were signed: delivered unsigned; set the budget again to get a signing secret", alert.BudgetId);

        using var client = clients.CreateClient("webhooks");
        using var response = await client.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw new WebhookRefusedException(alert.Url, (int)response.StatusCode);
    }
}

public sealed class WebhookRefusedException(string url, int status) : Exception($"The webhook {url} answered HTTP {status}.");
