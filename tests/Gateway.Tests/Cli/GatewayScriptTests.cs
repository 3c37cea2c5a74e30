namespace Gateway.Tests.Cli;

/// <summary>
/// The <c>./gateway</c> script around a command of the API host. The script runs for real; <c>dotnet</c> is a stand-in
/// on PATH that notes its arguments, prints what a build prints and, for the host, one line of JSON, so that no
/// second build runs inside the tests.
/// </summary>
public class GatewayScriptTests
{
    [Fact]
    public async Task the_scripts_build_output_and_its_own_lines_stay_off_stdout()
    {
        var (run, _) = await RunWithStandInDotnetAsync("analytics", "query", "cost", "--format", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("{\"rows\":[]}\n", run.Stdout);
        Assert.Contains("Build succeeded.", run.Stderr);
        Assert.Contains("gateway: building", run.Stderr);
    }

    [Fact]
    public async Task the_scripts_build_restores_in_locked_mode()
    {
        var (run, calls) = await RunWithStandInDotnetAsync("audit", "verify");

        Assert.True(run.ExitCode == 0, run.ToString());
        var build = Assert.Single(calls, c => c.StartsWith("build ", StringComparison.Ordinal));
        Assert.Contains("-p:RestoreLockedMode=true", build.Split(' '));
    }

    static async Task<(CliRun Run, string[] Calls)> RunWithStandInDotnetAsync(params string[] args)
    {
        var bin = Directory.CreateTempSubdirectory("gw-fake-dotnet-");
        try
        {
            var dotnet = Path.Combine(bin.FullName, "dotnet");
            await File.WriteAllTextAsync(dotnet, """
                #!/usr/bin/env bash
                printf '%s\n' "$*" >> "$(dirname "$0")/calls"
                if [[ $1 == *.dll ]]; then printf '{"rows":[]}\n'; exit 0; fi
                printf '  Determining projects to restore...\nBuild succeeded.\n    0 Warning(s)\n'
                """.ReplaceLineEndings("\n"));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

            var run = await CliProcess.RunAsync("bash", [Path.Combine(Repository.Root, "gateway"), .. args], new Dictionary<string, string>
            {
                ["PATH"] = $"{bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}",
                ["GATEWAY_DB"] = "Host=127.0.0.1;Database=unused", // set: the script provisions no cluster
                ["GATEWAY_DATA"] = bin.FullName,
            });
            return (run, await File.ReadAllLinesAsync(Path.Combine(bin.FullName, "calls")));
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }
}
