using Gateway.Api.Admin;
using Gateway.Api.Cli;
using Gateway.Api.Dashboard;
using Gateway.Api;
using Gateway.Api.Hosting;
using Wolverine.Http;

// ./gateway analytics|audit|projections|prices …: a maintenance command, then exit (Cli/GatewayCli.cs).
if (GatewayCli.Handles(args)) return await GatewayCli.RunAsync(args);

var app = GatewayHost.CreateBuilder(args).Build();

app.UseExceptionHandler();
app.UseGatewayMetrics(app.Services.GetRequiredService<GatewayOptions>());
app.UseDashboard();
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
return 0;

public partial class Program;
