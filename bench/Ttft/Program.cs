// Time to first token, measured by a client: the same streamed chat against the mock provider directly (in each
// provider's own wire format) and through the gateway (OpenAI format), interleaved request by request so both
// see the same machine load. The first token is the first event that carries answer text.
using System.Diagnostics;
using System.Net;
using System.Text;

var options = Args.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, AutomaticDecompression = DecompressionMethods.None })
{
    Timeout = TimeSpan.FromSeconds(30),
};

Console.WriteLine($"Streamed chat, time to first token, {options.Requests} requests per path at concurrency {options.Concurrency}, " +
                  $"mock TTFT {options.MockTtftMs} ms; p50/p99 in ms.");
Console.WriteLine($"{"upstream",-10} {"direct_p50",10} {"gw_p50",10} {"added_p50",10} {"direct_p99",10} {"gw_p99",10} {"added_p99",10} {"errors",7}");
foreach (var kind in options.Kinds)
{
    var target = Target.For(kind, options);
    // Warm-up: connections, JIT on both sides.
    await RunAsync(http, target, options.Warmup, options.Concurrency, new List<double>(), new List<double>());
    var direct = new List<double>(options.Requests);
    var gateway = new List<double>(options.Requests);
    var errors = await RunAsync(http, target, options.Requests, options.Concurrency, direct, gateway);
    direct.Sort();
    gateway.Sort();
    double P(List<double> v, double q) => v.Count == 0 ? double.NaN : v[Math.Min(v.Count - 1, (int)(q * v.Count))];
    Console.WriteLine($"{kind,-10} {P(direct, .5),10:0.000} {P(gateway, .5),10:0.000} {P(gateway, .5) - P(direct, .5),10:0.000} " +
                      $"{P(direct, .99),10:0.000} {P(gateway, .99),10:0.000} {P(gateway, .99) - P(direct, .99),10:0.000} {errors,7}");
}

static async Task<int> RunAsync(HttpClient http, Target target, int requests, int concurrency, List<double> direct, List<double> gateway)
{
    var next = -1;
    var errors = 0;
    var gate = new object();
    var workers = Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) < requests * 2)
        {
            var viaGateway = (next & 1) == 1;
            var ms = await FirstTokenAsync(http, viaGateway ? target.Gateway() : target.Direct(), viaGateway ? Target.OpenAiText : target.DirectText);
            lock (gate)
            {
                if (ms is null) errors++;
                else (viaGateway ? gateway : direct).Add(ms.Value);
            }
        }
    });
    await Task.WhenAll(workers);
    return errors;
}

static async Task<double?> FirstTokenAsync(HttpClient http, HttpRequestMessage request, Func<string, bool> carriesText)
{
    var started = Stopwatch.GetTimestamp();
    double? firstToken = null;
    try
    {
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) return null;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (firstToken is null && line.StartsWith("data:", StringComparison.Ordinal) && carriesText(line))
                firstToken = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        return firstToken;
    }
    catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
    {
        return null;
    }
    finally
    {
        request.Dispose();
    }
}

sealed record Target(Func<HttpRequestMessage> Direct, Func<HttpRequestMessage> Gateway, Func<string, bool> DirectText)
{
    const string Question = "Tell me something about streaming please";

    // Answer text in each format's events: OpenAI delta.content, Anthropic text_delta, Gemini parts[].text.
    public static bool OpenAiText(string line) => line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal);
    static bool AnthropicText(string line) => line.Contains("\"text_delta\"", StringComparison.Ordinal);
    static bool GeminiText(string line) => line.Contains("\"text\":", StringComparison.Ordinal);

    public static Target For(string kind, Args o)
    {
        var openAiBody = $$"""{"model":"ttft-{{kind}}/ttft-{{kind}}","stream":true,"messages":[{"role":"user","content":"{{Question}}"}]}""";
        HttpRequestMessage ViaGateway()
        {
            var r = Json(HttpMethod.Post, $"{o.Gateway}/v1/chat/completions", openAiBody);
            r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + o.Key);
            return r;
        }
        return kind switch
        {
            "openai" => new(() => Json(HttpMethod.Post, $"{o.Mock}/v1/chat/completions",
                $$"""{"model":"ttft-openai","stream":true,"messages":[{"role":"user","content":"{{Question}}"}]}"""), ViaGateway, OpenAiText),
            "anthropic" => new(() =>
            {
                var r = Json(HttpMethod.Post, $"{o.Mock}/v1/messages",
                    $$"""{"model":"ttft-anthropic","stream":true,"max_tokens":256,"messages":[{"role":"user","content":"{{Question}}"}]}""");
                r.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
                return r;
            }, ViaGateway, AnthropicText),
            "gemini" => new(() => Json(HttpMethod.Post, $"{o.Mock}/v1beta/models/ttft-gemini:streamGenerateContent?alt=sse",
                $$"""{"contents":[{"role":"user","parts":[{"text":"{{Question}}"}]}]}"""), ViaGateway, GeminiText),
            _ => throw new ArgumentException($"unknown upstream kind {kind}"),
        };
    }

    static HttpRequestMessage Json(HttpMethod method, string url, string body) =>
        new(method, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}

sealed record Args(string Gateway, string Mock, string Key, int Requests, int Warmup, int Concurrency, int MockTtftMs, string[] Kinds)
{
    public static Args Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        return new(Get("gateway", "http://127.0.0.1:19080"), Get("mock", "http://127.0.0.1:19090"), Get("key", ""),
            int.Parse(Get("requests", "2000")), int.Parse(Get("warmup", "1000")), int.Parse(Get("concurrency", "4")),
            int.Parse(Get("mock-ttft-ms", "0")), Get("kinds", "openai,anthropic,gemini").Split(','));
    }
}
