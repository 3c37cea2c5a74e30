using System.CommandLine;
using System.Text.Json;
using Gateway.Analytics;
using Gateway.Api.Cli;
using Marten.Events;

namespace Gateway.Tests.Cli;

/// <summary>
/// The maintenance commands (<c>./gateway analytics|audit|projections|prices</c>): data alone on stdout, so that
/// <c>| jq</c> works whatever the host logs; every command has --help; a malformed command line is refused with one
/// line on stderr and exit code 2 before anything runs.
/// </summary>
[Collection(GatewayCollection.Name)]
public class CommandLineTests(GatewayFixture gateway)
{
    /// <summary>Settings for the fixture's database, with the host logging everything it can (Marten's SQL included).</summary>
    Dictionary<string, string> Chatty() => new(CliProcess.Settings(gateway.ConnectionString))
    {
        ["Logging__LogLevel__Default"] = "Trace",
        ["Logging__LogLevel__Marten"] = "Trace",
        ["Logging__LogLevel__Microsoft"] = "Trace",
    };

    async Task<TestKey> TrafficAsync(int requests)
    {
        var key = await gateway.NewKeyAsync("cli");
        var model = await gateway.NewModelAsync(input: 1m, output: 2m);
        using var client = gateway.Client(key.Secret);
        for (var i = 0; i < requests; i++)
        {
            using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));
            Assert.True(response.IsSuccessStatusCode);
        }
        await gateway.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        return key;
    }

    [Fact]
    public async Task audit_requests_prints_json_from_the_first_byte_while_the_host_logs_at_trace()
    {
        var key = await TrafficAsync(3);

        var run = await CliProcess.RunAsync(Chatty(), "audit", "requests", key.Id.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("{", run.Stdout);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(3, json.GetProperty("count").GetInt32());
        Assert.Equal(key.Id, json.GetProperty("keyId").GetGuid());
        // The host did log (Marten's statements): to stderr.
        Assert.Contains("Marten", run.Stderr);
    }

    [Fact]
    public async Task analytics_query_json_and_csv_hold_the_data_alone()
    {
        var key = await TrafficAsync(2);
        var file = Path.Combine(Path.GetTempPath(), $"gw-cli-{Guid.NewGuid():N}.duckdb");
        try
        {
            await new EventExporter(gateway.ConnectionString, "gateway", file).ExportAsync();
            var settings = Chatty();
            settings["Gateway__AnalyticsPath"] = file;

            var json = await CliProcess.RunAsync(settings, "analytics", "query", "cost", "--by", "key", "--format", "json");
            Assert.True(json.ExitCode == 0, json.ToString());
            var answer = JsonDocument.Parse(json.Stdout).RootElement;
            Assert.Equal("key", answer.GetProperty("columns")[0].GetString());
            var row = answer.GetProperty("rows").EnumerateArray().Single(r => r[0].GetString() == key.Id.ToString());
            Assert.Equal(2, row[1].GetInt32());

            var csv = await CliProcess.RunAsync(settings, "analytics", "query", "cost", "--format", "csv", "--from", "2020-01-01T00:00:00Z");
            Assert.True(csv.ExitCode == 0, csv.ToString());
            Assert.StartsWith("key,requests,", csv.Stdout);
            Assert.Contains(key.Id.ToString(), csv.Stdout);

            // The export keeps provider ids; the CLI, like the admin API, adds each one's name from the catalog.
            var byProvider = await CliProcess.RunAsync(settings, "analytics", "query", "cost", "--by", "provider", "--format", "json");
            Assert.True(byProvider.ExitCode == 0, byProvider.ToString());
            var providers = JsonDocument.Parse(byProvider.Stdout).RootElement;
            Assert.Equal(["provider", "provider_name"], providers.GetProperty("columns").EnumerateArray().Take(2).Select(c => c.GetString()));
            var mock = providers.GetProperty("rows").EnumerateArray().Single(r => r[1].GetString() == "mock");
            Assert.True(Guid.TryParse(mock[0].GetString(), out _), mock.ToString());
        }
        finally
        {
            File.Delete(file);
            File.Delete(file + ".wal");
        }
    }

    [Theory]
    [InlineData("--from", "yesterday", "analytics", "query", "cost")]
    [InlineData("--format", "xml", "analytics", "query", "cost")]
    [InlineData("--n", "0", "analytics", "query", "top-keys")]
    [InlineData("--batch", "lots", "analytics", "export")]
    [InlineData("--at", "28/11/2026", "audit", "callers", "mock/gpt-4o-mini")]
    [InlineData("--key", "not-a-guid", "audit", "erase")]
    public async Task a_malformed_option_is_refused_with_one_line_on_stderr_and_exit_code_2(string option, string value, params string[] command)
    {
        // No database: the line is refused while it is parsed, before the host is built.
        var run = await CliProcess.RunAsync(new Dictionary<string, string> { ["GATEWAY_DB"] = "" }, [.. command, option, value]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(option, line);
        Assert.Contains(value, line);
        Assert.Contains($"./gateway {string.Join(' ', command.Where(c => !c.Contains('/')))} --help", line);
    }

    [Theory]
    [InlineData("analytics", "exprt")]
    [InlineData("analytics", "query")]
    [InlineData("audit", "state", "key", "01a221da-457e-7625-8fae-fd2beae23c34")] // --at is required
    [InlineData("audit", "state", "keys", "01a221da-457e-7625-8fae-fd2beae23c34", "--at", "2026-11-28T10:00:00Z")]
    [InlineData("audit", "erase", "--request", "01a221da-457e-7625-8fae-fd2beae23c34", "--key", "01a221da-457e-7625-8fae-fd2beae23c34")]
    [InlineData("audit", "requests", "01a221da-457e-7625-8fae-fd2beae23c34", "--from", "2026-12-01T00:00:00Z", "--to", "2026-11-01T00:00:00Z")]
    [InlineData("analytics", "parquet")] // --out is required
    [InlineData("projections", "rebuild", "--onyl", "KeyView")]
    public async Task a_wrong_command_line_exits_2_with_one_line_on_stderr_and_nothing_on_stdout(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await GatewayCli.RunAsync(args, stdout, stderr);

        Assert.True(exit == ExitCode.Usage, $"exit {exit}: {stderr}");
        Assert.Equal("", stdout.ToString());
        Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task every_command_has_help_on_stdout_and_exits_0()
    {
        var commands = new List<string[]>();
        void Walk(Command command, string[] path)
        {
            commands.Add(path);
            foreach (var sub in command.Subcommands) Walk(sub, [.. path, sub.Name]);
        }
        foreach (var verb in GatewayCli.Commands().Subcommands) Walk(verb, [verb.Name]);
        Assert.Equal(21, commands.Count); // 4 verbs; analytics 8 below it, audit 7, projections 1, prices 1

        foreach (var path in commands)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var exit = await GatewayCli.RunAsync([.. path, "--help"], stdout, stderr);
            Assert.True(exit == 0, $"{string.Join(' ', path)} --help: exit {exit}: {stderr}");
            Assert.Contains($"./gateway {string.Join(' ', path)}", stdout.ToString());
            Assert.Equal("", stderr.ToString());
        }
    }

    [Fact]
    public async Task help_from_the_real_binary_exits_0_without_a_database()
    {
        var run = await CliProcess.RunAsync(new Dictionary<string, string> { ["GATEWAY_DB"] = "" }, "analytics", "query", "latency", "--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("--metric <total|ttft|upstream|overhead>", run.Stdout);
        Assert.Contains("./gateway analytics query latency", run.Stdout);
    }

    [Fact]
    public async Task a_failure_exits_1_with_its_reason_on_stderr()
    {
        var settings = CliProcess.Settings(gateway.ConnectionString);
        settings["Gateway__AnalyticsPath"] = Path.Combine(Path.GetTempPath(), $"gw-missing-{Guid.NewGuid():N}.duckdb");

        var run = await CliProcess.RunAsync(settings, "analytics", "query", "cost", "--format", "json");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Contains("analytics query cost failed: There is no analytics file", run.Stderr);
    }
}
