using Gateway.Api.Budgets;
using Wolverine;
using Wolverine.ErrorHandling;

namespace Gateway.Api.Hosting;

public static class GatewayMessaging
{
    /// <summary>
    /// Wolverine: transactions on the admin endpoints, and budget webhooks on a durable local queue (stored with the
    /// transaction that caused them, so a crash loses none), retried quickly, then later, then left dead-lettered.
    /// </summary>
    public static void ConfigureGatewayMessaging(this WolverineOptions opts)
    {
        opts.Policies.AutoApplyTransactions();
        opts.PublishMessage<BudgetAlert>().ToLocalQueue("webhooks").UseDurableInbox();
        opts.OnException<WebhookRefusedException>().Or<HttpRequestException>().Or<TaskCanceledException>()
            .RetryWithCooldown(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5))
            .Then.ScheduleRetry(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30));
    }
}
