using System.Globalization;
using Npgsql;

namespace Gateway.Analytics;

/// <summary>A difference between two records of the same money.</summary>
public sealed record Discrepancy(string Kind, string Subject, decimal? Expected, decimal? Found);

public sealed record ReconciliationReport(
    DateTimeOffset From, DateTimeOffset To, decimal EventStoreCost, decimal DebitedCost, decimal DuckDbCost, long Requests,
    IReadOnlyList<Discrepancy> Differences)
{
    public bool Agrees => Differences.Count == 0;
}

/// <summary>
/// Checks the ledger against itself for a period: each request's cost in the event store, its budget debit, the
/// budget balance projections, and the DuckDB export must agree (exactly, or to DuckDB's 9 decimals — far finer than a
/// cent). Names every request that does not. Run it once the projection daemon has caught up, or a balance that is
/// merely behind shows as a difference.
/// </summary>
public sealed class Reconciler(string postgres, string schema, string duckDbPath)
{
    public async Task<ReconciliationReport> RunAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync(ct);
        var costs = await PairsAsync(pg, $"""
            select data->>'requestId', (data->>'cost')::numeric from {schema}.mt_events
            where type = 'request_completed' and (data->>'startedAt')::timestamptz >= $1 and (data->>'startedAt')::timestamptz < $2
            """, from, to, ct);
        var debits = await PairsAsync(pg, $"""
            select d.data->>'requestId', sum((d.data->>'amount')::numeric) from {schema}.mt_events d
            join {schema}.mt_events r on r.stream_id = d.stream_id and r.type = 'request_completed'
            where d.type = 'budget_debited' and (r.data->>'startedAt')::timestamptz >= $1 and (r.data->>'startedAt')::timestamptz < $2
            group by 1
            """, from, to, ct);
        // A request that cost more than it reserved is debited its reservation; its BudgetDebitCapped says so.
        var capped = await PairsAsync(pg, $"""
            select d.data->>'requestId', (d.data->>'debitedUsd')::numeric from {schema}.mt_events d
            join {schema}.mt_events r on r.stream_id = d.stream_id and r.type = 'request_completed'
            where d.type = 'budget_debit_capped' and (r.data->>'startedAt')::timestamptz >= $1 and (r.data->>'startedAt')::timestamptz < $2
            """, from, to, ct);
        var projected = await PairsAsync(pg, $"select id, (data->>'settled')::numeric from {schema}.mt_doc_budgetperiodbalance", null, null, ct, optional: true);
        var ledgerBalances = await PairsAsync(pg, $"""
            select replace(b->>'budgetId', '-', '') || ':' || extract(epoch from (b->>'periodStart')::timestamptz)::bigint,
                   sum((e.data->>'amount')::numeric)
            from {schema}.mt_events e, jsonb_array_elements(e.data->'budgets') b where e.type = 'budget_debited' group by 1
            """, null, null, ct);

        var exported = new Dictionary<string, decimal>();
        using (var duck = AnalyticsSchema.OpenForReading(duckDbPath, TimeSpan.FromSeconds(10)))
        using (var command = duck.CreateCommand())
        {
            command.CommandText = "select request_id, cost from requests where time >= $from and time < $to";
            command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("from", from.UtcDateTime));
            command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("to", to.UtcDateTime));
            using var reader = command.ExecuteReader();
            while (reader.Read()) exported[reader.GetString(0)] = reader.GetDecimal(1);
        }

        var differences = new List<Discrepancy>();
        foreach (var (request, cost) in costs)
        {
            if (!exported.TryGetValue(request, out var inDuck)) differences.Add(new("missing from DuckDB", request, cost, null));
            // DuckDB keeps 9 decimals (DECIMAL(18,9)): compared at that precision, far finer than a cent.
            else if (Math.Round(inDuck, 9) != Math.Round(cost, 9)) differences.Add(new("DuckDB cost differs", request, cost, inDuck));
            // One BudgetDebited per request, for all its budgets: its amount is the request's cost, exactly — or its
            // reservation, when a BudgetDebitCapped explains the difference.
            if (debits.TryGetValue(request, out var debited) && debited != cost && !(capped.TryGetValue(request, out var cap) && cap == debited))
                differences.Add(new("budget debit differs from the request's cost", request, cost, debited));
        }
        foreach (var (request, inDuck) in exported)
            if (!costs.ContainsKey(request)) differences.Add(new("in DuckDB but not in the event store", request, null, inDuck));
        foreach (var (balance, settled) in ledgerBalances)
        {
            if (!projected.TryGetValue(balance, out var inProjection)) continue; // the daemon has not folded it yet
            if (Cents(inProjection) != Cents(settled)) differences.Add(new("budget balance projection differs from its debits", balance, settled, inProjection));
        }

        return new ReconciliationReport(from, to, costs.Values.Sum(), debits.Values.Sum(), exported.Values.Sum(), costs.Count, differences);
    }

    static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.ToEven);

    static async Task<Dictionary<string, decimal>> PairsAsync(NpgsqlConnection pg, string sql, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct, bool optional = false)
    {
        var pairs = new Dictionary<string, decimal>();
        await using var command = new NpgsqlCommand(sql, pg);
        if (from is { } f) command.Parameters.AddWithValue(f.ToUniversalTime());
        if (to is { } t) command.Parameters.AddWithValue(t.ToUniversalTime());
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                pairs[reader.GetString(0)] = reader.IsDBNull(1) ? 0 : reader.GetDecimal(1);
        }
        catch (PostgresException ex) when (optional && ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // No balance projection document yet: nothing to compare.
        }
        return pairs;
    }

    public static string Format(ReconciliationReport report)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Reconciliation {report.From:O} .. {report.To:O}: {report.Requests} requests");
        text.AppendLine(CultureInfo.InvariantCulture, $"  event store cost {report.EventStoreCost:0.#########} USD; DuckDB {report.DuckDbCost:0.#########} USD; budget debits {report.DebitedCost:0.#########} USD (each debit counts a request once per budget)");
        text.AppendLine(report.Agrees ? "  agrees to the cent." : $"  {report.Differences.Count} difference(s):");
        foreach (var d in report.Differences) text.AppendLine(CultureInfo.InvariantCulture, $"  - {d.Kind}: {d.Subject} (expected {d.Expected?.ToString(CultureInfo.InvariantCulture) ?? "-"}, found {d.Found?.ToString(CultureInfo.InvariantCulture) ?? "-"})");
        return text.ToString();
    }
}
