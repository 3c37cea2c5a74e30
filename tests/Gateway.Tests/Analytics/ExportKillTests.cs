using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.Analytics;
using Gateway.Domain.Requests;
using JasperFx;
using Marten;
using Npgsql;
using Weasel.Core;

namespace Gateway.Tests.Analytics;

/// <summary>
/// <c>./gateway analytics export</c> killed (SIGKILL) in the middle of an export, then run again: the DuckDB file
/// holds every request exactly once. The events live in their own Marten schema, so that the test gateway's own
/// continuous exporter (which holds that schema's export lock) is not in the way.
/// </summary>
[Collection(GatewayCollection.Name)]
public class ExportKillTests(GatewayFixture gateway)
{
    const int Requests = 2_000;
    readonly System.Text.StringBuilder errors = new();

    [Fact]
    public async Task killing_the_export_command_mid_export_then_running_it_again_loses_and_duplicates_nothing()
    {
        var schema = $"kill_{Guid.NewGuid():N}"[..21];
        var file = Path.Combine(Path.GetTempPath(), $"gw-kill-{Guid.NewGuid():N}.duckdb");
        try
        {
            var expectedCost = await WriteRequestsAsync(schema);
            var lastSeq = await gateway.ScalarAsync<long>($"select max(seq_id) from {schema}.mt_events");

            // One event per commit, so that the export takes seconds and the kill lands in the middle of it.
            using (var exporting = StartExport(schema, file, "--batch", "1"))
            {
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                try
                {
                    string? line;
                    while ((line = await exporting.StandardOutput.ReadLineAsync(patience.Token)) is not null && !line.StartsWith("committed"))
                    {
                    }
                    Assert.NotNull(line);
                }
                finally
                {
                    exporting.Kill(entireProcessTree: true);
                    await exporting.WaitForExitAsync(CancellationToken.None);
                }
            }

            long watermark;
            using (var duck = AnalyticsSchema.Open(file))
            {
                watermark = AnalyticsSchema.Watermark(duck);
                Assert.InRange(watermark, 1, lastSeq - 1); // killed after the first commit and before the last
                var committed = await gateway.ScalarAsync<long>($"select count(*) from {schema}.mt_events where type = 'request_completed' and seq_id <= {watermark}");
                Assert.Equal(committed, ExportTests.Scalar<long>(duck, "select count(*) from requests"));
                Assert.Equal(0L, ExportTests.Scalar<long>(duck, $"select count(*) from requests where seq > {watermark}"));
            }

            // The killed process's PostgreSQL session ends (and its export lock with it) once PostgreSQL sees the socket
            // close: until then the command answers 3, "another exporter holds the lock".
            for (var attempt = 0; ; attempt++)
            {
                using var again = StartExport(schema, file);
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(120));
                var output = await again.StandardOutput.ReadToEndAsync(patience.Token);
                await again.WaitForExitAsync(patience.Token);
                if (again.ExitCode == 3 && attempt < 20)
                {
                    await Task.Delay(250);
                    continue;
                }
                Assert.True(again.ExitCode == 0, $"exit {again.ExitCode}: {output} {errors}");
                break;
            }

            using (var duck = AnalyticsSchema.Open(file))
            {
                Assert.Equal(lastSeq, AnalyticsSchema.Watermark(duck));
                Assert.Equal((long)Requests, ExportTests.Scalar<long>(duck, "select count(*) from requests"));
                Assert.Equal((long)Requests, ExportTests.Scalar<long>(duck, "select count(distinct request_id) from requests"));
                Assert.Equal((long)Requests, ExportTests.Scalar<long>(duck, "select count(*) from attempts"));
                Assert.Equal(expectedCost, ExportTests.Scalar<decimal>(duck, "select sum(cost) from requests"));
            }
        }
        finally
        {
            await ExecuteAsync($"drop schema if exists {schema} cascade");
            File.Delete(file);
            File.Delete(file + ".wal");
        }
    }

    /// <summary>The requests as the gateway records them (same serializer settings), one stream each.</summary>
    async Task<decimal> WriteRequestsAsync(string schema)
    {
        await using var store = DocumentStore.For(o =>
        {
            o.Connection(gateway.ConnectionString);
            o.DatabaseSchemaName = schema;
            o.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
            o.AutoCreateSchemaObjects = AutoCreate.All;
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var cost = 0m;
        for (var written = 0; written < Requests; written += 500)
        {
            await using var session = store.LightweightSession();
            for (var i = written; i < written + 500; i++)
            {
                var request = new RequestCompleted
                {
                    RequestId = Guid.NewGuid(), KeyId = Guid.NewGuid(), TeamId = Guid.NewGuid(), Operation = "chat",
                    ModelAsked = "kill/model", ModelServed = "kill/model", ProviderId = Guid.NewGuid(), CredentialKind = "gateway",
                    Status = 200, PromptTokens = 10 + i, CompletionTokens = 20, Cost = 0.000001m * (i + 1), TotalMs = 5 + i % 7, OverheadMs = 0.01,
                    StartedAt = DateTimeOffset.UtcNow, CompletedAt = DateTimeOffset.UtcNow, Route = "kill/model",
                    Attempts = [new Attempt("kill/model", Guid.NewGuid(), 200, null, 4, "served")],
                };
                cost += request.Cost;
                session.Events.StartStream(Guid.NewGuid(), request);
            }
            await session.SaveChangesAsync();
        }
        // No projection daemon runs on this schema: set the high-water mark it would set (the appends are all committed).
        await ExecuteAsync($"""
            insert into {schema}.mt_event_progression (name, last_seq_id) values ('HighWaterMark', (select max(seq_id) from {schema}.mt_events))
            on conflict (name) do update set last_seq_id = excluded.last_seq_id
            """);
        return cost;
    }

    /// <summary>The gateway's own binary, as <c>./gateway analytics export</c> runs it.</summary>
    Process StartExport(string schema, string file, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "Gateway.Api.dll"), "analytics", "export", .. extra])
            start.ArgumentList.Add(arg);
        start.Environment["GATEWAY_DB"] = gateway.ConnectionString;
        start.Environment["GATEWAY_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        start.Environment["Gateway__Schema"] = schema;
        start.Environment["Gateway__AnalyticsPath"] = file;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        // Drained as it comes, so that a long error cannot fill the pipe and stall the child; kept for failure messages.
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        return process;
    }

    async Task ExecuteAsync(string sql)
    {
        await using var pg = new NpgsqlConnection(gateway.ConnectionString);
        await pg.OpenAsync();
        await using var command = new NpgsqlCommand(sql, pg);
        await command.ExecuteNonQueryAsync();
    }
}
