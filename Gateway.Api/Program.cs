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
builder.Host.UseWolverine(wolverine => wolverine.Policies.AutoApplyTransactions());

var app = builder.Build();
app.UseExceptionHandler();
app.UseAdminAuth();
app.MapOpenAi();
app.MapWolverineEndpoints();
app.MapOpenApi("/openapi/{documentName}.json");
app.MapGet("/health", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();

await app.RunAsync();

public partial class Program;
