using System.Text.Json;

namespace Gateway.Api.RequestPath.Completion;

/// <summary>
/// The model a refused body named, for its record: read from the top-level <c>model</c> string as far as the body
/// parses (both OpenAI's and Anthropic's bodies name it so), whichever field it was refused for.
/// </summary>
public static class ModelNamed
{
    /// <summary>Longer names are cut: no catalog id comes close, and the record need not keep a hostile one whole.</summary>
    public const int MaxLength = 256;

    public static string In(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return "";
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isModel = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (!isModel)
                {
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType != JsonTokenType.String) return "";
                var model = reader.GetString()!;
                // PostgreSQL cannot store NUL in an event: such a name is refused, and not kept.
                if (model.Contains('\0')) return "";
                return model.Length <= MaxLength ? model : model[..MaxLength];
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Malformed before the model, or a model that is not valid text: nothing to name.
        }
        return "";
    }
}
