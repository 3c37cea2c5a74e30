using Gateway.Api.ControlPlane;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Providers;

namespace Gateway.Api.Providers.Gemini;

/// <summary>
/// Google's Gemini API: <c>{base}/models/{model}:generateContent</c>, or <c>:streamGenerateContent?alt=sse</c>
/// for streams, with the key in <c>x-goog-api-key</c>. The base URL is like https://generativelanguage.googleapis.com/v1beta.
/// </summary>
public sealed class GeminiAdapter : IProviderAdapter
{
    public string Kind => ProviderKinds.Gemini;

    public bool SupportsEmbeddings => false;

    public void WriteBody(ReadOnlySpan<byte> openAiBody, RequestHead head, CatalogModel model, PooledBuffer output) =>
        GeminiRequest.Write(openAiBody, output);

    public HttpRequestMessage CreateRequest(UpstreamCall call, HttpContent body)
    {
        var model = Uri.EscapeDataString(call.Model.UpstreamModel);
        var method = call.Stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
        var request = new HttpRequestMessage(HttpMethod.Post, $"{call.Model.Provider.BaseUrl}/models/{model}{method}") { Content = body };
        if (call.ApiKey is not null) request.Headers.TryAddWithoutValidation("x-goog-api-key", call.ApiKey);
        return request;
    }

    public TokenUsage? WriteResponse(ReadOnlySpan<byte> upstreamJson, CatalogModel model, PooledBuffer output) =>
        GeminiResponse.Write(upstreamJson, model.PublicId, output);

    public IStreamTranslator CreateStreamTranslator(CatalogModel model) => new GeminiStreamTranslator(model.PublicId);
}
