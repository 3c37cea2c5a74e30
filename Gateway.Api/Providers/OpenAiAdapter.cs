using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Api.ControlPlane;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Providers;

namespace Gateway.Api.Providers;

/// <summary>
/// OpenAI and every server speaking its format (vLLM, Ollama, Mistral, Groq, Together, DeepSeek): bodies pass
/// through byte for byte with only the model name swapped, so unknown fields reach the upstream untouched. A provider
/// that serves OpenAI's Responses API (<see cref="UpstreamProvider.ServesResponses"/>) takes <c>/v1/responses</c> calls natively.
/// </summary>
public class OpenAiAdapter : IProviderAdapter
{
    public virtual string Kind => ProviderKinds.OpenAi;

    public bool SupportsEmbeddings => true;

    public void WriteBody(ReadOnlySpan<byte> openAiBody, RequestHead head, CatalogModel model, PooledBuffer output) =>
        UpstreamBody.Write(openAiBody, head, model.UpstreamModelJson, output);

    public virtual HttpRequestMessage CreateRequest(UpstreamCall call, HttpContent body)
    {
        var path = call.Native ? "/responses" : call.Operation == Operation.Chat ? "/chat/completions" : "/embeddings";
        var request = new HttpRequestMessage(HttpMethod.Post, call.Model.Provider.BaseUrl + path) { Content = body };
        if (call.ApiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", call.ApiKey);
        return request;
    }

    public TokenUsage? WriteResponse(ReadOnlySpan<byte> upstreamJson, CatalogModel model, PooledBuffer output)
    {
        if (!ResponseScan.TryScan(upstreamJson, out var scan)) throw new JsonException("The response is not a JSON object.");
        scan.WriteWithModel(upstreamJson, model.PublicIdJson, output);
        return scan.HasUsage ? scan.Usage : null;
    }

    public IStreamTranslator CreateStreamTranslator(CatalogModel model) => new OpenAiStreamTranslator(model.PublicIdJson);

    /// <summary>A native call is a Responses call (to a provider that serves OpenAI's Responses API).</summary>
    public TokenUsage? WriteNativeResponse(ReadOnlySpan<byte> upstreamJson, CatalogModel model, PooledBuffer output) =>
        OpenAiResponses.ResponsesAnswer.Write(upstreamJson, model.PublicId, output);

    public IStreamTranslator CreateNativeStreamTranslator(CatalogModel model) => new OpenAiResponses.ResponsesEventTranslator(model.PublicId);
}
