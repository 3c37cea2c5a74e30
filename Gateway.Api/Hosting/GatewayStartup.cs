using Gateway.Api.Admin.Keys;
using Gateway.Api.ControlPlane;
using Gateway.Api.Security;
using Gateway.Domain.Catalog;
using Gateway.Domain.Keys;
using Gateway.Domain.Providers;
using Gateway.Domain.Teams;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Hosting;

/// <summary>
/// Runs before the server takes requests: makes sure an admin key exists, seeds the demo on first start,
/// and loads the in-memory views. Secrets generated here are printed once to the console, never logged.
/// </summary>
public sealed class GatewayStartup(IDocumentStore store, ControlPlaneViews views, SecretBox secrets, GatewayOptions options) : IHostedService
{
    // Words for the person who started the gateway. With JSON logs, stdout carries only log lines, so these go to stderr.
    TextWriter Banner => options.JsonLogs ? Console.Error : Console.Out;

    public async Task StartAsync(CancellationToken ct)
    {
        // Nodes starting together on an empty database seed one at a time: each reads what the one before it wrote.
        await using (var seeding = new Npgsql.NpgsqlConnection(options.Db))
        {
            await seeding.OpenAsync(ct);
            await using (var take = new Npgsql.NpgsqlCommand("select pg_advisory_lock($1)", seeding) { Parameters = { new() { Value = Gateway.Analytics.ExportLock.IdFor("startup-seed", options.Schema) } } })
                await take.ExecuteNonQueryAsync(ct);
            try
            {
                await EnsureAdminKeyAsync(ct);
                if (options.Demo) await SeedDemoAsync(ct);
            }
            finally
            {
                await using var release = new Npgsql.NpgsqlCommand("select pg_advisory_unlock_all()", seeding);
                await release.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        await views.ReloadAsync(ct);
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "dashboard", "index.html")))
            Banner.WriteLine($"Dashboard: http://127.0.0.1:{options.Port}/ui (sign in with an admin key)");
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    async Task EnsureAdminKeyAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var existing = await session.Query<AdminKeyView>().ToListAsync(ct);
        if (!string.IsNullOrWhiteSpace(options.AdminKey))
        {
            var hash = KeySecret.Hash(options.AdminKey);
            if (existing.Any(a => a.SecretHash == hash)) return;
            Append(session, options.AdminKey, "configuration");
            await session.SaveChangesAsync(ct);
            return;
        }
        if (existing.Count > 0) return;

        var secret = KeySecret.NewAdminKey();
        Append(session, secret, "generated");
        await session.SaveChangesAsync(ct);
        Banner.WriteLine();
        Banner.WriteLine($"Admin key (shown once, keep it safe): {secret}");
    }

    static void Append(IDocumentSession session, string secret, string origin)
    {
        var issued = new AdminKeyIssued(Guid.CreateVersion7(), KeySecret.Hash(secret), KeySecret.Display(secret), origin);
        session.Events.StartStream<AdminKeyView>(issued.AdminKeyId, issued);
    }

    /// <summary>A mock provider with two models, a team and a key: enough to call the gateway at once.</summary>
    async Task SeedDemoAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var baseUrl = (options.DemoMockUrl ?? "http://127.0.0.1:8090/v1").TrimEnd('/');
        var demoKeyHash = options.DemoKey is null ? null : KeySecret.Hash(options.DemoKey);
        await SeedOtherWireFormatsAsync(session, baseUrl, ct);
        var seeded = await session.Query<ProviderView>().AnyAsync(p => p.Name == "mock", ct);
        if (seeded && await session.Query<ProviderView>().FirstOrDefaultAsync(p => p.Name == "mock", ct) is { } mock
            && !await session.Query<ModelView>().AnyAsync(m => m.PublicId == "mock/" + EmbeddingModel, ct))
            AddModel(session, "mock", mock.Id, EmbeddingModel, 0.02m, 0m); // demos seeded before it existed
        if (seeded)
        {
            if (demoKeyHash is null || await session.Query<KeyView>().AnyAsync(k => k.SecretHash == demoKeyHash, ct))
            {
                await session.SaveChangesAsync(ct);
                PrintDemo(null);
                return;
            }
        }

        Guid teamId;
        if (!seeded)
        {
            var providerId = Guid.CreateVersion7();
            var credentialId = Guid.CreateVersion7();
            session.Store(secrets.Seal(credentialId, "demo-provider-key"));
            session.Events.StartStream<ProviderView>(providerId, new ProviderRegistered(providerId, "mock", ProviderKinds.OpenAi, baseUrl, credentialId));
            AddModel(session, "mock", providerId, "gpt-4o-mini", 0.15m, 0.60m);
            AddModel(session, "mock", providerId, "llama-3.1-8b", 0.05m, 0.08m);
            AddModel(session, "mock", providerId, EmbeddingModel, 0.02m, 0m);
            var team = new TeamCreated(Guid.CreateVersion7(), "demo");
            session.Events.StartStream<TeamView>(team.TeamId, team);
            teamId = team.TeamId;
        }
        else
        {
            teamId = (await session.Query<TeamView>().FirstOrDefaultAsync(t => t.Name == "demo", ct))?.Id ?? Guid.Empty;
            if (teamId == Guid.Empty)
            {
                var team = new TeamCreated(Guid.CreateVersion7(), "demo");
                session.Events.StartStream<TeamView>(team.TeamId, team);
                teamId = team.TeamId;
            }
        }

        var secret = options.DemoKey ?? KeySecret.NewGatewayKey();
        var issued = IssueKeyEndpoint.Issue(teamId, "demo key", secret);
        session.Events.StartStream<KeyView>(issued.KeyId, issued);
        await session.SaveChangesAsync(ct);
        PrintDemo(secret);
    }

    /// <summary>The demo mock also speaks Anthropic's and Gemini's formats: one provider and model for each.</summary>
    async Task SeedOtherWireFormatsAsync(IDocumentSession session, string baseUrl, CancellationToken ct)
    {
        var root = baseUrl.EndsWith("/v1", StringComparison.Ordinal) ? baseUrl[..^3] : baseUrl;
        (string Name, string Kind, string Url, string Model, decimal In, decimal Out)[] extra =
        [
            ("mock-anthropic", ProviderKinds.Anthropic, root + "/v1", "claude-sonnet-4-5", 3m, 15m),
            ("mock-gemini", ProviderKinds.Gemini, root + "/v1beta", "gemini-2.5-flash", 0.30m, 2.50m),
        ];
        foreach (var p in extra)
        {
            if (await session.Query<ProviderView>().AnyAsync(v => v.Name == p.Name, ct)) continue;
            var providerId = Guid.CreateVersion7();
            var credentialId = Guid.CreateVersion7();
            session.Store(secrets.Seal(credentialId, "demo-provider-key"));
            session.Events.StartStream<ProviderView>(providerId, new ProviderRegistered(providerId, p.Name, p.Kind, p.Url, credentialId));
            AddModel(session, p.Name, providerId, p.Model, p.In, p.Out);
        }
    }

    /// <summary>The demo's embedding model, so <c>/v1/models</c> lists one and <c>/v1/embeddings</c> has a model to call.</summary>
    const string EmbeddingModel = "text-embedding-3-small";

    static void AddModel(IDocumentSession session, string provider, Guid providerId, string name, decimal input, decimal output)
    {
        var added = new ModelAdded(Guid.CreateVersion7(), ModelId.Compose(provider, name), providerId, name, input, output, Enabled: true);
        session.Events.StartStream<ModelView>(added.ModelId, added);
    }

    void PrintDemo(string? secret)
    {
        var url = $"http://127.0.0.1:{options.Port}";
        Banner.WriteLine();
        if (secret is null)
        {
            Banner.WriteLine($"Demo already seeded; its key was printed on first start (set GATEWAY_DEMO_KEY to choose one). Gateway: {url}/v1");
            return;
        }
        Banner.WriteLine($"Demo gateway key (shown once): {secret}");
        Banner.WriteLine("Try it:");
        Banner.WriteLine($"  curl -s {url}/v1/chat/completions -H 'Authorization: Bearer {secret}' -H 'Content-Type: application/json' \\");
        Banner.WriteLine("    -d '{\"model\":\"mock/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}'");
        Banner.WriteLine("  (also served in Anthropic's and Gemini's wire formats: mock-anthropic/claude-sonnet-4-5, mock-gemini/gemini-2.5-flash)");
        Banner.WriteLine();
    }
}
