namespace Gateway.Domain.Providers;

/// <summary>The upstream wire formats the gateway speaks.</summary>
public static class ProviderKinds
{
    /// <summary>OpenAI and every OpenAI-format server: vLLM, Ollama, Mistral, Groq, Together, DeepSeek…</summary>
    public const string OpenAi = "openai";

    /// <summary>Azure OpenAI: deployment-based URLs, <c>api-version</c> and the <c>api-key</c> header.</summary>
    public const string Azure = "azure";

    /// <summary>Anthropic's Messages API.</summary>
    public const string Anthropic = "anthropic";

    /// <summary>Google's Gemini API (generateContent).</summary>
    public const string Gemini = "gemini";

    public static readonly IReadOnlyList<string> All = [OpenAi, Azure, Anthropic, Gemini];

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind);
}
