using Gateway.Domain.Catalog;

namespace Gateway.Domain.Tests;

public class ModelIdTests
{
    [Theory]
    [InlineData("openai/gpt-4o", true)]
    [InlineData("vllm/meta-llama/Llama-3.1-8B", true)]
    [InlineData("gpt-4o", false)]
    [InlineData("/gpt-4o", false)]
    [InlineData("openai/", false)]
    [InlineData("openai/gpt 4o", false)]
    [InlineData("", false)]
    public void public_ids_are_provider_slash_model(string id, bool valid) => Assert.Equal(valid, ModelId.IsWellFormed(id));

    [Fact]
    public void compose_joins_provider_and_model() => Assert.Equal("openai/gpt-4o", ModelId.Compose("openai", "gpt-4o"));
}
