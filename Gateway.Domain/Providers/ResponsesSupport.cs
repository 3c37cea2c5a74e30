namespace Gateway.Domain.Providers;

/// <summary>
/// Which upstreams take OpenAI Responses calls (<c>/v1/responses</c>) as they are, rather than through the gateway's
/// translation to chat completions. Only OpenAI-format kinds can; of those, Azure OpenAI always does and OpenAI's own
/// API does, while the many other servers of OpenAI's chat format (vLLM, Ollama, Mistral…) mostly do not, so for them
/// it is said at registration.
/// </summary>
public static class ResponsesSupport
{
    public static bool CanServe(string kind) => kind is ProviderKinds.OpenAi or ProviderKinds.Azure;

    /// <param name="declared">What the provider's registration said; null when it said nothing.</param>
    public static bool Serves(string kind, string baseUrl, bool? declared) =>
        CanServe(kind) && (declared ?? (kind == ProviderKinds.Azure || IsOpenAisOwn(baseUrl)));

    static bool IsOpenAisOwn(string baseUrl) =>
        Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && uri.Host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase);
}
