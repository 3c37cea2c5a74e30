using System.Net.Http.Json;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using MockProvider;

namespace Gateway.Tests.Observability;

/// <summary><c>/metrics</c> says what the ledger says: the exact requests, tokens and cost of known traffic, in Prometheus text.</summary>
[Collection(GatewayCollection.Name)]
public class MetricsTests(GatewayFixture gateway)
{
    [Fact]
    public async Task metrics_after_known_traffic_have_its_exact_requests_tokens_and_cost()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 3m, output: 11m);
        var budget = await gateway.AdminPostAsync("/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 5m, period = "monthly" });
        var budgetId = budget.GetProperty("id").GetGuid().ToString();
        using var client = gateway.Client(key.Secret);
        var prompt = $"metrics canary {Guid.NewGuid():N}";
        var records = new List<Gateway.Domain.Requests.RequestCompleted>();
        async Task SendAsync(object body)
        {
            using var response = await Chat.PostAsync(client, body);
            await response.Content.ReadAsStringAsync();
            records.Add(await gateway.RecordAsync(response));
        }
        for (var i = 0; i < 3; i++) await SendAsync(Chat.Request(model.PublicId, prompt));
        await SendAsync(Chat.Request(model.PublicId, prompt, stream: true, includeUsage: true));
        gateway.SetBehavior(model, new ModelBehavior { Status = 500 });
        await SendAsync(Chat.Request(model.PublicId, prompt));
        gateway.SetBehavior(model, new ModelBehavior());

        var text = await ScrapeAsync();
        var series = Parse(text).Where(s => s.Labels.GetValueOrDefault("gen_ai_request_model") == model.PublicId).ToList();

        double Sum(string name, Func<Dictionary<string, string>, bool>? where = null) =>
            series.Where(s => s.Name == name && (where?.Invoke(s.Labels) ?? true)).Sum(s => s.Value);

        Assert.Equal(4, Sum("gateway_requests_total", l => l["http_response_status_code"] == "200"));
        var failed = Assert.Single(records, r => r.Status >= 400);
        Assert.Equal(1, Sum("gateway_requests_total", l => l["http_response_status_code"] == failed.Status.ToString(CultureInfo.InvariantCulture)
            && l["error_type"] == failed.ErrorCode));
        Assert.Equal(5, Sum("gateway_requests_total"));
        var served = records.Where(r => r.Status < 400).ToList();
        Assert.Equal(served.Sum(r => r.PromptTokens), Sum("gen_ai_client_token_usage_sum", l => l["gen_ai_token_type"] == "input"));
        Assert.Equal(served.Sum(r => r.CompletionTokens), Sum("gen_ai_client_token_usage_sum", l => l["gen_ai_token_type"] == "output"));
        Assert.Equal(4, Sum("gen_ai_client_token_usage_count", l => l["gen_ai_token_type"] == "input"));
        var cost = series.Single(s => s.Name.StartsWith("gateway_cost", StringComparison.Ordinal) && s.Name.EndsWith("_total", StringComparison.Ordinal));
        Assert.Equal((double)records.Sum(r => r.Cost), cost.Value, 12);
        Assert.Equal(5, Sum("gen_ai_client_operation_duration_seconds_count"));
        Assert.Equal(1, Sum("gen_ai_server_time_to_first_token_seconds_count"));
        Assert.Equal(5, Sum("gateway_overhead_seconds_count"));

        // The gauges: this key's budget spent what the records cost; the model's circuit is closed; the recorder keeps up.
        var all = Parse(text);
        var spent = all.Single(s => s.Name.StartsWith("gateway_budget_spent", StringComparison.Ordinal) && s.Labels.GetValueOrDefault("gateway_budget_id") == budgetId);
        Assert.Equal((double)records.Sum(r => r.Cost), spent.Value, 12);
        Assert.Equal("key", spent.Labels["gateway_budget_scope"]);
        var limit = all.Single(s => s.Name.StartsWith("gateway_budget_limit", StringComparison.Ordinal) && s.Labels.GetValueOrDefault("gateway_budget_id") == budgetId);
        Assert.Equal(5, limit.Value);
        Assert.Equal(0, all.Single(s => s.Name.StartsWith("gateway_circuit_state", StringComparison.Ordinal) && s.Labels.GetValueOrDefault("gen_ai_request_model") == model.PublicId).Value);
        Assert.Contains(all, s => s.Name.StartsWith("gateway_recorder_pending", StringComparison.Ordinal));
        Assert.Contains(all, s => s.Name.StartsWith("gateway_recorder_commit_duration_seconds_count", StringComparison.Ordinal) && s.Value > 0);

        // Bounded labels: no key or team unless asked for; never a secret or prompt text.
        Assert.All(series, s => Assert.False(s.Labels.ContainsKey("gateway_key_id")));
        Assert.DoesNotContain(key.Secret, text);
        Assert.DoesNotContain(GatewayFixture.ProviderKey, text);
        Assert.DoesNotContain("metrics canary", text);
    }

    /// <remarks>
    /// Read from the instruments themselves (a MeterListener) rather than a scrape: another test's gateway host in this
    /// process registers instruments of the same names, and when it is disposed OpenTelemetry drops those metric streams
    /// from this host's Prometheus output too (one host per process in production).
    /// </remarks>
    [Fact]
    public async Task cache_hits_and_what_they_saved_are_counted()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 3m, output: 11m);
        using (var admin = gateway.Client(GatewayFixture.AdminKey))
            (await admin.PutAsJsonAsync($"/admin/keys/{key.Id}/cache", new { ttlSeconds = 60 })).EnsureSuccessStatusCode();
        var (hits, saved) = (0L, 0.0);
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Gateway.Api.Observability.GatewayMetrics.MeterName && instrument.Name.StartsWith("gateway.cache.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        bool Ours(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
                if (tag.Key == "gen_ai.request.model" && (string?)tag.Value == model.PublicId) return true;
            return false;
        }
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => { if (instrument.Name == "gateway.cache.hits" && Ours(tags)) Interlocked.Add(ref hits, value); });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => { if (instrument.Name == "gateway.cache.saved" && Ours(tags)) lock (listener) saved += value; });
        listener.Start();
        using var client = gateway.Client(key.Secret);
        var records = new List<Gateway.Domain.Requests.RequestCompleted>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "Count my cache hits"));
            await response.Content.ReadAsStringAsync();
            records.Add(await gateway.RecordAsync(response));
        }

        Assert.Equal([false, true, true], records.Select(r => r.CacheHit));
        Assert.Equal(2, Interlocked.Read(ref hits));
        Assert.Equal(2 * (double)records[0].Cost, saved, 12);
        Assert.Equal((double)records.Where(r => r.CacheHit).Sum(r => r.CostSaved ?? 0), saved, 12);
    }

    async Task<string> ScrapeAsync()
    {
        using var client = gateway.Client(null);
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    public sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    static readonly Regex Line = new(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$", RegexOptions.Compiled);
    static readonly Regex Label = new(@"(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<v>(?:[^""\\]|\\.)*)""", RegexOptions.Compiled);

    /// <summary>The exposition text's samples (comments skipped), each with its labels.</summary>
    public static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var m = Line.Match(line);
            Assert.True(m.Success, $"Not a sample line: {line}");
            var labels = Label.Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups["k"].Value, l => l.Groups["v"].Value);
            samples.Add(new Sample(m.Groups["name"].Value, labels, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
        return samples;
    }
}
