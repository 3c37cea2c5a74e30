using Gateway.Api.Anthropic;
using Gateway.Api.ControlPlane;
using Gateway.Api.OpenAi;
using Gateway.Api.Providers;
using Gateway.Api.Recording;
using Gateway.Api.RequestPath;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Attempts;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Relay;
using Gateway.Api.RequestPath.Wire;
using Gateway.Api.Responses;
using Gateway.Api.Dashboard;
using Gateway.Api.Security;
using Gateway.Projections;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Weasel.Core;
using Wolverine.Marten;

namespace Gateway.Api.Hosting;

public static class GatewayServices
{
    /// <summary>Marten (events, projections, the async daemon), the control-plane views and the hot path.</summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, GatewayOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(SecretBox.FromOptions(options));

        var marten = services.AddMarten(sp =>
            {
                var store = new StoreOptions();
                store.Connection(TunedConnectionString(options.Db));
                store.DatabaseSchemaName = options.Schema;
                store.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                store.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                // Quick appends (no version read before appending: request streams are new, one event each), with the
                // database's timestamps handed back to inline projections, so a view rebuilt from the events equals the live one.
                store.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
                store.Events.MetadataConfig.HeadersEnabled = true;
                // Hot and archived partitions, so archived request streams leave the hot table (Audit/RequestArchive).
                store.Events.UseArchivedStreamPartitioning = Audit.EventPartitioning.Decide(options.Db, options.Schema);
                store.AddGatewayProjections();
                // HotCold: a node whose daemon is cold asks for leadership this often; a dead leader's lock ends with its connection.
                store.Projections.LeadershipPollingTime = 2_000;
                store.AddDashboardTables();
                store.Schema.For<ProviderSecret>();
                store.Schema.For<WebhookSecret>();
                store.Listeners.Add(new ControlPlaneListener(sp));
                store.Logger(new QuietMartenLogger(sp.GetRequiredService<ILoggerFactory>().CreateLogger("Marten")));
                return store;
            })
            .ApplyAllDatabaseChangesOnStartup()
            .IntegrateWithWolverine();
        if (options.ProjectionDaemon) marten.AddAsyncDaemon(DaemonMode.HotCold);

        services.AddSingleton<ControlPlaneViews>();
        services.AddHostedService<GatewayStartup>();
        services.AddHostedService<ControlPlaneRefresher>();
        services.AddSingleton<ControlPlaneNotifications>();
        services.AddHostedService(sp => sp.GetRequiredService<ControlPlaneNotifications>());
        services.AddSingleton<UsageRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageRecorder>());

        services.AddSingleton<IProviderAdapter, OpenAiAdapter>();
        services.AddSingleton<IProviderAdapter, AzureAdapter>();
        services.AddSingleton<IProviderAdapter, Providers.Anthropic.AnthropicAdapter>();
        services.AddSingleton<IProviderAdapter, Providers.Gemini.GeminiAdapter>();
        services.AddSingleton<ProviderAdapters>();
        services.AddSingleton<Routing.TargetHealth>();
        services.AddSingleton<Budgets.BudgetLedger>();
        services.AddSingleton<Fleet.NodeIdentity>();
        services.AddSingleton<Budgets.BudgetLeases>();
        services.AddSingleton<Budgets.BudgetLeaseKeeper>();
        services.AddHostedService(sp => sp.GetRequiredService<Budgets.BudgetLeaseKeeper>());
        services.AddSingleton<Fleet.FleetSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<Fleet.FleetSweep>());
        services.AddSingleton<Limits.RateLimits>();
        services.AddSingleton<Pricing.StarterPrices>();
        services.AddSingleton<Analytics.AnalyticsExportService>();
        services.AddHostedService(sp => sp.GetRequiredService<Analytics.AnalyticsExportService>());
        services.AddSingleton<Audit.EventChainService>();
        services.AddHostedService(sp => sp.GetRequiredService<Audit.EventChainService>());
        services.AddSingleton<Audit.RequestArchive>();
        services.AddHostedService(sp => sp.GetRequiredService<Audit.RequestArchive>());
        services.AddSingleton<Audit.BodyRetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<Audit.BodyRetentionService>());
        services.AddHttpClient("webhooks", client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(() => Budgets.WebhookConnections.Handler(options));
        services.AddSingleton<Routing.CircuitJournal>();
        services.AddHostedService(sp => sp.GetRequiredService<Routing.CircuitJournal>());
        services.AddSingleton<UpstreamClient>();
        services.AddSingleton<UsageEstimator>();
        // The request path, step by step (RequestPath/README.md).
        services.AddSingleton<RequestCompletion>();
        services.AddSingleton<RequestUsage>();
        services.AddSingleton<BudgetGate>();
        services.AddSingleton<RequestAdmission>();
        services.AddSingleton<BufferedRelay>();
        services.AddSingleton<UpstreamAttempt>();
        services.AddSingleton<TargetAttempts>();
        services.AddSingleton<RouteAttempts>();
        services.AddSingleton<Proxy>();
        services.AddSingleton<Responses.ResponseStore>();
        services.AddSingleton<Caching.ResponseCache>();
        services.AddSingleton<Caching.CachedRelay>();
        services.AddSingleton<CountTokensEndpoint>();
        services.AddGatewayHealth();
        services.AddDashboard(options);
        return services;
    }

    /// <summary>
    /// The recorder sends the same few statements thousands of times a second: let Npgsql prepare them,
    /// and keep them prepared across pooled uses (no DISCARD ALL on return). Explicit settings win.
    /// </summary>
    static string TunedConnectionString(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 64;
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase)) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    /// <summary>The OpenAI-compatible surface. Plain request delegates: nothing between Kestrel and the proxy.</summary>
    public static IEndpointRouteBuilder MapOpenAi(this IEndpointRouteBuilder app)
    {
        var proxy = app.ServiceProvider.GetRequiredService<Proxy>();
        var views = app.ServiceProvider.GetRequiredService<ControlPlaneViews>();
        var time = app.ServiceProvider.GetRequiredService<TimeProvider>();
        app.MapPost("/v1/chat/completions", proxy.ChatAsync).ExcludeFromDescription();
        app.MapPost("/v1/embeddings", proxy.EmbeddingsAsync).ExcludeFromDescription();
        app.MapPost("/v1/messages", ctx => proxy.HandleAsync(ctx, Operation.Chat, AnthropicDialect.Instance)).ExcludeFromDescription();
        app.MapPost("/v1/messages/count_tokens", app.ServiceProvider.GetRequiredService<CountTokensEndpoint>().HandleAsync).ExcludeFromDescription();
        app.MapResponses(proxy, app.ServiceProvider.GetRequiredService<ResponseStore>(), views, time);
        app.MapGet("/v1/models", ctx => ModelsEndpoint.ListAsync(ctx, views, time)).ExcludeFromDescription();
        app.MapGet("/v1/models/{**id}", ctx => ModelsEndpoint.GetAsync(ctx, views, time, (string)ctx.Request.RouteValues["id"]!)).ExcludeFromDescription();
        // Last resort under /v1: an unknown path (404) or a wrong method (405), in the endpoint's error shape.
        app.MapFallback("/v1/{**path}", ctx => UnroutedRequest.AnswerAsync(ctx, time)).ExcludeFromDescription();
        return app;
    }
}
