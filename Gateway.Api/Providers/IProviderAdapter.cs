using Gateway.Api.ControlPlane;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers;

/// <summary>
/// One upstream wire format. The gateway speaks OpenAI's format inside; an adapter turns an OpenAI-format
/// request into its provider's HTTP request and the provider's answer back into OpenAI's format.
/// Adding a provider is one new adapter plus its registration; nothing else branches on the kind.
/// </summary>
public interface IProviderAdapter
{
    string Kind { get; }

    bool SupportsEmbeddings { get; }

    /// <summary>Writes the upstream request body for an OpenAI-format client body.</summary>
    /// <exception cref="TranslationException">The request cannot be expressed in this wire format.</exception>
    void WriteBody(ReadOnlySpan<byte> openAiBody, RequestHead head, CatalogModel model, PooledBuffer output);

    /// <summary>
    /// Writes the upstream body from a client body already in this provider's own format (only its model name changes);
    /// false when this adapter does not pass bodies through.
    /// </summary>
    bool WriteNativeBody(ReadOnlySpan<byte> clientBody, CatalogModel model, PooledBuffer output) => false;

    HttpRequestMessage CreateRequest(UpstreamCall call, HttpContent body);

    /// <summary>A complete (non-streamed) upstream answer → OpenAI JSON with the public model name.</summary>
    /// <returns>The usage the upstream reported, or null when it reported none.</returns>
    /// <exception cref="System.Text.Json.JsonException">The answer is not what this wire format sends.</exception>
    TokenUsage? WriteResponse(ReadOnlySpan<byte> upstreamJson, CatalogModel model, PooledBuffer output);

    IStreamTranslator CreateStreamTranslator(CatalogModel model);

    /// <summary>
    /// A complete answer to a native call (<see cref="UpstreamCall.Native"/>) → OpenAI JSON, for the record and usage.
    /// Most kinds answer a native call in the format they always speak.
    /// </summary>
    TokenUsage? WriteNativeResponse(ReadOnlySpan<byte> upstreamJson, CatalogModel model, PooledBuffer output) => WriteResponse(upstreamJson, model, output);

    /// <summary>The stream of a native call → OpenAI chunks, for the record and usage.</summary>
    IStreamTranslator CreateNativeStreamTranslator(CatalogModel model) => CreateStreamTranslator(model);
}

/// <summary>What one upstream call needs besides its body: the model, the operation, and whose key pays.</summary>
/// <param name="Beta">The client's <c>anthropic-beta</c> header, passed on when its body is (a native call).</param>
/// <param name="Native">The body is the client's own, in a format the upstream speaks natively (Anthropic's Messages, OpenAI's Responses).</param>
public readonly record struct UpstreamCall(CatalogModel Model, Operation Operation, bool Stream, string? ApiKey, string? Beta = null, bool Native = false);

/// <summary>Finds the adapter for a provider's kind.</summary>
public sealed class ProviderAdapters(IEnumerable<IProviderAdapter> adapters)
{
    readonly Dictionary<string, IProviderAdapter> byKind = adapters.ToDictionary(a => a.Kind, StringComparer.Ordinal);

    public IProviderAdapter For(string kind) =>
        byKind.TryGetValue(kind, out var adapter) ? adapter : throw new InvalidOperationException($"No adapter for provider kind '{kind}'.");
}
