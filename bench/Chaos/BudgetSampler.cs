using System.Diagnostics;
using System.Text.Json;

namespace Chaos;

/// <summary>
/// Reads a budget's live balance (<c>GET /admin/budgets/{id}</c>) every interval and keeps the worst it saw of
/// spent + reserved against the limit: the invariant "never over the limit" must hold at every sample.
/// </summary>
sealed class BudgetSampler(HttpClient http, string gateway, string admin, string budgetId)
{
    public sealed record Balance(decimal Limit, decimal Spent, decimal Reserved);

    public int Samples { get; private set; }
    public int Failed { get; private set; }
    public int OverLimit { get; private set; }
    public decimal MaxCommitted { get; private set; }
    /// <summary>The sample furthest over (or least under) its limit.</summary>
    public Balance? Worst { get; private set; }

    public async Task RunAsync(TimeSpan interval, CancellationToken stop)
    {
        var tick = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            var started = tick.Elapsed;
            if (await ReadAsync() is { } b)
            {
                Samples++;
                var committed = b.Spent + b.Reserved;
                if (committed > MaxCommitted) MaxCommitted = committed;
                if (committed > b.Limit) OverLimit++;
                if (Worst is null || committed - b.Limit > Worst.Spent + Worst.Reserved - Worst.Limit) Worst = b;
            }
            else Failed++;
            var wait = interval - (tick.Elapsed - started);
            if (wait > TimeSpan.Zero)
                try { await Task.Delay(wait, stop); } catch (OperationCanceledException) { }
        }
    }

    public async Task<Balance?> ReadAsync()
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{gateway}/admin/budgets/{budgetId}");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + admin);
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode) return null;
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (!doc.RootElement.TryGetProperty("balance", out var balance) || balance.ValueKind != JsonValueKind.Object) return null;
            return new Balance(balance.GetProperty("limit").GetDecimal(), balance.GetProperty("spent").GetDecimal(), balance.GetProperty("reserved").GetDecimal());
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or KeyNotFoundException or TaskCanceledException)
        {
            return null;
        }
    }
}
