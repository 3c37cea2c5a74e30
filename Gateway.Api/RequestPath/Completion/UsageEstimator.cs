using System.Text;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;
using Microsoft.ML.Tokenizers;

namespace Gateway.Api.RequestPath.Completion;

/// <summary>
/// Counts tokens with a real tokenizer (o200k_base, GPT-4o's) when an upstream does not report usage, so a
/// request is never recorded at $0 tokens; such records are marked estimated. Only runs in that case: the
/// common path, where the upstream reports usage, never touches it.
/// </summary>
public sealed class UsageEstimator
{
    // OpenAI's published accounting: a few tokens of framing per message and for the reply's priming.
    const int PerMessage = 3;
    const int ReplyPriming = 3;

    readonly Lazy<Tokenizer> tokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt-4o"));

    public int Count(string text) => text.Length == 0 ? 0 : tokenizer.Value.CountTokens(text);

    /// <summary>Prompt tokens of a chat request (message text) or an embeddings request (its inputs).</summary>
    public long CountPrompt(ReadOnlySpan<byte> requestBody, Operation operation)
    {
        using var doc = JsonDocument.Parse(requestBody.ToArray());
        var root = doc.RootElement;
        if (operation == Operation.Embeddings)
        {
            if (!root.TryGetProperty("input", out var input)) return 0;
            return input.ValueKind switch
            {
                JsonValueKind.String => Count(input.GetString()!),
                JsonValueKind.Array => input.EnumerateArray().Sum(i => i.ValueKind == JsonValueKind.String ? Count(i.GetString()!) : i.GetArrayLength()),
                _ => 0,
            };
        }
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array) return 0;
        long total = ReplyPriming;
        foreach (var message in messages.EnumerateArray())
        {
            total += PerMessage;
            if (message.TryGetProperty("content", out var content)) total += Count(TextOf(content));
            if (message.TryGetProperty("tool_calls", out var calls)) total += Count(calls.GetRawText());
        }
        return total;
    }

    /// <summary>Completion tokens of a non-streaming chat answer: the text of its choices.</summary>
    public long CountCompletion(ReadOnlySpan<byte> responseJson)
    {
        using var doc = JsonDocument.Parse(responseJson.ToArray());
        if (!doc.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) return 0;
        long total = 0;
        foreach (var choice in choices.EnumerateArray())
        {
            if (!choice.TryGetProperty("message", out var message)) continue;
            if (message.TryGetProperty("content", out var content)) total += Count(TextOf(content));
            if (message.TryGetProperty("tool_calls", out var calls)) total += Count(calls.GetRawText());
        }
        return total;
    }

    /// <summary>Completion tokens of a streamed answer, from the SSE text the client received.</summary>
    public long CountStreamedCompletion(ReadOnlySpan<byte> sse)
    {
        var text = new StringBuilder();
        foreach (var line in Encoding.UTF8.GetString(sse).Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]") continue;
            try
            {
                using var doc = JsonDocument.Parse(line.AsMemory(6));
                if (!doc.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) continue;
                foreach (var choice in choices.EnumerateArray())
                {
                    if (!choice.TryGetProperty("delta", out var delta)) continue;
                    if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String) text.Append(content.GetString());
                    if (delta.TryGetProperty("tool_calls", out var calls)) text.Append(calls.GetRawText());
                }
            }
            catch (JsonException)
            {
                // A line that is not a chunk (an error event) carries no completion text.
            }
        }
        return Count(text.ToString());
    }

    static string TextOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Concat(content.EnumerateArray()
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
            .Select(p => p.GetProperty("text").GetString())),
        _ => "",
    };
}
