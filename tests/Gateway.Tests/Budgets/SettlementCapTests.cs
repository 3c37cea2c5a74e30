using System.Net;
using Gateway.Domain.Budgets;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using MockProvider;

namespace Gateway.Tests.Budgets;

/// <summary>Nothing settles above what was reserved: the reservation covers everything a request can be billed.</summary>
[Collection(GatewayCollection.Name)]
public class SettlementCapTests(GatewayFixture gateway)
{
    // Output only, so the worst case is max_tokens × price whatever the prompt.
    const decimal OutputPrice = 1_000m;
    const int MaxTokens = 25;
    // Words our tokenizer splits into several tokens each: counted from the text, the answer is far more than 25 tokens.
    const string Reply = "xq7zv9 kw3pl8 zz9qx7 vb2nm4 pq8rt1 lk5jh2 mn7bv3 qw2er9 ty6ui1 op4as8 df3gh7 jk2lz5 xc9vb1 nm6qw3 er8ty2 ui4op9 as1df6 gh7jk3 lz2xc8 vb5nm1 qw9er4 ty3ui7 op6as2 df8gh1 jk4lz9 xc2vb6";

    [Fact]
    public async Task streams_without_usage_are_billed_at_most_their_max_tokens_and_never_pass_the_budget()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: OutputPrice);
        gateway.SetBehavior(model, ModelBehavior.Normal with { Reply = Reply, OmitUsage = true });
        var reserved = MaxTokens * OutputPrice / 1_000_000m;
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 3 * reserved, period = "lifetime" });
        var budgetId = budget.GetProperty("id").GetGuid();
        using var client = gateway.Client(key.Secret);

        for (var i = 0; i < 3; i++)
        {
            using var response = await Chat.PostAsync(client, new
            {
                model = model.PublicId, stream = true, max_tokens = MaxTokens,
                messages = new[] { new { role = "user", content = "Say many things" } },
            });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync();
        }

        var records = await gateway.RequestsOfAsync(key.Id);
        Assert.Equal(3, records.Count);
        Assert.All(records, r =>
        {
            Assert.True(r.UsageEstimated);
            Assert.Equal(MaxTokens, r.CompletionTokens);
            Assert.Equal(reserved, r.Cost);
        });
        var balance = (await gateway.AdminGetAsync($"/admin/budgets/{budgetId}")).GetProperty("balance");
        Assert.Equal(3 * reserved, balance.GetProperty("spent").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
        await using var session = gateway.Store.QuerySession();
        var debits = (await session.Events.QueryRawEventDataOnly<BudgetDebited>().ToListAsync()).Where(d => d.Budgets.Any(b => b.BudgetId == budgetId));
        Assert.Equal(records.Sum(r => r.Cost), debits.Sum(d => d.Amount));
    }

    [Fact]
    public async Task spent_plus_reserved_never_passes_the_limit_at_any_instant_under_concurrent_load()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0m, output: OutputPrice);
        gateway.SetBehavior(model, ModelBehavior.Normal with { Reply = Reply, OmitUsage = true, LatencyMs = 20 });
        var reserved = MaxTokens * OutputPrice / 1_000_000m;
        var limit = 20 * reserved + reserved / 2;
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = limit, period = "lifetime" });
        var budgetId = budget.GetProperty("id").GetGuid();
        var ledger = gateway.Host.Services.GetRequiredService<Gateway.Api.Budgets.BudgetLedger>();
        using var client = gateway.Client(key.Secret);

        // A sampler reads the live balance as fast as it can while 60 requests (streamed and not) race for 20 slots.
        using var done = new CancellationTokenSource();
        var samples = 0;
        var worst = 0m;
        var sampler = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                var balance = ledger.Find(budgetId)!.Account.Balance(DateTimeOffset.UtcNow);
                worst = Math.Max(worst, balance.Spent + balance.Reserved);
                samples++;
            }
        });
        await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            using var response = await Chat.PostAsync(client, new
            {
                model = model.PublicId, stream = i % 2 == 0, max_tokens = MaxTokens,
                messages = new[] { new { role = "user", content = "Say many things" } },
            });
            await response.Content.ReadAsStringAsync();
        }));
        await done.CancelAsync();
        await sampler;

        Assert.True(samples > 1000, $"{samples} samples");
        Assert.True(worst <= limit, $"spent + reserved reached {worst} against a limit of {limit}");
        var records = await gateway.RequestsOfAsync(key.Id);
        Assert.Equal(20, records.Count(r => r.Status == 200));
        var end = ledger.Find(budgetId)!.Account.Balance(DateTimeOffset.UtcNow);
        Assert.Equal(0m, end.Reserved);
        Assert.Equal(records.Sum(r => r.Cost), end.Spent);
        await using var session = gateway.Store.QuerySession();
        var debits = (await session.Events.QueryRawEventDataOnly<BudgetDebited>().ToListAsync()).Where(d => d.Budgets.Any(b => b.BudgetId == budgetId));
        Assert.Equal(end.Spent, debits.Sum(d => d.Amount));
    }
}
