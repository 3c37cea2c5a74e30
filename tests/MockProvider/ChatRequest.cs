using System.Text.Json;

namespace MockProvider;

/// <summary>The few fields of a chat completion request the mock acts on, read in one pass over the body.</summary>
internal struct ChatRequest
{
    public string Model;
    public bool Stream;
    public bool IncludeUsage;
    public int? MaxTokens;
    public int PromptTokens;

    /// <exception cref="JsonException">Malformed JSON.</exception>
    /// <exception cref="InvalidRequestException">Well-formed JSON that OpenAI would reject.</exception>
    /// <param name="deployment">Azure's deployment from the URL: it names the model, and the body may then omit one.</param>
    public static ChatRequest Parse(ReadOnlySpan<byte> json, string? deployment = null)
    {
        var r = new Utf8JsonReader(json);
        RequestJson.ExpectObject(ref r);

        var req = new ChatRequest();
        string? model = null;
        bool sawMessages = false;
        int? maxTokens = null, maxCompletionTokens = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("model"u8)) model = RequestJson.ReadString(ref r, "model");
            else if (r.ValueTextEquals("messages"u8)) { req.PromptTokens = CountMessageWords(ref r); sawMessages = true; }
            else if (r.ValueTextEquals("stream"u8)) req.Stream = RequestJson.ReadBool(ref r, "stream");
            else if (r.ValueTextEquals("stream_options"u8)) req.IncludeUsage = ReadIncludeUsage(ref r);
            else if (r.ValueTextEquals("max_tokens"u8)) maxTokens = RequestJson.ReadInt(ref r, "max_tokens");
            else if (r.ValueTextEquals("max_completion_tokens"u8)) maxCompletionTokens = RequestJson.ReadInt(ref r, "max_completion_tokens");
            else r.Skip();
        }

        if (deployment is not null) model = deployment;
        if (string.IsNullOrEmpty(model))
            throw new InvalidRequestException("you must provide a model parameter", null);
        if (!sawMessages)
            throw new InvalidRequestException("Missing required parameter: 'messages'.", "messages");
        if (maxTokens < 1)
            throw new InvalidRequestException("Invalid 'max_tokens': integer below minimum value. Expected a value >= 1.", "max_tokens");
        if (maxCompletionTokens < 1)
            throw new InvalidRequestException("Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1.", "max_completion_tokens");

        req.Model = model;
        req.MaxTokens = maxTokens is int a && maxCompletionTokens is int b ? Math.Min(a, b) : maxTokens ?? maxCompletionTokens;
        return req;
    }

    private static bool ReadIncludeUsage(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null) return false;
        if (r.TokenType != JsonTokenType.StartObject) throw RequestJson.InvalidType("stream_options", "an object");
        bool include = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("include_usage"u8)) include = RequestJson.ReadBool(ref r, "stream_options.include_usage");
            else r.Skip();
        }
        return include;
    }

    private static int CountMessageWords(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray) throw RequestJson.InvalidType("messages", "an array");
        int words = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) throw RequestJson.InvalidType("messages", "an array of objects");
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (!r.ValueTextEquals("content"u8)) { r.Skip(); continue; }
                r.Read();
                if (r.TokenType == JsonTokenType.String) words += RequestJson.CountWords(ref r);
                else if (r.TokenType == JsonTokenType.StartArray) words += RequestJson.CountPartWords(ref r);
                else if (r.TokenType != JsonTokenType.Null) throw RequestJson.InvalidType("messages.content", "a string or an array of parts");
            }
        }
        return words;
    }
}
