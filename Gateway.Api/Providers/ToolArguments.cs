using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Providers;

/// <summary>
/// OpenAI carries a tool call's arguments as JSON text inside a string; Anthropic and Gemini want the object itself.
/// </summary>
public static class ToolArguments
{
    /// <summary>Writes the arguments as a JSON object (<c>{}</c> when absent or empty).</summary>
    /// <exception cref="TranslationException">They are not a string holding a JSON object; <paramref name="param"/> names them.</exception>
    public static void WriteObject(JsonElement arguments, Utf8JsonWriter w, string param)
    {
        var text = arguments.ValueKind == JsonValueKind.String ? arguments.GetString()! : null;
        if (arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null || text is not null && string.IsNullOrWhiteSpace(text))
        {
            w.WriteRawValue("{}"u8, skipInputValidation: true);
            return;
        }
        if (text is not null)
        {
            try
            {
                using var parsed = JsonDocument.Parse(text);
                if (parsed.RootElement.ValueKind == JsonValueKind.Object)
                {
                    parsed.RootElement.WriteTo(w);
                    return;
                }
            }
            catch (JsonException)
            {
            }
        }
        throw new TranslationException("Tool call arguments must be a string holding a JSON object.", param);
    }
}
