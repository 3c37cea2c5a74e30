using System.Net.Http.Headers;
using Gateway.Api.ControlPlane;
using Gateway.Api.OpenAi;
using Gateway.Domain.Providers;

namespace Gateway.Api.Providers;

/// <summary>OpenAI and every server speaking its format (vLLM, Ollama, Mistral, Groq, Together, DeepSeek).</summary>
public sealed class OpenAiAdapter : IProviderAdapter
{
    public string Kind => ProviderKinds.OpenAi;

    public HttpRequestMessage CreateRequest(UpstreamProvider provider, Operation operation, HttpContent openAiBody)
    {
        var path = operation == Operation.Chat ? "/chat/completions" : "/embeddings";
        var request = new HttpRequestMessage(HttpMethod.Post, provider.BaseUrl + path) { Content = openAiBody };
        if (provider.ApiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", provider.ApiKey);
        return request;
    }
}
