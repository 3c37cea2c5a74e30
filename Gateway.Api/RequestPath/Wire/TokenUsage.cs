namespace Gateway.Api.RequestPath.Wire;

/// <summary>Token counts as a provider reported them, in OpenAI's terms.</summary>
/// <param name="PromptTokens">All input tokens, including cached and cache-creation ones.</param>
/// <param name="CachedPromptTokens">Input tokens read from the provider's prompt cache.</param>
/// <param name="CacheCreationTokens">Input tokens written to the provider's prompt cache.</param>
public readonly record struct TokenUsage(long PromptTokens, long CompletionTokens, long CachedPromptTokens = 0, long CacheCreationTokens = 0)
{
    public long TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>Writes OpenAI's <c>usage</c> property; <paramref name="reasoningTokens"/> only when the provider reports them.</summary>
    public void WriteOpenAi(System.Text.Json.Utf8JsonWriter w, long? reasoningTokens = null)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", PromptTokens);
        w.WriteNumber("completion_tokens", CompletionTokens);
        w.WriteNumber("total_tokens", TotalTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", CachedPromptTokens);
        w.WriteEndObject();
        if (reasoningTokens is { } reasoning)
        {
            w.WriteStartObject("completion_tokens_details");
            w.WriteNumber("reasoning_tokens", reasoning);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
