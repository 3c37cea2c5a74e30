namespace Gateway.Domain.Providers;

/// <summary>The upstream wire formats the gateway speaks.</summary>
public static class ProviderKinds
{
    /// <summary>OpenAI and every OpenAI-format server: vLLM, Ollama, Mistral, Groq, Together, DeepSeek…</summary>
    public const string OpenAi = "openai";

    public static readonly IReadOnlyList<string> All = [OpenAi];

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind);
}
