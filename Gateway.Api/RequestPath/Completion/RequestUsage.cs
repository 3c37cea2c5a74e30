using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.RequestPath.Completion;

/// <summary>
/// A request's usage when the upstream did not report it (or not all of it): counted with the tokenizer, and the
/// record marked estimated. Only runs in that case; the common path, where the upstream reports usage, never does.
/// </summary>
public sealed class RequestUsage(UsageEstimator estimator, ILogger<RequestUsage> logger)
{
    /// <summary>
    /// Counts both sides and marks the record estimated. The output count never passes the request's max_tokens: the
    /// provider cannot have generated more, and the budget reserved no more (our tokenizer may count a provider's text
    /// differently).
    /// </summary>
    public void Estimate(RequestTrace trace, RequestHead head, ReadOnlySpan<byte> requestBody, ReadOnlySpan<byte> answer, bool streamed)
    {
        try
        {
            trace.EstimatedPrompt(trace.CountPrompt(estimator, requestBody));
            var completion = trace.Operation == Operation.Embeddings ? 0
                : streamed ? estimator.CountStreamedCompletion(answer) : estimator.CountCompletion(answer);
            trace.EstimatedCompletion(head.MaxTokens is { } max ? Math.Min(completion, max) : completion);
        }
        catch (JsonException ex)
        {
            logger.LogWarning("Usage of request {RequestId} could not be estimated: {Error}", trace.RequestId, ex.Message);
        }
    }

    /// <summary>
    /// The prompt's count before any answer token, for a client format that states it up front: the upstream's, when
    /// its opening event gave one (Anthropic's message_start does), else the gateway's own count (the one budgets use).
    /// </summary>
    public TokenUsage PromptBeforeAnswer(RequestTrace trace, TokenUsage? reported, ReadOnlySpan<byte> openAiBody)
    {
        if (reported is { PromptTokens: > 0 } upstream) return upstream;
        try
        {
            return new TokenUsage(trace.EstimatedPromptTokens ?? estimator.CountPrompt(openAiBody, trace.Operation), 0);
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
