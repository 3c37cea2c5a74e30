using Wolverine;
using Wolverine.Http;

namespace Gateway.Api.Hosting;

public static class GatewayHost
{
    /// <summary>The gateway's host with every service registered: the web server's, and the one a CLI command builds without starting.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // Content root beside the binaries, so appsettings.json is found whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var options = GatewayOptions.Bind(builder.Configuration);

        // Loopback by default; ASPNETCORE_URLS (as compose.yaml sets) chooses otherwise.
        if (string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]) && string.IsNullOrEmpty(builder.Configuration["urls"]))
            builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        // The proxy enforces its own body limit so that it can answer 413 in the OpenAI error shape.
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.AddServerHeader = false;
        });

        if (options.JsonLogs)
        {
            // One JSON object per line; scopes carry the trace and span ids (of the request's span when tracing) and,
            // on the request path, the request id.
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        builder.Services.AddGateway(options);
        builder.Services.AddGatewayTelemetry(options, builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddWolverineHttp();
        builder.Host.UseWolverine(wolverine => wolverine.ConfigureGatewayMessaging());
        return builder;
    }
}
