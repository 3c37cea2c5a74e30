using System.Net;
using System.Text.Json;
using Gateway.Domain.Budgets;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Budgets;

/// <summary>Budgets that hold exactly under concurrency: reserve the worst case before forwarding, settle to the actual cost.</summary>
[Collection(GatewayCollection.Name)]
public class BudgetTests(GatewayFixture gateway)
{
    // Output only, 10,000 USD per million tokens: the mock's 7-word reply costs exactly 0.07 USD, and with
    // max_tokens 7 the worst case reserved is the same 0.07.
    const decimal OutputPrice = 10_000m;
    const decimal PerRequest = 0.07m;

    static object Ask(string model) => new
    {
        model,
        max_tokens = 7,
        messages = new[] { new { role = "user", content = "Hello there general Kenobi" } },
    };

    [Fact]
    public async Task two_hundred_concurrent_requests_against_a_budget_for_one_hundred_serve_exactly_one_hundred()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: OutputPrice);
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 100 * PerRequest, period = "lifetime" });
        var budgetId = budget.GetProperty("id").GetGuid();
        using var client = gateway.Client(key.Secret);

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            using var response = await Chat.PostAsync(client, Ask(model.PublicId));
            var body = await Chat.JsonAsync(response);
            return (response.StatusCode, Code: body.TryGetProperty("error", out var e) ? e.GetProperty("code").GetString() : null);
        }));

        Assert.Equal(100, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(100, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests && r.Code == "insufficient_quota"));

        await using var session = gateway.Store.QuerySession();
        var debits = (await session.Events.QueryRawEventDataOnly<BudgetDebited>().ToListAsync())
            .Where(d => d.Budgets.Any(b => b.BudgetId == budgetId)).ToList();
        Assert.Equal(100, debits.Count);
        Assert.Equal(100 * PerRequest, debits.Sum(d => d.Amount));
        var balance = (await gateway.AdminGetAsync($"/admin/budgets/{budgetId}")).GetProperty("balance");
        Assert.Equal(100 * PerRequest, balance.GetProperty("spent").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("remaining").GetDecimal());

        // The ledger's own balance projection, folded from the debits, agrees with the live one to the cent.
        await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        var settled = (await gateway.AdminGetAsync($"/admin/budgets/{budgetId}")).GetProperty("settled");
        Assert.Equal(100 * PerRequest, settled[0].GetProperty("settled").GetDecimal());
        Assert.Equal(100, settled[0].GetProperty("requests").GetInt32());
    }

    [Fact]
    public async Task a_team_budget_blocks_every_key_of_the_team_and_says_when_it_resets()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: OutputPrice);
        await gateway.AdminPostAsync("/admin/budgets", new { scope = "team", scopeId = key.TeamId, limitUsd = PerRequest, period = "daily", timeZone = "Europe/Paris" });
        using var client = gateway.Client(key.Secret);

        using (var first = await Chat.PostAsync(client, Ask(model.PublicId))) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await Chat.PostAsync(client, Ask(model.PublicId));

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        var error = (await Chat.JsonAsync(second)).GetProperty("error");
        Assert.Equal("insufficient_quota", error.GetProperty("type").GetString());
        Assert.Contains("resets at", error.GetProperty("message").GetString());
        Assert.InRange(second.Headers.RetryAfter!.Delta!.Value.TotalHours, 0, 25);
        Assert.Equal(0, gateway.Mock.Requests.Snapshot().Count(r => r.Model == model.Upstream) - 1);
    }

    [Fact]
    public async Task an_exhausted_budget_with_downgrade_sends_the_request_to_the_cheaper_model()
    {
        var key = await gateway.NewKeyAsync();
        var dear = await gateway.NewModelAsync(input: 0m, output: OutputPrice);
        var cheap = await gateway.NewModelAsync(input: 0m, output: 1m);
        var budget = await gateway.AdminPostAsync("/admin/budgets", new
        {
            scope = "key", scopeId = key.Id, limitUsd = PerRequest + 0.001m, period = "monthly",
            onExhausted = "downgrade", downgradeModel = cheap.PublicId,
        });
        using var client = gateway.Client(key.Secret);

        using (var first = await Chat.PostAsync(client, Ask(dear.PublicId)))
            Assert.Equal(dear.PublicId, (await Chat.JsonAsync(first)).GetProperty("model").GetString());
        using var second = await Chat.PostAsync(client, Ask(dear.PublicId));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(cheap.PublicId, (await Chat.JsonAsync(second)).GetProperty("model").GetString());
        var record = await gateway.RecordAsync(second);
        Assert.Equal((dear.PublicId, cheap.PublicId), (record.ModelAsked, record.ModelServed));
        Assert.Equal(budget.GetProperty("id").GetGuid(), record.DowngradedBy);
    }

    [Fact]
    public async Task a_failed_request_releases_its_reservation_and_debits_nothing()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: OutputPrice);
        gateway.SetBehavior(model, new MockProvider.ModelBehavior { Status = 500 });
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = PerRequest, period = "lifetime" });
        using var client = gateway.Client(key.Secret);

        for (var i = 0; i < 3; i++)
        {
            using var failed = await Chat.PostAsync(client, Ask(model.PublicId));
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        var balance = (await gateway.AdminGetAsync($"/admin/budgets/{budget.GetProperty("id").GetGuid()}")).GetProperty("balance");
        Assert.Equal((0m, 0m), (balance.GetProperty("spent").GetDecimal(), balance.GetProperty("reserved").GetDecimal()));
    }

    [Fact]
    public async Task a_budget_on_an_unknown_team_or_with_a_bad_time_zone_is_refused()
    {
        var bad = await gateway.AdminPostAsync("/admin/budgets", new { scope = "team", scopeId = Guid.NewGuid(), limitUsd = 1 }, expectedStatus: 400);
        Assert.Contains("scopeId", bad.GetProperty("detail").GetString());
        var zone = await gateway.AdminPostAsync("/admin/budgets", new { scope = "account", limitUsd = 1, timeZone = "Mars/Olympus" }, expectedStatus: 400);
        Assert.Contains("timeZone", zone.GetProperty("detail").GetString());
    }
}

[Collection(GatewayCollection.Name)]
public class BudgetPeriodTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_daily_budget_spent_today_is_available_again_tomorrow()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: 10_000m);
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 0.07m, period = "daily", timeZone = "UTC" });
        using var client = gateway.Client(key.Secret);
        object Ask() => new { model = model.PublicId, max_tokens = 7, messages = new[] { new { role = "user", content = "Hello there general Kenobi" } } };

        using (var first = await Chat.PostAsync(client, Ask())) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var second = await Chat.PostAsync(client, Ask())) Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        using (gateway.Clock.Shift(TimeSpan.FromDays(1)))
        {
            using var tomorrow = await Chat.PostAsync(client, Ask());
            Assert.Equal(HttpStatusCode.OK, tomorrow.StatusCode);
            var balance = (await gateway.AdminGetAsync($"/admin/budgets/{budget.GetProperty("id").GetGuid()}")).GetProperty("balance");
            Assert.Equal(0.07m, balance.GetProperty("spent").GetDecimal());
        }
    }
}

[Collection(GatewayCollection.Name)]
public class BudgetWebhookTests(GatewayFixture gateway)
{
    [Fact]
    public async Task crossing_a_threshold_is_an_event_and_a_webhook_delivered_with_retries()
    {
        await using var receiver = await WebhookReceiver.StartAsync(refuseFirst: 1);
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: 10_000m);
        var budget = await gateway.AdminPostAsync("/admin/budgets", new
        {
            scope = "key", scopeId = key.Id, limitUsd = 0.28m, period = "monthly", thresholds = new[] { 50, 100 }, webhookUrl = receiver.Url,
        });
        var budgetId = budget.GetProperty("id").GetGuid();
        using var client = gateway.Client(key.Secret);

        for (var i = 0; i < 4; i++)
        {
            using var response = await Chat.PostAsync(client, new { model = model.PublicId, max_tokens = 7, messages = new[] { new { role = "user", content = "Hello there general Kenobi" } } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var hooks = await receiver.WaitForAsync(2, TimeSpan.FromSeconds(20));
        Assert.Equal([50, 100], hooks.Select(h => h.GetProperty("threshold").GetInt32()).Order());
        Assert.All(hooks, h => Assert.Equal("budget.threshold_crossed", h.GetProperty("type").GetString()));
        Assert.All(hooks, h => Assert.Equal(budgetId, h.GetProperty("budgetId").GetGuid()));
        Assert.Equal(0.28m, hooks.Single(h => h.GetProperty("threshold").GetInt32() == 100).GetProperty("spentUsd").GetDecimal());
        Assert.True(receiver.Attempts >= 3, "the first delivery was refused and retried");

        await using var session = gateway.Store.QuerySession();
        var crossed = await session.Events.QueryRawEventDataOnly<BudgetThresholdCrossed>().Where(e => e.BudgetId == budgetId).ToListAsync();
        Assert.Equal([50, 100], crossed.Select(c => c.Threshold).Order());
    }
}

[Collection(GatewayCollection.Name)]
public class BudgetBeforeLeasesTests(GatewayFixture gateway)
{
    [Fact]
    public async Task spend_debited_before_leases_were_kept_is_not_handed_out_again()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: 10_000m);
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 0.14m, period = "lifetime" });
        var budgetId = budget.GetProperty("id").GetGuid();

        // A debit recorded by a gateway version without leases: it names no lease.
        await using (var session = gateway.Store.LightweightSession())
        {
            session.Events.StartStream(Guid.CreateVersion7(), new BudgetDebited(Guid.CreateVersion7(), 0.07m, [new BudgetCharge(budgetId, DateTimeOffset.MinValue)]));
            await session.SaveChangesAsync();
        }
        await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));

        using var client = gateway.Client(key.Secret);
        object Ask() => new { model = model.PublicId, max_tokens = 7, messages = new[] { new { role = "user", content = "Hello there general Kenobi" } } };
        using (var first = await Chat.PostAsync(client, Ask())) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await Chat.PostAsync(client, Ask());
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }
}

[Collection(GatewayCollection.Name)]
public class AccountBudgetTests(GatewayFixture gateway)
{
    [Fact]
    public async Task an_account_budget_covers_every_team_of_the_account_and_no_other()
    {
        var account = await gateway.AdminPostAsync("/admin/accounts", new { name = $"acme-{Guid.NewGuid():N}" });
        var accountId = account.GetProperty("id").GetGuid();
        var model = await gateway.NewModelAsync(input: 0m, output: 10_000m);
        await gateway.AdminPostAsync("/admin/budgets", new { scope = "account", scopeId = accountId, limitUsd = 0.07m, period = "lifetime" });
        async Task<string> KeyInAsync(Guid? inAccount)
        {
            var team = await gateway.AdminPostAsync("/admin/teams", new { name = $"t-{Guid.NewGuid():N}", accountId = inAccount });
            return (await gateway.AdminPostAsync("/admin/keys", new { teamId = team.GetProperty("id").GetGuid(), name = "k" })).GetProperty("key").GetString()!;
        }
        var (first, second, outside) = (await KeyInAsync(accountId), await KeyInAsync(accountId), await KeyInAsync(null));
        object Ask() => new { model = model.PublicId, max_tokens = 7, messages = new[] { new { role = "user", content = "Hello there general Kenobi" } } };

        async Task<HttpStatusCode> CallAsync(string key)
        {
            using var client = gateway.Client(key);
            using var response = await Chat.PostAsync(client, Ask());
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await CallAsync(first));
        Assert.Equal(HttpStatusCode.TooManyRequests, await CallAsync(second));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(outside));
    }
}
