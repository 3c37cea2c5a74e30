namespace Gateway.Api.Cli;

/// <summary>What every <c>./gateway</c> maintenance command exits with (docs/cli.md).</summary>
public static class ExitCode
{
    public const int Done = 0;
    /// <summary>The command ran and failed, or a check it made found a problem (a broken chain, a difference, nothing found).</summary>
    public const int Failed = 1;
    /// <summary>The command line was wrong: an unknown command or option, a missing or malformed value. Nothing was done.</summary>
    public const int Usage = 2;
    /// <summary>Someone else holds the lock the command needs (an exporter, a running gateway). Nothing was done; try again later.</summary>
    public const int Busy = 3;
    /// <summary>Interrupted (Ctrl-C), as a shell reports SIGINT.</summary>
    public const int Interrupted = 130;
}
