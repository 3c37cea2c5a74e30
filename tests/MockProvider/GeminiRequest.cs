using System.Text.Json;

namespace MockProvider;

/// <summary>The few fields of a GenerateContentRequest the mock acts on, read in one pass and validated as Google does.</summary>
internal struct GeminiRequest
{
    public int PromptTokens;
    public int? MaxOutputTokens;

    /// <exception cref="JsonException">Malformed JSON.</exception>
    /// <exception cref="InvalidRequestException">JSON the Gemini API would reject; the message is Google's wording.</exception>
    public static GeminiRequest Parse(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json);
        RequestJson.ExpectObject(ref r);

        var req = new GeminiRequest();
        int contents = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            // The API is proto-backed and accepts both lowerCamel and snake_case names.
            if (r.ValueTextEquals("contents"u8)) contents = CountContents(ref r, ref req.PromptTokens);
            else if (r.ValueTextEquals("systemInstruction"u8) || r.ValueTextEquals("system_instruction"u8)) req.PromptTokens += CountContent(ref r);
            else if (r.ValueTextEquals("generationConfig"u8) || r.ValueTextEquals("generation_config"u8)) req.MaxOutputTokens = ReadMaxOutputTokens(ref r);
            else if (IsKnown(ref r)) r.Skip();
            else
            {
                // Google refuses unknown fields, which is what catches a gateway sending OpenAI names (max_tokens, messages).
                string name = r.GetString()!;
                throw new InvalidRequestException($"Invalid JSON payload received. Unknown name \"{name}\": Cannot find field.", name);
            }
        }
        if (contents == 0) throw new InvalidRequestException("* GenerateContentRequest.contents: contents is not specified\n", "contents");
        return req;
    }

    private static bool IsKnown(ref Utf8JsonReader r) =>
        r.ValueTextEquals("tools"u8) || r.ValueTextEquals("toolConfig"u8) || r.ValueTextEquals("tool_config"u8)
        || r.ValueTextEquals("safetySettings"u8) || r.ValueTextEquals("safety_settings"u8)
        || r.ValueTextEquals("cachedContent"u8) || r.ValueTextEquals("cached_content"u8) || r.ValueTextEquals("model"u8);

    private static int CountContents(ref Utf8JsonReader r, ref int words)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray) throw Invalid("contents", "a list of Content");
        int count = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) throw Invalid("contents", "a list of Content");
            words += CountParts(ref r);
            count++;
        }
        return count;
    }

    private static int CountContent(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartObject) throw Invalid("system_instruction", "a Content object");
        return CountParts(ref r);
    }

    // Positioned on a Content's StartObject; only text parts count (inline data and function parts have no words).
    private static int CountParts(ref Utf8JsonReader r)
    {
        int words = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (!r.ValueTextEquals("parts"u8)) { r.Skip(); continue; }
            r.Read();
            if (r.TokenType != JsonTokenType.StartArray) throw Invalid("parts", "a list of Part");
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (r.TokenType != JsonTokenType.StartObject) throw Invalid("parts", "a list of Part");
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    if (!r.ValueTextEquals("text"u8)) { r.Skip(); continue; }
                    r.Read();
                    if (r.TokenType == JsonTokenType.String) words += RequestJson.CountWords(ref r);
                    else r.Skip();
                }
            }
        }
        return words;
    }

    private static int? ReadMaxOutputTokens(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartObject) throw Invalid("generation_config", "a GenerationConfig object");
        int? max = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("maxOutputTokens"u8) || r.ValueTextEquals("max_output_tokens"u8))
                max = RequestJson.ReadInt(ref r, "generation_config.max_output_tokens");
            else r.Skip();
        }
        if (max < 1) throw new InvalidRequestException("max_output_tokens must be positive.", "generation_config.max_output_tokens");
        return max;
    }

    private static InvalidRequestException Invalid(string field, string expected) =>
        new($"Invalid value at '{field}', expected {expected}.", field);
}
