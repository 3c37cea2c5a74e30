using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Tests.Caching;

/// <summary>
/// The exact-match response cache, opted into per key, team or route: a repeated request is answered from memory (as a
/// stream when asked for one), recorded with cacheHit, cost 0 and the cost it saved; a team never gets another team's
/// answer; Cache-Control: no-cache bypasses it.
/// </summary>
[Collection(GatewayCollection.Name)]
public class ResponseCacheTests(GatewayFixture gateway)
{
    async Task CacheKeyAsync(TestKey key, int ttl = 60)
    {
        using var admin = gateway.Client(GatewayFixture.AdminKey);
        using var set = await admin.PutAsJsonAsync($"/admin/keys/{key.Id}/cache", new { ttlSeconds = ttl });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
    }

    int Calls(TestModel model) => gateway.Mock.Requests.Snapshot().Count(r => r.Model == model.Upstream);

    static object Ask(string model, string text, bool stream = false, string? user = null) => new
    {
        model, stream, user = user ?? "someone",
        messages = new[] { new { role = "user", content = text } },
    };

    [Fact]
    public async Task the_same_request_arriving_while_the_first_is_upstream_waits_for_its_answer_instead_of_asking_again()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new MockProvider.ModelBehavior { LatencyMs = 400 });
        await CacheKeyAsync(key);
        using var client = gateway.Client(key.Secret);

        var asked = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Everyone asks this at once", stream: i % 2 == 1))));

        Assert.Equal(1, Calls(model));
        Assert.All(asked, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(7, asked.Count(r => r.Headers.GetValues("x-gateway-cache").Single() == "hit"));
        var records = await Task.WhenAll(asked.Select(gateway.RecordAsync));
        Assert.Equal(7, records.Count(r => r.CacheHit));
        var made = Assert.Single(records, r => !r.CacheHit);
        Assert.All(records.Where(r => r.CacheHit), r => Assert.Equal(made.Cost, r.CostSaved));
        foreach (var response in asked) response.Dispose();
    }

    [Fact]
    public async Task when_the_first_asker_fails_the_ones_waiting_on_it_ask_upstream_themselves()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, new MockProvider.ModelBehavior { LatencyMs = 300, Status = 400, FailFirst = 1 });
        await CacheKeyAsync(key);
        using var client = gateway.Client(key.Secret);

        var first = client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "The first one fails"));
        await Task.Delay(100);
        using var second = await client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "The first one fails"));
        using var failed = await first;

        Assert.NotEqual(HttpStatusCode.OK, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("miss", second.Headers.GetValues("x-gateway-cache").Single());
        Assert.Equal(2, Calls(model));
    }

    [Fact]
    public async Task a_repeated_request_is_answered_from_the_cache_recorded_free_with_what_it_saved()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync(input: 3m, output: 15m);
        await CacheKeyAsync(key);
        using var client = gateway.Client(key.Secret);

        using var first = await client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Cache me if you can"));
        // Only the fields that change the answer count: another user id is the same question.
        using var second = await client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Cache me if you can", user: "someone else"));

        Assert.Equal("miss", first.Headers.GetValues("x-gateway-cache").Single());
        Assert.Equal("hit", second.Headers.GetValues("x-gateway-cache").Single());
        Assert.Equal(1, Calls(model));
        var (a, b) = (await Chat.JsonAsync(first), await Chat.JsonAsync(second));
        Assert.Equal(a.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(),
            b.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var made = await gateway.RecordAsync(first);
        var hit = await gateway.RecordAsync(second);
        Assert.False(made.CacheHit);
        Assert.True(made.Cost > 0);
        Assert.True(hit.CacheHit);
        Assert.Equal(0m, hit.Cost);
        Assert.Equal(made.Cost, hit.CostSaved);
        Assert.Empty(hit.Attempts);

        // Finance sees the savings beside the cost: the key's two requests, one of them a hit that saved the first's cost.
        var finance = gateway.Client(GatewayFixture.AdminKey);
        var rows = (await Gateway.Tests.Analytics.AnalyticsAnswer.EventuallyAsync(finance, "/admin/analytics/cost?by=key",
            a => a.Rows.Any(r => r[0].GetString() == key.Id.ToString() && r[1].GetInt64() == 2))).Rows;
        var row = rows.Single(r => r[0].GetString() == key.Id.ToString());
        Assert.Equal(made.Cost, row[5].GetDecimal());
        Assert.Equal(1, row[6].GetInt64());
        Assert.Equal(made.Cost, row[7].GetDecimal());
    }

    [Fact]
    public async Task a_streamed_request_gets_a_hit_replayed_as_a_stream_and_a_streamed_answer_serves_a_whole_one()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        await CacheKeyAsync(key);
        using var client = gateway.Client(key.Secret);

        using var whole = await client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Stream me back"));
        using var streamed = await client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Stream me back", stream: true));
        Assert.Equal("hit", streamed.Headers.GetValues("x-gateway-cache").Single());
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType?.MediaType);
        var sse = await streamed.Content.ReadAsStringAsync();
        Assert.EndsWith("data: [DONE]\n\n", sse);
        Assert.Equal($"This is a mock reply from {model.Upstream}.", Chat.StreamedText(sse));
        Assert.True((await gateway.RecordAsync(streamed)).CacheHit);

        // The other way round: a streamed answer kept, then asked for whole.
        using var streamedFirst = await client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Assemble me", stream: true));
        Assert.Equal("miss", streamedFirst.Headers.GetValues("x-gateway-cache").Single());
        await streamedFirst.Content.ReadAsStringAsync();
        using var wholeAfter = await client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Assemble me"));
        Assert.Equal("hit", wholeAfter.Headers.GetValues("x-gateway-cache").Single());
        var body = await Chat.JsonAsync(wholeAfter);
        Assert.Equal($"This is a mock reply from {model.Upstream}.", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.True(body.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        Assert.Equal(2, Calls(model));
    }

    [Fact]
    public async Task a_team_never_gets_another_teams_answer_and_no_cache_bypasses()
    {
        var key = await gateway.NewKeyAsync();
        var stranger = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        await CacheKeyAsync(key);
        await CacheKeyAsync(stranger);
        using var client = gateway.Client(key.Secret);
        using var other = gateway.Client(stranger.Secret);

        using var mine = await client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Team secret question"));
        using var theirs = await other.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Team secret question"));
        Assert.Equal("miss", theirs.Headers.GetValues("x-gateway-cache").Single());
        Assert.Equal(2, Calls(model));

        using var bypass = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(Ask(model.PublicId, "Team secret question")) };
        bypass.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
        using var fresh = await client.SendAsync(bypass);
        Assert.Equal("miss", fresh.Headers.GetValues("x-gateway-cache").Single());
        Assert.Equal(3, Calls(model));
        Assert.False((await gateway.RecordAsync(fresh)).CacheHit);
    }

    [Fact]
    public async Task a_route_and_a_team_turn_the_cache_on_and_another_api_shares_the_answer()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        var route = await gateway.NewRouteAsync(new { cacheTtlSeconds = 60 }, model);
        using var client = gateway.Client(key.Secret);
        using var first = await client.PostAsJsonAsync("/v1/chat/completions", Ask(route, "Routed and cached"));
        using var second = await client.PostAsJsonAsync("/v1/chat/completions", Ask(route, "Routed and cached"));
        Assert.Equal("hit", second.Headers.GetValues("x-gateway-cache").Single());

        var teamKey = await gateway.NewKeyAsync();
        using (var admin = gateway.Client(GatewayFixture.AdminKey))
            (await admin.PutAsJsonAsync($"/admin/teams/{teamKey.TeamId}/cache", new { ttlSeconds = 60 })).EnsureSuccessStatusCode();
        using var teamClient = gateway.Client(teamKey.Secret);
        using var chat = await teamClient.PostAsJsonAsync("/v1/chat/completions", new { model = model.PublicId, messages = new[] { new { role = "user", content = "Same question, other API" } }, max_tokens = 100 });
        // The Anthropic-format request with the same content is the same question in OpenAI's form.
        teamClient.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        using var messages = await teamClient.PostAsJsonAsync("/v1/messages", new { model = model.PublicId, max_tokens = 100, messages = new[] { new { role = "user", content = "Same question, other API" } } });
        Assert.Equal("hit", messages.Headers.GetValues("x-gateway-cache").Single());
        var answer = await Chat.JsonAsync(messages);
        Assert.Equal("message", answer.GetProperty("type").GetString());
        Assert.Equal($"This is a mock reply from {model.Upstream}.", answer.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task a_key_without_the_cache_always_goes_upstream()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);
        using var first = await client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Never cached"));
        using var second = await client.PostAsJsonAsync("/v1/chat/completions", Ask(model.PublicId, "Never cached"));
        Assert.False(second.Headers.Contains("x-gateway-cache"));
        Assert.Equal(2, Calls(model));
    }
}
