using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Providers;

namespace Gateway.Api.Providers;

/// <summary>
/// Azure OpenAI: OpenAI's wire format behind deployment URLs. The catalog model's upstream name is the
/// deployment; the provider's base URL is the resource endpoint (https://NAME.openai.azure.com).
/// </summary>
public sealed class AzureAdapter : OpenAiAdapter
{
    /// <summary>Used when the provider was registered without an api-version.</summary>
    public const string DefaultApiVersion = "2024-10-21";

    public override string Kind => ProviderKinds.Azure;

    public override HttpRequestMessage CreateRequest(UpstreamCall call, HttpContent body)
    {
        var provider = call.Model.Provider;
        if (call.Native)
        {
            // Responses lives on Azure's v1 surface: no api-version, the deployment named by the body's model.
            var responses = new HttpRequestMessage(HttpMethod.Post, $"{provider.BaseUrl}/openai/v1/responses") { Content = body };
            if (call.ApiKey is not null) responses.Headers.TryAddWithoutValidation("api-key", call.ApiKey);
            return responses;
        }
        var operation = call.Operation == Operation.Chat ? "chat/completions" : "embeddings";
        var url = $"{provider.BaseUrl}/openai/deployments/{Uri.EscapeDataString(call.Model.UpstreamModel)}/{operation}" +
                  $"?api-version={Uri.EscapeDataString(provider.ApiVersion ?? DefaultApiVersion)}";
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = body };
        if (call.ApiKey is not null) request.Headers.TryAddWithoutValidation("api-key", call.ApiKey);
        return request;
    }
}
