using Yarp.ReverseProxy.Configuration;

// A bare YARP forwarder in front of the mock provider: no auth, no parsing, no record. Every gateway figure in
// bench/README.md reads against this one. Usage: Floor --upstream http://127.0.0.1:19090 --urls http://127.0.0.1:19070
var upstream = args.SkipWhile(a => a != "--upstream").Skip(1).FirstOrDefault() ?? "http://127.0.0.1:19090";
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "mock", Match = new RouteMatch { Path = "{**rest}" } }],
    [new ClusterConfig { ClusterId = "mock", Destinations = new Dictionary<string, DestinationConfig> { ["mock"] = new() { Address = upstream } } }]);
var app = builder.Build();
app.MapReverseProxy();
app.Run();
