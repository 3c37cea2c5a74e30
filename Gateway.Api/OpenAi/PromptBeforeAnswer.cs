using Gateway.Api.Providers;

namespace Gateway.Api.OpenAi;

public sealed partial class Proxy
{
    /// <summary>
    /// The prompt's count before any answer token, for a client format that states it up front: the upstream's, when
    /// its opening event gave one (Anthropic's message_start does), else the gateway's own count (the one budgets use).
    /// </summary>
    internal TokenUsage PromptBeforeAnswer(RequestTrace trace, TokenUsage? reported, ReadOnlySpan<byte> openAiBody)
    {
        if (reported is { PromptTokens: > 0 } upstream) return upstream;
        try
        {
            return new TokenUsage(trace.EstimatedPromptTokens ?? estimator.CountPrompt(openAiBody, trace.Operation), 0);
        }
        catch (System.Text.Json.JsonException)
        {
            return default;
        }
    }
}
