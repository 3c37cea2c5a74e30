using System.Text.Json;

namespace MockProvider;

/// <summary>The few fields of a Messages request the mock acts on, read in one pass over the body and validated as Anthropic does.</summary>
internal struct AnthropicRequest
{
    public string Model;
    public bool Stream;
    public int MaxTokens;
    public int PromptTokens;
    public bool Thinking;

    /// <exception cref="JsonException">Malformed JSON.</exception>
    /// <exception cref="InvalidRequestException">Well-formed JSON that Anthropic would reject; the message is Anthropic's wording.</exception>
    /// <param name="countOnly">A token count: <c>max_tokens</c> is not asked for.</param>
    public static AnthropicRequest Parse(ReadOnlySpan<byte> json, bool countOnly = false)
    {
        var r = new Utf8JsonReader(json);
        RequestJson.ExpectObject(ref r);

        var req = new AnthropicRequest();
        string? model = null;
        int? maxTokens = null;
        int messages = -1;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("model"u8)) model = Read(ref r, "model", JsonTokenType.String, "a valid string") ? r.GetString() : null;
            else if (r.ValueTextEquals("max_tokens"u8)) maxTokens = Read(ref r, "max_tokens", JsonTokenType.Number, "a valid integer") && r.TryGetInt32(out int m) ? m : throw Invalid("max_tokens: Input should be a valid integer");
            else if (r.ValueTextEquals("stream"u8)) req.Stream = RequestJson.ReadBool(ref r, "stream");
            else if (r.ValueTextEquals("thinking"u8)) req.Thinking = ReadThinking(ref r);
            else if (r.ValueTextEquals("system"u8)) req.PromptTokens += CountContent(ref r, "system");
            else if (r.ValueTextEquals("messages"u8)) messages = CountMessages(ref r, ref req.PromptTokens);
            else r.Skip();
        }

        if (string.IsNullOrEmpty(model)) throw Invalid("model: Field required");
        if (maxTokens is null && !countOnly) throw Invalid("max_tokens: Field required");
        if (maxTokens < 1) throw Invalid("max_tokens: Input should be greater than or equal to 1");
        if (messages < 0) throw Invalid("messages: Field required");
        if (messages == 0) throw Invalid("messages: at least one message is required");

        req.Model = model;
        req.MaxTokens = maxTokens ?? 0;
        return req;
    }

    /// <summary><c>{"type":"enabled","budget_tokens":N}</c> turns extended thinking on; Anthropic wants at least 1,024 tokens of budget.</summary>
    private static bool ReadThinking(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartObject) throw Invalid("thinking: Input should be a valid dictionary");
        bool enabled = false;
        int budget = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("type"u8)) { r.Read(); enabled = r.TokenType == JsonTokenType.String && r.ValueTextEquals("enabled"u8); }
            else if (r.ValueTextEquals("budget_tokens"u8)) { r.Read(); budget = r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var b) ? b : 0; }
            else r.Skip();
        }
        if (enabled && budget < 1024) throw Invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
        return enabled;
    }

    /// <returns>False for JSON null (treated as absent).</returns>
    private static bool Read(ref Utf8JsonReader r, string field, JsonTokenType expected, string what)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null) return false;
        if (r.TokenType != expected) throw Invalid($"{field}: Input should be {what}");
        return true;
    }

    private static int CountMessages(ref Utf8JsonReader r, ref int words)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray) throw Invalid("messages: Input should be a valid list");
        int count = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) throw Invalid($"messages.{count}: Input should be a valid dictionary");
            bool sawRole = false, sawContent = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("content"u8)) { words += CountContent(ref r, $"messages.{count}.content"); sawContent = true; }
                else if (r.ValueTextEquals("role"u8)) { r.Read(); sawRole = true; }
                else r.Skip();
            }
            if (!sawRole) throw Invalid($"messages.{count}.role: Field required");
            if (!sawContent) throw Invalid($"messages.{count}.content: Field required");
            count++;
        }
        return count;
    }

    // Content is a string or an array of blocks; text blocks carry "text", tool_result blocks nest a string or blocks in "content".
    private static int CountContent(ref Utf8JsonReader r, string field)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String) return RequestJson.CountWords(ref r);
        if (r.TokenType != JsonTokenType.StartArray) throw Invalid($"{field}: Input should be a valid string or list");
        return CountBlocks(ref r);
    }

    private static int CountBlocks(ref Utf8JsonReader r)
    {
        int words = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); continue; }
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                bool text = r.ValueTextEquals("text"u8), content = r.ValueTextEquals("content"u8);
                if (!text && !content) { r.Skip(); continue; }
                r.Read();
                if (r.TokenType == JsonTokenType.String) words += RequestJson.CountWords(ref r);
                else if (content && r.TokenType == JsonTokenType.StartArray) words += CountBlocks(ref r);
                else r.Skip();
            }
        }
        return words;
    }

    private static InvalidRequestException Invalid(string message) => new(message, null);
}
