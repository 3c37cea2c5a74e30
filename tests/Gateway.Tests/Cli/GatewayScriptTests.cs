namespace Gateway.Tests.Cli;

/// <summary>
/// The <c>./gateway</c> script around a command of the API host: its own lines and the build's output go to stderr,
/// so stdout holds the command's data alone. The script runs for real; <c>dotnet</c> is a stand-in on PATH that
/// prints what a build prints and, for the host, one line of JSON, so that no second build runs inside the tests.
/// </summary>
public class GatewayScriptTests
{
    [Fact]
    public async Task the_scripts_build_output_and_its_own_lines_stay_off_stdout()
    {
        var bin = Directory.CreateTempSubdirectory("gw-fake-dotnet-");
        try
        {
            var dotnet = Path.Combine(bin.FullName, "dotnet");
            await File.WriteAllTextAsync(dotnet, """
                #!/usr/bin/env bash
                if [[ $1 == *.dll ]]; then printf '{"rows":[]}\n'; exit 0; fi
                printf '  Determining projects to restore...\nBuild succeeded.\n    0 Warning(s)\n'
                """.ReplaceLineEndings("\n"));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

            var run = await CliProcess.RunAsync("bash", [Path.Combine(RepoRoot(), "gateway"), "analytics", "query", "cost", "--format", "json"], new Dictionary<string, string>
            {
                ["PATH"] = $"{bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}",
                ["GATEWAY_DB"] = "Host=127.0.0.1;Database=unused", // set: the script provisions no cluster
                ["GATEWAY_DATA"] = bin.FullName,
            });

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("{\"rows\":[]}\n", run.Stdout);
            Assert.Contains("Build succeeded.", run.Stderr);
            Assert.Contains("gateway: building", run.Stderr);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "gateway")) && File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
                return dir.FullName;
        throw new InvalidOperationException("the repository root (with ./gateway) is not above " + AppContext.BaseDirectory);
    }
}
