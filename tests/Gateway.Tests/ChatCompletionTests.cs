using System.Net;
using System.Text.Json;
using Marten.Events;
using MockProvider;

namespace Gateway.Tests;

[Collection(GatewayCollection.Name)]
public class ChatCompletionTests(GatewayFixture gateway)
{
    [Fact]
    public async Task chat_completion_is_served_under_the_public_model_name_and_recorded_with_tokens_and_cost()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 3.00m, output: 15.00m);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "one two three four five"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Chat.JsonAsync(response);
        Assert.Equal(model.PublicId, body.GetProperty("model").GetString());
        Assert.Equal($"This is a mock reply from {model.Upstream}.", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(5, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());

        var forwarded = gateway.Mock.Requests.Snapshot().Last(r => r.Model == model.Upstream);
        Assert.Equal($"Bearer {GatewayFixture.ProviderKey}", forwarded.Authorization);

        var record = await gateway.RecordAsync(response);
        Assert.Equal(200, record.Status);
        Assert.Equal(key.Id, record.KeyId);
        Assert.Equal(key.TeamId, record.TeamId);
        Assert.Equal(model.PublicId, record.ModelAsked);
        Assert.Equal(model.PublicId, record.ModelServed);
        Assert.Equal(5, record.PromptTokens);
        Assert.Equal(7, record.CompletionTokens);
        Assert.Equal(12, record.TotalTokens);
        Assert.Equal(model.Cost(5, 7), record.Cost);
        Assert.False(record.Streamed);
        Assert.NotNull(record.UpstreamMs);
        Assert.True(record.TotalMs >= record.UpstreamMs);
        Assert.True(record.OverheadMs >= 0);
    }

    [Fact]
    public async Task unknown_request_fields_pass_through_to_the_upstream_untouched()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);
        var json = """
            {"model":"MODEL","messages":[{"role":"user","content":"weather?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
             "response_format":{"type":"json_object"},"seed":42,"temperature":0.25,"x_custom":{"nested":[1,2.5,"ü"]}}
            """.Replace("MODEL", model.PublicId);

        using var response = await Chat.PostRawAsync(client, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = gateway.Mock.Requests.Snapshot().Last(r => r.Model == model.Upstream).Body;
        var expected = json.Replace($"\"model\":\"{model.PublicId}\"", $"\"model\":\"{model.Upstream}\"");
        Assert.Equal(expected, forwarded);
    }

    [Fact]
    public async Task embeddings_are_served_and_recorded()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0.10m, output: 0m);
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostRawAsync(client, $$"""{"model":"{{model.PublicId}}","input":["alpha beta","gamma"]}""", "/v1/embeddings");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Chat.JsonAsync(response);
        Assert.Equal(model.PublicId, body.GetProperty("model").GetString());
        Assert.Equal(2, body.GetProperty("data").GetArrayLength());
        var record = await gateway.RecordAsync(response);
        Assert.Equal("embeddings", record.Operation);
        Assert.Equal(3, record.PromptTokens);
        Assert.Equal(model.Cost(3, 0), record.Cost);
    }

    [Fact]
    public async Task request_and_response_bodies_are_kept_beside_the_record()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);

        using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, "keep this body"));
        var answer = await response.Content.ReadAsStringAsync();

        var id = response.Headers.GetValues("x-request-id").Single();
        var details = await gateway.AdminGetAsync($"/admin/requests/{id}");
        var bodies = details.GetProperty("bodies");
        Assert.Contains("keep this body", bodies.GetProperty("request").GetString());
        Assert.Equal(answer, bodies.GetProperty("response").GetString());
    }

    [Fact]
    public async Task n_concurrent_requests_produce_exactly_n_request_events_with_their_tokens_and_cost()
    {
        const int n = 40;
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 0.15m, output: 0.60m);
        using var client = gateway.Client(key.Secret);

        var responses = await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
        {
            var stream = i % 2 == 0;
            using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId, string.Join(' ', Enumerable.Repeat("w", i + 1)), stream: stream));
            await response.Content.ReadAsStringAsync();
            return (response.StatusCode, Prompt: i + 1);
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var records = await gateway.RequestsOfAsync(key.Id);
        Assert.Equal(n, records.Count);
        Assert.Equal(n, records.Select(r => r.RequestId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, n).Select(i => (long)i), records.Select(r => r.PromptTokens).Order());
        Assert.All(records, r => Assert.Equal(7, r.CompletionTokens));
        Assert.Equal(n / 2, records.Count(r => r.Streamed));
        var expectedCost = Enumerable.Range(1, n).Sum(i => model.Cost(i, 7));
        Assert.Equal(expectedCost, records.Sum(r => r.Cost));
    }

}
