using Gateway.Api;
using Gateway.Api.Admin;
using Gateway.Api.Hosting;
using Wolverine;
using Wolverine.Http;

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

builder.Services.AddGateway(options);
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddWolverineHttp();
builder.Host.UseWolverine(wolverine => wolverine.ConfigureGatewayMessaging());

var app = builder.Build();

// ./gateway analytics …: export, parquet, query, reconcile; then exit.
if (args is ["analytics", ..])
{
    Environment.ExitCode = await Gateway.Api.Analytics.AnalyticsCommands.RunAsync(args, options);
    return;
}

// ./gateway audit …: export history with its chain links, verify the store or an export; then exit.
if (args is ["audit", ..])
{
    Environment.ExitCode = await Gateway.Api.Audit.AuditCommands.RunAsync(args, app.Services, options);
    return;
}

// ./gateway projections rebuild: replay every event into fresh projections, compare with the live ones; then exit.
if (args is ["projections", ..])
{
    Environment.ExitCode = await Gateway.Api.Audit.ProjectionCommands.RunAsync(args, app.Services, options);
    return;
}

// ./gateway prices load: apply the shipped starter price list to the catalog, then exit.
if (args is ["prices", "load", ..])
{
    // No web server: this may run beside a gateway already listening; that one follows the change within its refresh interval.
    var applied = await app.Services.GetRequiredService<Gateway.Api.Pricing.StarterPrices>().ApplyAsync(CancellationToken.None);
    foreach (var p in applied) Console.WriteLine($"{p.PublicId}: input {p.InputPerMillion}, output {p.OutputPerMillion}, cached input {p.CachedInputPerMillion?.ToString() ?? "-"} USD per million tokens");
    Console.WriteLine($"{applied.Count} catalog models repriced from the starter list ({Gateway.Api.Pricing.StarterPrices.Read().Count} entries).");
    return;
}
app.UseExceptionHandler();
app.UseAdminStatusProblems();
app.UseAdminAuth();
app.UseAdminRequestChecks();
app.MapOpenAi();
app.MapWolverineEndpoints(http =>
{
    // A query value or header that is present but does not parse is a 400 naming it, never silently the default
    // (a mistyped `from` would otherwise turn a cost query into an all-time total).
    http.RejectUnparseableQueryValues = true;
    http.RejectUnparseableHeaderValues = true;
    http.AddMiddleware(typeof(AuditHeaders),
        chain => chain.RoutePattern?.RawText?.StartsWith("/admin", StringComparison.Ordinal) == true && !chain.HttpMethods.All(m => m is "GET" or "HEAD"));
});
app.MapOpenApi("/openapi/{documentName}.json");
app.MapGatewayHealth();

await app.RunAsync();

public partial class Program;
