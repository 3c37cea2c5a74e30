using Gateway.Api.ControlPlane;
using Gateway.Api.OpenAi;

namespace Gateway.Api.Providers;

/// <summary>
/// One upstream wire format. The gateway speaks OpenAI's format inside; an adapter turns that into its
/// provider's HTTP request. Adding a provider is one new file implementing this, plus its registration.
/// </summary>
public interface IProviderAdapter
{
    string Kind { get; }

    HttpRequestMessage CreateRequest(UpstreamProvider provider, Operation operation, HttpContent openAiBody);
}

/// <summary>Finds the adapter for a provider's kind.</summary>
public sealed class ProviderAdapters(IEnumerable<IProviderAdapter> adapters)
{
    readonly Dictionary<string, IProviderAdapter> byKind = adapters.ToDictionary(a => a.Kind, StringComparer.Ordinal);

    public IProviderAdapter For(string kind) =>
        byKind.TryGetValue(kind, out var adapter) ? adapter : throw new InvalidOperationException($"No adapter for provider kind '{kind}'.");
}
