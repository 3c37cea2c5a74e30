using Gateway.Analytics;
using Marten;
using Marten.Events;

namespace Gateway.Tests.Analytics;

/// <summary>
/// The gateway's exporter keeps the DuckDB database open between rounds; a reader that cannot open the file asks for it
/// and gets it after the exporter's next round, and the exporter carries on from the watermark once the reader is done.
/// </summary>
[Collection(GatewayCollection.Name)]
public class HeldExportTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_reader_asks_for_the_file_the_exporter_holds_and_gets_it_after_the_next_round()
    {
        var key = await gateway.NewKeyAsync("held-export");
        var model = await gateway.NewModelAsync(input: 1m, output: 2m);
        using var client = gateway.Client(key.Secret);
        async Task TrafficAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "hello"));
            }
            await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        }
        var path = Path.Combine(Path.GetTempPath(), $"gw-held-{Guid.NewGuid():N}.duckdb");
        using var exporter = new EventExporter(gateway.ConnectionString, "gateway", path, keepOpen: true);
        await TrafficAsync(3);
        await exporter.ExportAsync();

        // Held: the CLI (another process) cannot open the file, leaves its note and waits; the exporter's next round
        // sees the note and lets go, and the CLI reads.
        var settings = new Dictionary<string, string>(Cli.CliProcess.Settings(gateway.ConnectionString)) { ["Gateway__AnalyticsPath"] = path };
        var reading = Cli.CliProcess.RunAsync(settings, "analytics", "query", "cost", "--by", "key", "--format", "json");
        var rounds = 0;
        while (!File.Exists(path + ".reader") && !reading.IsCompleted) await Task.Delay(50);
        Assert.False(reading.IsCompleted, "the CLI opened a file the exporter held");
        while (!reading.IsCompleted && rounds++ < 50)
        {
            // Once the reader has the file, a round cannot open it and fails, as the gateway's rounds do (it logs a
            // warning and tries again the next second).
            try { await exporter.ExportAsync(); }
            catch (DuckDB.NET.Data.DuckDBException) { }
            await Task.Delay(200);
        }
        var run = await reading;
        Assert.True(run.ExitCode == 0, run.ToString());
        var row = System.Text.Json.JsonDocument.Parse(run.Stdout).RootElement.GetProperty("rows").EnumerateArray().Single(r => r[0].GetString() == key.Id.ToString());
        Assert.Equal(3, row[1].GetInt32());

        // The next rounds open it again and hold it; nothing is exported twice or skipped.
        await TrafficAsync(2);
        await exporter.ExportAsync();
        await exporter.ExportAsync();
        exporter.Dispose();
        using var after = AnalyticsSchema.OpenForReading(path, TimeSpan.FromSeconds(5));
        Assert.Equal(5L, ExportTests.Scalar<long>(after, $"select count(*) from requests where key_id = '{key.Id}'"));
        Assert.Equal(0L, ExportTests.Scalar<long>(after, "select count(*) - count(distinct request_id) from requests"));
    }
}
