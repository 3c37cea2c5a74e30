using Gateway.Analytics;

namespace Gateway.Tests.Analytics;

/// <summary>
/// The dashboard's overview against a known set of rows: sums and rates exact, the headline equal to the sum of its
/// buckets, and latency percentiles from the log histogram within 1% of the exact nearest-rank value.
/// </summary>
public class OverviewQueryTests : IDisposable
{
    readonly string file = Path.Combine(Path.GetTempPath(), $"gw-overview-{Guid.NewGuid():N}.duckdb");

    public void Dispose()
    {
        File.Delete(file);
        File.Delete(file + ".wal");
    }

    [Fact]
    public void totals_and_buckets_agree_with_the_rows_and_percentiles_are_within_one_percent()
    {
        using var db = AnalyticsSchema.Open(file);
        var random = new Random(7);
        var latencies = new List<double>();
        using (var insert = db.CreateCommand())
        {
            var values = new List<string>();
            for (var i = 0; i < 2_000; i++)
            {
                var ms = Math.Round(5 + random.NextDouble() * random.NextDouble() * 3_000, 3);
                latencies.Add(ms);
                var hour = i % 3;
                var status = i % 40 == 0 ? 502 : 200;
                var model = i % 2 == 0 ? "a/one" : "b/two";
                values.Add($"({i}, timestamp '2026-12-01 0{hour}:15:00', 'r{i}', null, 't', 'k', null, '{model}', '{model}', 'p', 'gateway', {status}, null, 1, {(i % 10 == 0 ? "true" : "false")}, false, 10, 20, 0, false, 0.001, null, null, 1, {ms.ToString(System.Globalization.CultureInfo.InvariantCulture)}, false, 0, null)");
            }
            insert.CommandText = "insert into requests values " + string.Join(",", values);
            insert.ExecuteNonQuery();
        }

        var overview = OverviewQuery.Run(db, "hour", "model", null, null);

        Assert.Equal(2_000m, Convert.ToDecimal(overview.Totals["requests"]));
        Assert.Equal(20_000m, Convert.ToDecimal(overview.Totals["prompt_tokens"]));
        Assert.Equal(40_000m, Convert.ToDecimal(overview.Totals["completion_tokens"]));
        Assert.Equal(2m, Convert.ToDecimal(overview.Totals["cost"]));
        Assert.Equal(50 / 2_000.0, Convert.ToDouble(overview.Totals["error_rate"]), 6);
        Assert.Equal(200 / 2_000.0, Convert.ToDouble(overview.Totals["fallback_rate"]), 6);
        var latenciesInOrder = latencies.ToList();
        latencies.Sort();
        foreach (var (name, q) in new[] { ("p50_ms", 0.50), ("p95_ms", 0.95) })
        {
            var exact = latencies[(int)Math.Ceiling(q * latencies.Count) - 1];
            Assert.InRange(Convert.ToDouble(overview.Totals[name]), exact * 0.99, exact * 1.01);
        }

        var columns = overview.Series.Columns.ToList();
        // Each bucket's own percentiles and rates, against its own rows (rows i: hour i % 3, model by i % 2).
        foreach (var row in overview.Series.Rows)
        {
            var hour = ((DateTime)row[0]!).Hour;
            var model = (string)row[1]!;
            var mine = Enumerable.Range(0, latencies.Count).Where(i => i % 3 == hour && (i % 2 == 0 ? "a/one" : "b/two") == model).ToList();
            var sorted = mine.Select(i => latenciesInOrder[i]).Order().ToList();
            var p95 = sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1];
            Assert.InRange(Convert.ToDouble(row[columns.IndexOf("p95_ms")]), p95 * 0.99, p95 * 1.01);
            Assert.Equal(mine.Count(i => i % 40 == 0) / (double)mine.Count, Convert.ToDouble(row[columns.IndexOf("error_rate")]), 6);
        }
        Assert.Equal(["bucket", "group", "requests", "prompt_tokens", "completion_tokens", "cost", "p50_ms", "p95_ms", "error_rate", "fallback_rate"], columns);
        Assert.Equal(6, overview.Series.Rows.Count);
        Assert.Equal(2_000m, overview.Series.Rows.Sum(r => Convert.ToDecimal(r[columns.IndexOf("requests")])));
        Assert.Equal(2m, overview.Series.Rows.Sum(r => Convert.ToDecimal(r[columns.IndexOf("cost")])));
        Assert.All(overview.Series.Rows, r => Assert.Equal(DateTimeKind.Utc, ((DateTime)r[0]!).Kind));
    }

    [Fact]
    public void the_period_includes_its_start_and_excludes_its_end()
    {
        using var db = AnalyticsSchema.Open(file);
        using (var insert = db.CreateCommand())
        {
            insert.CommandText = string.Join(";", new[] { "00:59:59.999", "01:00:00", "01:59:59.999", "02:00:00" }.Select((t, i) =>
                $"insert into requests values ({i}, timestamp '2026-12-01 {t}', 'r{i}', null, 't', 'k', null, 'm', 'm', 'p', 'gateway', 200, null, 1, false, false, 1, 1, 0, false, 0.5, null, null, 1, 10, false, 0, null)"));
            insert.ExecuteNonQuery();
        }

        var hour = OverviewQuery.Run(db, "hour", "none", new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));

        Assert.Equal(2m, Convert.ToDecimal(hour.Totals["requests"]));
        Assert.Equal(1m, Convert.ToDecimal(hour.Totals["cost"]));
        Assert.Single(hour.Series.Rows);
    }

    [Fact]
    public void an_empty_period_has_zero_totals_and_no_latency()
    {
        using var db = AnalyticsSchema.Open(file);

        var overview = OverviewQuery.Run(db, "day", "none", null, null);

        Assert.Equal(0m, Convert.ToDecimal(overview.Totals["requests"]));
        Assert.Equal(0m, Convert.ToDecimal(overview.Totals["cost"]));
        Assert.Null(overview.Totals["p95_ms"]);
        Assert.Empty(overview.Series.Rows);
    }

    [Fact]
    public void an_unknown_split_is_refused_by_name()
    {
        using var db = AnalyticsSchema.Open(file);

        var refused = Assert.Throws<ArgumentException>(() => OverviewQuery.Run(db, "day", "key; drop table requests", null, null));

        Assert.Equal("by", refused.ParamName);
    }
}
