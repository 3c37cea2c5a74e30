using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Alba;
using Gateway.Domain.Requests;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MockProvider;
using Npgsql;
using OpenTelemetry.Trace;

namespace Gateway.Tests;

/// <summary>
/// One real gateway (Alba over the real Program, real PostgreSQL database of its own) in front of one real
/// mock provider on loopback Kestrel. Tests create their own teams, keys and models so they never collide.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string AdminKey = "sk-admin-tests-0123456789abcdef0123456789";
    public const string ProviderKey = "sk-provider-secret-for-tests-9f8e7d6c5b4a";
    public static readonly TimeSpan UpstreamTimeout = TimeSpan.FromSeconds(3);

    public IAlbaHost Host { get; private set; } = null!;
    public ShiftableClock Clock { get; } = new();
    /// <summary>The DuckDB file the gateway's own continuous exporter writes.</summary>
    public string AnalyticsFile { get; } = Path.Combine(Path.GetTempPath(), $"gw-tests-{Guid.NewGuid():N}.duckdb");
    public MockServer Mock { get; private set; } = null!;
    /// <summary>Every line the gateway logs (Information and up).</summary>
    public CapturedLogs Logs { get; } = new();
    /// <summary>Every span the gateway ended (OpenTelemetry's in-memory exporter; tracing is on in the tests).</summary>
    public Observability.LockedList<System.Diagnostics.Activity> Spans { get; } = new();
    /// <summary>The master key provider keys are encrypted with: a second node on this database needs the same.</summary>
    public string MasterKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    public string ConnectionString { get; private set; } = "";
    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync()
    {
        ConnectionString = await TestDatabase.CreateAsync();
        Mock = await MockServer.StartAsync(apiKey: ProviderKey);
        Host = await AlbaHost.For<Gateway.Api.GatewayOptions>(builder =>
        {
            builder.UseSetting("GATEWAY_DB", ConnectionString);
            builder.UseSetting("GATEWAY_ADMIN_KEY", AdminKey);
            builder.UseSetting("GATEWAY_MASTER_KEY", MasterKey);
            builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Information));
            builder.UseSetting("Gateway:RequestBodyTimeout", "00:00:02");
            builder.UseSetting("Gateway:UpstreamTimeout", UpstreamTimeout.ToString());
            builder.UseSetting("Gateway:MaxRequestBodyBytes", (256 * 1024).ToString());
            // Breakers that trip and recover within a test.
            builder.UseSetting("Gateway:BreakerMinimumThroughput", "4");
            builder.UseSetting("Gateway:BreakerBreakDuration", "00:00:01");
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<TimeProvider>(Clock);
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
            });
            builder.UseSetting("Gateway:Tracing", "true");
            builder.UseSetting("Gateway:AnalyticsPath", AnalyticsFile);
            builder.UseSetting("Gateway:AnalyticsExportInterval", "00:00:00.200");
            // The webhook receivers of the tests listen on loopback.
            builder.UseSetting("Gateway:AllowPrivateWebhooks", "true");
        });
        await AdminPostAsync("/admin/providers", new { name = "mock", kind = "openai", baseUrl = Mock.BaseUrl, apiKey = ProviderKey });
        // The same mock under each other wire format it speaks.
        // The same mock, registered as an upstream that serves OpenAI's Responses API itself: /v1/responses passes through.
        await AdminPostAsync("/admin/providers", new { name = "mock-responses", kind = "openai", baseUrl = Mock.BaseUrl, apiKey = ProviderKey, responsesApi = true });
        await AdminPostAsync("/admin/providers", new { name = "mock-anthropic", kind = "anthropic", baseUrl = Mock.AnthropicBaseUrl, apiKey = ProviderKey });
        await AdminPostAsync("/admin/providers", new { name = "mock-gemini", kind = "gemini", baseUrl = Mock.GeminiBaseUrl, apiKey = ProviderKey });
        await AdminPostAsync("/admin/providers", new { name = "mock-azure", kind = "azure", baseUrl = Mock.AzureBaseUrl, apiKey = ProviderKey, apiVersion = "2024-10-21" });
    }

    /// <summary>The last request the mock received for an upstream model, whatever the wire format (model in the body or the path).</summary>
    public LoggedRequest LastUpstreamRequest(TestModel model) =>
        Mock.Requests.Snapshot().Last(r => r.Model == model.Upstream || r.Path.Contains("/" + model.Upstream, StringComparison.Ordinal));

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Mock.DisposeAsync();
    }

    /// <summary>A client that talks to the gateway with the given bearer key (or none).</summary>
    public HttpClient Client(string? key) => Host.Server.CreateClient().WithKey(key);

    public async Task<JsonElement> AdminPostAsync(string url, object? body, int expectedStatus = 0)
    {
        using var client = Client(AdminKey);
        return await client.PostJsonAsync(url, body, expectedStatus);
    }

    public async Task<JsonElement> AdminGetAsync(string url)
    {
        using var client = Client(AdminKey);
        return await client.GetJsonAsync(url);
    }

    /// <summary>A fresh team with one key: the key's secret and ids.</summary>
    public async Task<TestKey> NewKeyAsync(string team = "team")
    {
        var created = await AdminPostAsync("/admin/teams", new { name = $"{team}-{Guid.NewGuid():N}" });
        var teamId = created.GetProperty("id").GetGuid();
        var key = await AdminPostAsync("/admin/keys", new { teamId, name = "test key" });
        return new TestKey(key.GetProperty("id").GetGuid(), teamId, key.GetProperty("key").GetString()!);
    }

    /// <summary>A new catalog model on the mock with a unique name, so tests can set its behaviour alone.</summary>
    public async Task<TestModel> NewModelAsync(decimal input = 1.00m, decimal output = 2.00m, string provider = "mock")
    {
        var upstream = $"m-{Guid.NewGuid():N}"[..14];
        var model = await AdminPostAsync("/admin/models", new
        {
            provider, model = upstream + "-public", upstreamModel = upstream,
            inputPricePerMillion = input, outputPricePerMillion = output,
        });
        return new TestModel(model.GetProperty("id").GetGuid(), model.GetProperty("publicId").GetString()!, upstream, input, output);
    }

    /// <summary>A route with a unique name over the given catalog models: the first is the primary, the rest fallbacks in order.</summary>
    public async Task<string> NewRouteAsync(object? policy, params TestModel[] targets)
    {
        var name = $"route-{Guid.NewGuid():N}"[..18];
        await AdminPostAsync("/admin/routes", new
        {
            name,
            primary = targets[0].PublicId,
            fallbacks = targets.Skip(1).Select(t => t.PublicId).ToArray(),
            policy,
        });
        return name;
    }

    /// <summary>A model on a provider of its own whose port nothing listens on: connections are refused.</summary>
    public async Task<TestModel> NewUnreachableModelAsync()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var name = $"down-{Guid.NewGuid():N}"[..12];
        await AdminPostAsync("/admin/providers", new { name, kind = "openai", baseUrl = $"http://127.0.0.1:{port}/v1" });
        return await NewModelAsync(provider: name);
    }

    public void SetBehavior(TestModel model, ModelBehavior behavior) => Mock.Behaviors.Set(model.Upstream, behavior);

    public async Task<IReadOnlyList<RequestCompleted>> RequestsOfAsync(Guid keyId)
    {
        await using var session = Store.QuerySession();
        return await session.Events.QueryRawEventDataOnly<RequestCompleted>().Where(e => e.KeyId == keyId).ToListAsync();
    }

    /// <summary>One value from SQL against the test database ($1, $2… bound to <paramref name="args"/>).</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var pg = new NpgsqlConnection(ConnectionString);
        await pg.OpenAsync();
        await using var command = new NpgsqlCommand(sql, pg);
        foreach (var a in args) command.Parameters.AddWithValue(a);
        var value = await command.ExecuteScalarAsync();
        return value is T typed ? typed : (T)Convert.ChangeType(value!, typeof(T));
    }

    /// <summary>Runs SQL against the test database (a trigger that slows or refuses, for fault tests).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var pg = new NpgsqlConnection(ConnectionString);
        await pg.OpenAsync();
        await using var command = new NpgsqlCommand(sql, pg);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until the projections are current and the chain writer has linked every event committed so far.</summary>
    public async Task ChainLinkedAsync()
    {
        await Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(15));
        var target = await ScalarAsync<long>("select last_seq_id from gateway.mt_event_progression where name = 'HighWaterMark'");
        const string head = "select coalesce(max(seq_id), 0) from gateway.event_chain";
        for (var i = 0; i < 100 && await ScalarAsync<long>(head) < target; i++) await Task.Delay(100);
        Assert.True(await ScalarAsync<long>(head) >= target, "the chain writer linked every event within 10 s");
    }

    /// <summary>The request's record. A cache hit's is committed just after its answer (it moves no money), so it is awaited a little.</summary>
    public async Task<RequestCompleted> RecordAsync(HttpResponseMessage response)
    {
        var id = Guid.Parse(response.Headers.GetValues("x-request-id").Single());
        using (var client = Client(AdminKey))
            for (var i = 0; i < 50; i++)
            {
                using var probe = await client.GetAsync($"/admin/requests/{id}");
                if (probe.StatusCode != System.Net.HttpStatusCode.NotFound) break;
                await Task.Delay(100);
            }
        var details = await AdminGetAsync($"/admin/requests/{id}");
        return details.GetProperty("record").Deserialize<RequestCompleted>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }
}

public sealed record TestKey(Guid Id, Guid TeamId, string Secret);

public sealed record TestModel(Guid Id, string PublicId, string Upstream, decimal InputPrice, decimal OutputPrice)
{
    public decimal Cost(long prompt, long completion) => (prompt * InputPrice + completion * OutputPrice) / 1_000_000m;
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}

/// <summary>Each test run gets its own database on the cluster ./gateway test started (GATEWAY_TEST_DB).</summary>
public static class TestDatabase
{
    public static async Task<string> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable("GATEWAY_TEST_DB")
            ?? throw new InvalidOperationException("GATEWAY_TEST_DB is not set: run the suite with ./gateway test, which provisions PostgreSQL.");
        var name = $"gw_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 50 }.ConnectionString;
    }
}
