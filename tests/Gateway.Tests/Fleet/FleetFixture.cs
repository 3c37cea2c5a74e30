using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using MockProvider;
using Npgsql;

namespace Gateway.Tests.Fleet;

/// <summary>
/// Three gateway processes (the built Gateway.Api, as a user runs it) on loopback ports, one PostgreSQL database, and
/// a real load balancer in front (Debian's haproxy, round robin, health-checked on /readyz, retrying a connection a
/// dead node refused on another). Leases expire after 5 s here and the rate-limit window is 12 s, so the tests see
/// expiry and a full window in seconds.
/// </summary>
public sealed class FleetFixture : IAsyncLifetime
{
    public const string AdminKey = "sk-admin-fleet-0123456789abcdef0123456789ab";
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(12);
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(5);

    readonly string masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    readonly string folder = Path.Combine(Path.GetTempPath(), $"gw-fleet-{Guid.NewGuid():N}");
    Process? balancer;

    public string ConnectionString { get; private set; } = "";
    public MockServer Mock { get; private set; } = null!;
    public FleetNode[] Nodes { get; private set; } = [];
    public Uri Balancer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        ConnectionString = await TestDatabase.CreateAsync();
        Mock = await MockServer.StartAsync(apiKey: GatewayFixture.ProviderKey);
        Nodes = Enumerable.Range(1, 3).Select(i => new FleetNode(i, TestClients.FreePort(), Path.Combine(folder, $"node{i}"))).ToArray();
        // All three at once, on an empty database: they seed one at a time.
        foreach (var node in Nodes) Start(node);
        await Task.WhenAll(Nodes.Select(n => n.WaitReadyAsync(TimeSpan.FromSeconds(90))));
        StartBalancer();
        using var admin = Client(AdminKey, Nodes[0].Url);
        await admin.PostJsonAsync("/admin/providers", new { name = "mock", kind = "openai", baseUrl = Mock.BaseUrl, apiKey = GatewayFixture.ProviderKey });
    }

    public void Start(FleetNode node)
    {
        Directory.CreateDirectory(node.Data);
        var start = new ProcessStartInfo("dotnet", Path.Combine(Repository.Root, "Gateway.Api", "bin", "Release", "net10.0", "Gateway.Api.dll"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = node.Data,
        };
        // The application name tells in pg_stat_activity which node holds which connection (and advisory lock).
        start.Environment["GATEWAY_DB"] = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = node.Name }.ConnectionString;
        start.Environment["GATEWAY_PORT"] = node.Port.ToString();
        start.Environment["GATEWAY_ADMIN_KEY"] = AdminKey;
        start.Environment["GATEWAY_MASTER_KEY"] = masterKey;
        start.Environment["GATEWAY_DATA"] = node.Data;
        start.Environment["Gateway__BudgetLeaseTtl"] = LeaseTtl.ToString();
        start.Environment["Gateway__RateLimitWindow"] = RateWindow.ToString();
        start.Environment["Gateway__AllowPrivateWebhooks"] = "true";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        node.Attach(Process.Start(start)!);
    }

    void StartBalancer()
    {
        var port = TestClients.FreePort();
        var config = Path.Combine(folder, "haproxy.cfg");
        File.WriteAllText(config, string.Join('\n',
        [
            "global", "  maxconn 4096",
            "defaults", "  mode http", "  timeout connect 2s", "  timeout client 60s", "  timeout server 60s", "  maxconn 4096",
            // A connection a dead node refuses is tried again on another; a request a node was serving when it died is not.
            "  retries 3", "  option redispatch 1", "  retry-on conn-failure",
            "frontend gateway", $"  bind 127.0.0.1:{port}", "  default_backend nodes",
            "backend nodes", "  balance roundrobin", "  option httpchk GET /readyz", "  default-server inter 500ms fall 2 rise 2",
            .. Nodes.Select(n => $"  server {n.Name} 127.0.0.1:{n.Port} check"),
            "",
        ]));
        var haproxy = File.Exists("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";
        try
        {
            balancer = Process.Start(new ProcessStartInfo(haproxy, $"-db -f {config}") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("haproxy is not installed: ./gateway test installs it (apt-get install haproxy).", ex);
        }
        balancer.OutputDataReceived += (_, _) => { };
        balancer.ErrorDataReceived += (_, _) => { };
        balancer.BeginOutputReadLine();
        balancer.BeginErrorReadLine();
        Balancer = new Uri($"http://127.0.0.1:{port}");
        // Up once it answers through to a node.
        using var probe = new HttpClient { BaseAddress = Balancer };
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if (probe.GetAsync("/readyz").GetAwaiter().GetResult().IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            Thread.Sleep(100);
        }
        throw new InvalidOperationException("haproxy did not come up");
    }

    /// <summary>A client of one node, or of the balancer (null), with as many connections as a flood needs.</summary>
    public HttpClient Client(string? key, Uri? to = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2048 }) { BaseAddress = to ?? Balancer, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async Task<JsonElement> AdminAsync(HttpMethod method, string path, object? body = null)
    {
        using var client = Client(AdminKey, Nodes[0].Url);
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A new key (id, secret) in a new team.</summary>
    public async Task<(Guid Id, string Secret)> NewKeyAsync()
    {
        var team = await AdminAsync(HttpMethod.Post, "/admin/teams", new { name = $"fleet-{Guid.NewGuid():N}" });
        var key = await AdminAsync(HttpMethod.Post, "/admin/keys", new { teamId = team.GetProperty("id").GetGuid(), name = "fleet" });
        return (key.GetProperty("id").GetGuid(), key.GetProperty("key").GetString()!);
    }

    /// <summary>A catalog model on the mock; output at 10,000 USD per million tokens makes the mock's 7-word reply cost 0.07.</summary>
    public async Task<string> NewModelAsync(decimal outputPerMillion = 10_000m)
    {
        var name = $"fleet-{Guid.NewGuid():N}"[..20];
        await AdminAsync(HttpMethod.Post, "/admin/models", new { provider = "mock", model = name, inputPricePerMillion = 0m, outputPricePerMillion = outputPerMillion });
        return $"mock/{name}";
    }

    public async Task<T> QueryAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        if (balancer is { HasExited: false }) balancer.Kill();
        foreach (var node in Nodes) await node.StopAsync();
        await Mock.DisposeAsync();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>One gateway process of the fleet; its console output is kept for a failing test to show.</summary>
public sealed class FleetNode(int number, int port, string data)
{
    readonly System.Collections.Concurrent.ConcurrentQueue<string> output = new();
    Process? process;

    public string Name { get; } = $"fleet-node-{number}";
    public int Port { get; } = port;
    public string Data { get; } = data;
    public Uri Url { get; } = new($"http://127.0.0.1:{port}");
    public bool Running => process is { HasExited: false };
    public string Output => string.Join('\n', output.TakeLast(60));

    public void Attach(Process started)
    {
        process = started;
        started.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        started.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
    }

    public async Task WaitReadyAsync(TimeSpan within)
    {
        using var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (!Running) throw new InvalidOperationException($"{Name} exited:\n{Output}");
            try
            {
                using var ready = await client.GetAsync("/readyz");
                if (ready.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{Name} was not ready within {within}:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown, no lease given back, no commit finished.</summary>
    public void Kill9()
    {
        process!.Kill(entireProcessTree: false);
        process.WaitForExit();
    }

    public async Task StopAsync()
    {
        if (process is not { HasExited: false }) return;
        // SIGTERM: a graceful stop (its leases go back).
        Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await process.WaitForExitAsync(bounded.Token); }
        catch (OperationCanceledException) { process.Kill(); }
    }
}
