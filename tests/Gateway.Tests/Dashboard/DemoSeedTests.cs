using System.Net;
using System.Net.Http.Json;

namespace Gateway.Tests.Dashboard;

/// <summary>The demo a fresh `./gateway run` seeds: its models include an embedding model that answers.</summary>
[Collection(DashboardCollection.Name)]
public class DemoSeedTests(DashboardFixture ui)
{
    [Fact]
    public async Task the_demo_lists_an_embedding_model_that_embeds()
    {
        using var client = ui.Client(DashboardFixture.DemoKey);

        var models = await client.GetJsonAsync("/v1/models");
        var ids = models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains("mock/text-embedding-3-small", ids);
        Assert.Contains("mock/gpt-4o-mini", ids);

        using var response = await client.PostAsJsonAsync("/v1/embeddings", new { model = "mock/text-embedding-3-small", input = "Hello embeddings" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Chat.JsonAsync(response);
        Assert.True(body.GetProperty("data")[0].GetProperty("embedding").GetArrayLength() > 0);
    }
}
