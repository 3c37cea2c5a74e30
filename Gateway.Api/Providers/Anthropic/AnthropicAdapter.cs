using Gateway.Api.ControlPlane;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Providers;

namespace Gateway.Api.Providers.Anthropic;

/// <summary>
/// Anthropic's Messages API: <c>POST {base}/messages</c> with <c>x-api-key</c> and <c>anthropic-version</c>.
/// The provider's base URL is like https://api.anthropic.com/v1.
/// </summary>
public sealed class AnthropicAdapter(GatewayOptions options) : IProviderAdapter
{
    /// <summary>Sent when the provider was registered without an API version.</summary>
    public const string DefaultApiVersion = "2023-06-01";

    public string Kind => ProviderKinds.Anthropic;

    public bool SupportsEmbeddings => false;

    public void WriteBody(ReadOnlySpan<byte> openAiBody, RequestHead head, CatalogModel model, PooledBuffer output) =>
        AnthropicRequest.Write(openAiBody, model.UpstreamModel, head.Stream, options.AnthropicDefaultMaxTokens, output);

    public bool WriteNativeBody(ReadOnlySpan<byte> clientBody, CatalogModel model, PooledBuffer output)
    {
        JsonModelSplice.Write(clientBody, 1, model.UpstreamModel, output);
        return true;
    }

    public HttpRequestMessage CreateRequest(UpstreamCall call, HttpContent body)
    {
        var provider = call.Model.Provider;
        var request = new HttpRequestMessage(HttpMethod.Post, provider.BaseUrl + "/messages") { Content = body };
        if (call.ApiKey is not null) request.Headers.TryAddWithoutValidation("x-api-key", call.ApiKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", provider.ApiVersion ?? DefaultApiVersion);
        if (!string.IsNullOrEmpty(call.Beta)) request.Headers.TryAddWithoutValidation("anthropic-beta", call.Beta);
        return request;
    }

    public TokenUsage? WriteResponse(ReadOnlySpan<byte> upstreamJson, CatalogModel model, PooledBuffer output) =>
        AnthropicResponse.Write(upstreamJson, model.PublicId, output);

    public IStreamTranslator CreateStreamTranslator(CatalogModel model) => new AnthropicStreamTranslator(model.PublicId);
}
