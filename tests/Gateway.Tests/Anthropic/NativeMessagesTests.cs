using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Anthropic;

/// <summary>
/// /v1/messages to a model Anthropic serves goes through natively: the request as the client wrote it (cache_control,
/// extended thinking, documents, citations, server tools, beta header), the answer and the stream as Anthropic sent them
/// (thinking blocks and their signatures), with the public model name and cache writes and reads on the record.
/// </summary>
[Collection(GatewayCollection.Name)]
public class NativeMessagesTests(GatewayFixture gateway)
{
    const string Beta = "interleaved-thinking-2025-05-14";

    static string Body(string model, bool stream) => """
        {"model":"MODEL","max_tokens":4096,"stream":STREAM,
         "thinking":{"type":"enabled","budget_tokens":2048},
         "system":[{"type":"text","text":"You answer questions about the attached report.","cache_control":{"type":"ephemeral"}}],
         "tools":[{"type":"web_search_20250305","name":"web_search","max_uses":2},
                  {"name":"lookup","description":"Looks a term up","input_schema":{"type":"object","properties":{"term":{"type":"string"}}},"cache_control":{"type":"ephemeral","ttl":"1h"}}],
         "messages":[{"role":"user","content":[
            {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQKJcfsj6IK"},"citations":{"enabled":true},"title":"Report"},
            {"type":"text","text":"Summarise the report in one line.","cache_control":{"type":"ephemeral"}}]}],
         "metadata":{"user_id":"u-42"}}
        """.Replace("MODEL", model).Replace("STREAM", stream ? "true" : "false");

    HttpClient AnthropicClient(string key)
    {
        var client = gateway.Host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("x-api-key", key);
        client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        client.DefaultRequestHeaders.Add("anthropic-beta", Beta);
        return client;
    }

    [Fact]
    public async Task the_request_reaches_anthropic_verbatim_and_the_answer_comes_back_with_its_thinking_and_cache_counts()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 3m, output: 15m, provider: "mock-anthropic");
        using (var admin = gateway.Client(GatewayFixture.AdminKey))
        {
            // Anthropic's prices: cache reads at a tenth of input, 5-minute cache writes at 1.25×.
            using var priced = await admin.PutAsJsonAsync($"/admin/models/{model.Id}/price",
                new { inputPricePerMillion = 3m, outputPricePerMillion = 15m, cachedInputPricePerMillion = 0.30m, cacheWriteInputPricePerMillion = 3.75m });
            Assert.Equal(HttpStatusCode.OK, priced.StatusCode);
        }
        var price = new Gateway.Domain.Pricing.Price(3m, 15m, 0.30m, 3.75m);
        using var client = AnthropicClient(key.Secret);
        var sent = Body(model.PublicId, stream: false);

        using var first = await client.PostAsync("/v1/messages", new StringContent(sent, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var received = gateway.LastUpstreamRequest(model);
        // Byte for byte, but for the model name.
        Assert.Equal(sent.Replace(model.PublicId, model.Upstream), received.Body);
        Assert.Equal(Beta, received.Headers["anthropic-beta"]);

        var body = await Chat.JsonAsync(first);
        Assert.Equal(model.PublicId, body.GetProperty("model").GetString());
        var thinking = body.GetProperty("content")[0];
        Assert.Equal("thinking", thinking.GetProperty("type").GetString());
        Assert.StartsWith("sig-", thinking.GetProperty("signature").GetString());
        Assert.Equal("text", body.GetProperty("content")[1].GetProperty("type").GetString());
        var usage = body.GetProperty("usage");
        var written = usage.GetProperty("cache_creation_input_tokens").GetInt32();
        Assert.True(written > 0);
        Assert.Equal(0, usage.GetProperty("cache_read_input_tokens").GetInt32());
        var record = await gateway.RecordAsync(first);
        Assert.Equal(written, record.CacheCreationTokens);
        Assert.Equal(written + usage.GetProperty("input_tokens").GetInt32(), record.PromptTokens);
        Assert.Equal("messages", record.ClientApi);
        Assert.Equal(price.Cost(record.PromptTokens, record.CompletionTokens, 0, written), record.Cost);

        // The same prompt again reads what the first one wrote.
        using var second = await client.PostAsync("/v1/messages", new StringContent(sent, Encoding.UTF8, "application/json"));
        var again = (await Chat.JsonAsync(second)).GetProperty("usage");
        Assert.Equal(written, again.GetProperty("cache_read_input_tokens").GetInt32());
        Assert.Equal(0, again.GetProperty("cache_creation_input_tokens").GetInt32());
        var reread = await gateway.RecordAsync(second);
        Assert.Equal(written, reread.CachedPromptTokens);
        Assert.Equal(price.Cost(reread.PromptTokens, reread.CompletionTokens, written, 0), reread.Cost);
        Assert.True(reread.Cost < record.Cost);
    }

    [Fact]
    public async Task the_stream_passes_as_anthropic_sent_it_thinking_and_signature_included()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock-anthropic");
        using var client = AnthropicClient(key.Secret);

        using var response = await client.PostAsync("/v1/messages", new StringContent(Body(model.PublicId, stream: true), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = MessagesEndpointTests.ParseSse(await response.Content.ReadAsStringAsync());
        Assert.Equal("message_start", events[0].Name);
        Assert.Equal(model.PublicId, events[0].Data.GetProperty("message").GetProperty("model").GetString());
        var deltas = events.Where(e => e.Name == "content_block_delta").Select(e => e.Data.GetProperty("delta").GetProperty("type").GetString()).ToList();
        Assert.Contains("thinking_delta", deltas);
        Assert.Contains("signature_delta", deltas);
        Assert.Contains("text_delta", deltas);
        Assert.Contains(events, e => e.Name == "ping");
        Assert.Equal("message_stop", events[^1].Name);
        var text = string.Concat(events.Where(e => e.Name == "content_block_delta" && e.Data.GetProperty("delta").GetProperty("type").GetString() == "text_delta")
            .Select(e => e.Data.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal($"This is a mock reply from {model.Upstream}.", text);
        var record = await gateway.RecordAsync(response);
        Assert.True(record.Streamed);
        Assert.Equal(7, record.CompletionTokens);
        Assert.True(record.CacheCreationTokens > 0);
    }

    [Fact]
    public async Task a_model_of_another_format_still_gets_the_translation()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(provider: "mock");
        using var client = AnthropicClient(key.Secret);
        var sent = """{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"Hello there"}]}""".Replace("\"m\"", $"\"{model.PublicId}\"");

        using var response = await client.PostAsync("/v1/messages", new StringContent(sent, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var upstream = gateway.LastUpstreamRequest(model);
        Assert.Equal("/v1/chat/completions", upstream.Path);
        Assert.Equal("user", (string)JsonNode.Parse(upstream.Body)!["messages"]![0]!["role"]!);
        Assert.Equal("message", (await Chat.JsonAsync(response)).GetProperty("type").GetString());
    }
}
