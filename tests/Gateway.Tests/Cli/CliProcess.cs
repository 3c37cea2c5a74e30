using System.Diagnostics;
using System.Security.Cryptography;

namespace Gateway.Tests.Cli;

/// <summary>What a run of a command printed and how it exited.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}; stdout: {Stdout}; stderr: {Stderr}";
}

/// <summary>The gateway's own binary run as a separate process, as <c>./gateway analytics|audit …</c> runs it.</summary>
public static class CliProcess
{
    public static Task<CliRun> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Gateway.Api.dll"), .. args], environment);

    /// <summary>The gateway's settings for a database: its connection string and a master key of its own.</summary>
    public static Dictionary<string, string> Settings(string connectionString) => new()
    {
        ["GATEWAY_DB"] = connectionString,
        ["GATEWAY_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    };

    public static async Task<CliRun> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        // Both pipes drained at once, so that neither can fill up and stall the child.
        var stdout = process.StandardOutput.ReadToEndAsync(patience.Token);
        var stderr = process.StandardError.ReadToEndAsync(patience.Token);
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }
}
