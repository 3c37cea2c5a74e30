using DuckDB.NET.Data;
using Gateway.Analytics;
using Gateway.Domain.Budgets;
using Gateway.Domain.Requests;
using Marten;
using Marten.Events;
using MockProvider;

namespace Gateway.Tests.Analytics;

/// <summary>Request events reach DuckDB exactly once, in batches, driven by the event sequence.</summary>
[Collection(GatewayCollection.Name)]
public class ExportTests(GatewayFixture gateway)
{
    async Task<TestKey> TrafficAsync(int count)
    {
        var key = await gateway.NewKeyAsync("analytics");
        var cheap = await gateway.NewModelAsync(input: 1m, output: 2m);
        var dear = await gateway.NewModelAsync(input: 10m, output: 30m, provider: "mock-anthropic");
        gateway.SetBehavior(dear, new ModelBehavior { FailEvery = 4, Status = 500 });
        using var client = gateway.Client(key.Secret);
        for (var i = 0; i < count; i++)
        {
            using var response = await Chat.PostAsync(client, Chat.Request(i % 2 == 0 ? cheap.PublicId : dear.PublicId, string.Join(' ', Enumerable.Repeat("word", 1 + i % 5))));
        }
        // The exporter reads below Marten's high-water mark, which the daemon moves.
        await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        return key;
    }

    static string NewDuckDbFile() => Path.Combine(Path.GetTempPath(), $"gw-analytics-{Guid.NewGuid():N}.duckdb");

    static T Scalar<T>(string path, string sql)
    {
        using var duck = AnalyticsSchema.Open(path);
        return Scalar<T>(duck, sql);
    }

    internal static T Scalar<T>(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T));
    }

    [Fact]
    public async Task a_known_set_of_requests_gives_the_expected_rows_costs_and_percentiles()
    {
        var key = await TrafficAsync(24);
        var path = NewDuckDbFile();
        await new EventExporter(gateway.ConnectionString, "gateway", path).ExportAsync();

        var records = await gateway.RequestsOfAsync(key.Id);
        Assert.Equal(24, records.Count);
        Assert.Equal(24L, Scalar<long>(path, $"select count(*) from requests where key_id = '{key.Id}'"));
        Assert.Equal(records.Sum(r => r.Cost), Scalar<decimal>(path, $"select sum(cost) from requests where key_id = '{key.Id}'"));
        Assert.Equal(records.Count(r => r.Status >= 400), Scalar<long>(path, $"select count(*) from requests where key_id = '{key.Id}' and status >= 400"));
        // One attempts row per upstream attempt, numbered from 1, with the request's outcome on the last one.
        var ofKey = $"from attempts where request_id in (select request_id from requests where key_id = '{key.Id}')";
        Assert.Equal((long)records.Sum(r => r.Attempts.Count), Scalar<long>(path, $"select count(*) {ofKey}"));
        Assert.Equal((long)records.Count(r => r.Attempts.Any(a => a.Outcome == "served")), Scalar<long>(path, $"select count(*) {ofKey} and outcome = 'served'"));
        Assert.Equal((long)records.Count(r => r.Attempts.Count > 0), Scalar<long>(path, $"select count(*) {ofKey} and attempt = 1"));
        var sorted = records.Select(r => r.TotalMs).Order().ToArray();
        // DuckDB's quantile_disc is the nearest-rank percentile: the value at ceil(q·n) in sorted order.
        Assert.Equal(sorted[(int)Math.Ceiling(0.95 * sorted.Length) - 1], Scalar<double>(path, $"select quantile_disc(total_ms, 0.95) from requests where key_id = '{key.Id}'"), 6);
        Assert.Equal(sorted[(int)Math.Ceiling(0.5 * sorted.Length) - 1], Scalar<double>(path, $"select quantile_disc(total_ms, 0.5) from requests where key_id = '{key.Id}'"), 6);
    }

    [Fact]
    public async Task a_crash_between_append_and_commit_loses_and_duplicates_nothing()
    {
        var key = await TrafficAsync(20);
        var path = NewDuckDbFile();
        var crashing = new EventExporter(gateway.ConnectionString, "gateway", path, batchSize: 7);
        var batches = 0;
        crashing.BeforeCommit = _ =>
        {
            if (++batches == 3) throw new IOException("the exporter's process died here");
        };
        await Assert.ThrowsAsync<IOException>(() => crashing.ExportAsync());
        var watermarkAfterCrash = Scalar<long>(path, "select max(last_seq) from export_progress");

        await new EventExporter(gateway.ConnectionString, "gateway", path, batchSize: 7).ExportAsync();

        Assert.True(watermarkAfterCrash > 0, "the batches before the crash stayed committed");
        Assert.Equal(20L, Scalar<long>(path, $"select count(*) from requests where key_id = '{key.Id}'"));
        Assert.Equal(20L, Scalar<long>(path, $"select count(distinct request_id) from requests where key_id = '{key.Id}'"));
        Assert.Equal(Scalar<long>(path, "select count(*) from requests"), Scalar<long>(path, "select count(distinct seq) from requests"));
    }

    [Fact]
    public void a_file_written_with_the_single_row_watermark_keeps_its_watermark()
    {
        var path = NewDuckDbFile();
        using (var old = new DuckDBConnection($"Data Source={path}"))
        {
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText = """
                create table export_state (id integer primary key, last_seq bigint not null, updated_at timestamptz not null);
                insert into export_state values (1, 4242, now());
                """;
            command.ExecuteNonQuery();
        }

        using var duck = AnalyticsSchema.Open(path);
        Assert.Equal(4242L, AnalyticsSchema.Watermark(duck));
        Assert.Empty(Rows(duck, "select 1 from duckdb_tables() where table_name = 'export_state'"));
    }

    [Fact]
    public async Task a_rebuild_produces_the_same_tables_as_the_incremental_export()
    {
        await TrafficAsync(10);
        var path = NewDuckDbFile();
        var exporter = new EventExporter(gateway.ConnectionString, "gateway", path, batchSize: 5);
        await exporter.ExportAsync();
        await TrafficAsync(6);
        await exporter.ExportAsync();
        const string fingerprint = "select count(*)::varchar || ':' || sum(cost)::varchar || ':' || sum(seq)::varchar || ':' || sum(prompt_tokens)::varchar from requests";
        var incremental = Scalar<string>(path, fingerprint);
        var debitsBefore = Scalar<string>(path, "select count(*)::varchar || ':' || coalesce(sum(amount), 0)::varchar from budget_debits");
        const string attemptsFingerprint = "select count(*)::varchar || ':' || sum(seq)::varchar || ':' || sum(attempt)::varchar from attempts";
        var attemptsBefore = Scalar<string>(path, attemptsFingerprint);

        await exporter.RebuildAsync();

        Assert.Equal(incremental, Scalar<string>(path, fingerprint));
        Assert.Equal(debitsBefore, Scalar<string>(path, "select count(*)::varchar || ':' || coalesce(sum(amount), 0)::varchar from budget_debits"));
        Assert.Equal(attemptsBefore, Scalar<string>(path, attemptsFingerprint));
    }

    [Fact]
    public async Task every_column_equals_the_event_it_came_from_escaped_and_non_ascii_text_included()
    {
        var key = await TrafficAsync(6);
        var odd = "a \"quoted\" route\\ with é, 東京 and a\nnewline";
        var request = new RequestCompleted
        {
            RequestId = Guid.NewGuid(), KeyId = key.Id, TeamId = Guid.NewGuid(), AccountId = Guid.NewGuid(), Operation = "chat",
            ModelAsked = odd, ModelServed = "mock/é-served", ProviderId = Guid.NewGuid(), CredentialKind = "byok", Status = 200,
            ErrorCode = "upstream_\"odd\"", PromptTokens = 1234567890123, CompletionTokens = 7, CachedPromptTokens = 3, UsageEstimated = true,
            Cost = 12345678.123456789m, Streamed = true, UpstreamTtfbMs = 0.125, UpstreamMs = null, TotalMs = 99.5, OverheadMs = 0.0123,
            StartedAt = new DateTimeOffset(2026, 11, 28, 16, 30, 1, TimeSpan.FromHours(2)).AddTicks(1234560),
            CompletedAt = DateTimeOffset.UtcNow, Route = odd,
            Attempts = [new Attempt("mock/a", Guid.NewGuid(), 429, "rate_limited", 1.5, "fell_back"), new Attempt("mock/é", Guid.NewGuid(), null, null, 2.25, "served")],
        };
        var debit = new BudgetDebited(request.RequestId, 0.000000001m,
            [new BudgetCharge(Guid.NewGuid(), new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)), new BudgetCharge(Guid.NewGuid(), new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.FromHours(-5)))]);
        await using (var session = gateway.Store.LightweightSession())
        {
            session.Events.StartStream(Guid.NewGuid(), request, debit);
            await session.SaveChangesAsync();
        }
        await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        var path = NewDuckDbFile();
        await new EventExporter(gateway.ConnectionString, "gateway", path).ExportAsync();

        var records = (await gateway.RequestsOfAsync(key.Id)).ToList();
        Assert.Equal(7, records.Count);
        using var duck = AnalyticsSchema.Open(path);
        foreach (var r in records)
        {
            var row = Row(duck, $"select * exclude (seq) from requests where request_id = '{r.RequestId}'");
            object?[] expected =
            [
                r.StartedAt.UtcDateTime.AddTicks(-(r.StartedAt.UtcDateTime.Ticks % 10)), r.RequestId.ToString(), r.AccountId?.ToString(),
                r.TeamId.ToString(), r.KeyId.ToString(), r.Route, r.ModelAsked, r.ModelServed, r.ProviderId?.ToString(), r.CredentialKind,
                r.Status, r.ErrorCode, r.Attempts.Count, r.Attempts.Any(a => a.Outcome == "fell_back"), r.Streamed,
                r.PromptTokens, r.CompletionTokens, r.CachedPromptTokens, r.UsageEstimated, r.Cost,
                r.UpstreamTtfbMs, r.UpstreamMs, r.OverheadMs, r.TotalMs, r.CacheHit, r.CostSaved ?? 0m, r.ClientApi,
            ];
            Assert.Equal(expected, row);
            var attempts = Rows(duck, $"select attempt, model, provider_id, status, error_class, latency_ms, outcome from attempts where request_id = '{r.RequestId}' order by attempt");
            Assert.Equal(r.Attempts.Select((a, i) => new object?[] { i + 1, a.Model, a.ProviderId.ToString(), a.Status, a.ErrorClass, a.LatencyMs, a.Outcome }), attempts);
        }
        var debits = Rows(duck, $"select request_id, budget_id, period_start, amount from budget_debits where request_id = '{request.RequestId}' order by period_start");
        Assert.Equal(debit.Budgets.Select(b => new object?[] { request.RequestId.ToString(), b.BudgetId.ToString(), b.PeriodStart.UtcDateTime, debit.Amount }), debits);
    }

    static object?[] Row(DuckDBConnection duck, string sql) => Assert.Single(Rows(duck, sql));

    static List<object?[]> Rows(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(values);
        }
        return rows;
    }
}
