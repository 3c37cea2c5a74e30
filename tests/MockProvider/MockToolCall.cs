using System.Text.Json;

namespace MockProvider;

/// <summary>A tool call the mock makes instead of replying; <paramref name="Arguments"/> is a JSON object as text, as OpenAI carries it.</summary>
public sealed record MockToolCall(string Name, string Arguments)
{
    internal string? Validate()
    {
        if (string.IsNullOrEmpty(Name)) return "toolCall.name is required.";
        try
        {
            using var doc = JsonDocument.Parse(Arguments ?? "");
            // Anthropic's input and Gemini's args are objects, so anything else could not be sent in every format.
            return doc.RootElement.ValueKind == JsonValueKind.Object ? null : "toolCall.arguments must be a JSON object.";
        }
        catch (JsonException)
        {
            return "toolCall.arguments must be a JSON object.";
        }
    }
}
