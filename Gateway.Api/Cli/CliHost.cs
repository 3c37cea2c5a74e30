using Gateway.Api.Hosting;
using Microsoft.Extensions.Logging.Console;

namespace Gateway.Api.Cli;

/// <summary>
/// The gateway's services for one command: built only once its command line has parsed (so <c>--help</c> and a usage
/// error need no database), never started (no web server, no background jobs), logging to standard error only.
/// </summary>
public sealed class CliHost : IAsyncDisposable
{
    readonly WebApplication app;

    CliHost(WebApplication app) => this.app = app;

    public IServiceProvider Services => app.Services;
    public GatewayOptions Options => app.Services.GetRequiredService<GatewayOptions>();

    public static CliHost Build()
    {
        // No arguments for the host's configuration: they are the command's, already parsed; settings come from
        // appsettings.json and the environment (GATEWAY_DB, Gateway__AnalyticsPath, …).
        var builder = GatewayHost.CreateBuilder([]);
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        return new CliHost(builder.Build());
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
