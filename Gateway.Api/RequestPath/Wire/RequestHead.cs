using System.Text.Json;

namespace Gateway.Api.RequestPath.Wire;

/// <summary>
/// What the gateway needs from an OpenAI request body, read in one pass without building a DOM: the
/// model and where it sits (to swap in the upstream name), streaming flags, and the shape checks.
/// Every other field passes through untouched.
/// </summary>
public sealed class RequestHead
{
    public Operation Operation { get; private init; }
    public string? Model { get; private set; }
    public int ModelStart { get; private set; } = -1;
    public int ModelEnd { get; private set; } = -1;
    public int ObjectStart { get; private set; }
    public bool Stream { get; private set; }
    public bool HasStreamOptions { get; private set; }
    public int StreamOptionsStart { get; private set; } = -1;
    public int StreamOptionsEnd { get; private set; } = -1;
    public bool IncludeUsage { get; private set; }
    public int? MessageCount { get; private set; }
    public int? InputCount { get; private set; }
    public long? MaxTokens { get; private set; }

    /// <summary>Set when a field has the wrong JSON type; names the field.</summary>
    public string? TypeError { get; private set; }
    public string? TypeErrorParam { get; private set; }

    public static RequestHead Parse(ReadOnlySpan<byte> json, Operation operation)
    {
        var head = new RequestHead { Operation = operation };
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 128 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            head.Fail("The request body must be a JSON object.", null);
            return head;
        }
        head.ObjectStart = (int)reader.TokenStartIndex;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8)) head.ReadModel(ref reader);
            else if (reader.ValueTextEquals("stream"u8)) head.ReadStream(ref reader);
            else if (reader.ValueTextEquals("stream_options"u8)) head.ReadStreamOptions(ref reader);
            else if (reader.ValueTextEquals("messages"u8)) head.MessageCount = head.CountArray(ref reader, "messages");
            else if (reader.ValueTextEquals("input"u8)) head.ReadInput(ref reader);
            else if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8)) head.ReadMaxTokens(ref reader);
            else
            {
                reader.Read();
                reader.Skip();
            }
            if (head.TypeError is not null) return head;
        }
        // Reaching the end proves the rest of the document is well-formed JSON; trailing content throws.
        while (reader.Read()) { }
        return head;
    }

    void ReadModel(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            Fail("'model' must be a string.", "model");
            reader.Skip();
            return;
        }
        ModelStart = (int)reader.TokenStartIndex;
        ModelEnd = (int)reader.BytesConsumed;
        Model = reader.GetString();
    }

    void ReadStream(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.True: Stream = true; break;
            case JsonTokenType.False or JsonTokenType.Null: Stream = false; break;
            default:
                Fail("'stream' must be a boolean.", "stream");
                reader.Skip();
                break;
        }
    }

    void ReadStreamOptions(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Fail("'stream_options' must be an object.", "stream_options");
            reader.Skip();
            return;
        }
        HasStreamOptions = true;
        StreamOptionsStart = (int)reader.TokenStartIndex;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage)
            {
                if (reader.TokenType is JsonTokenType.True) IncludeUsage = true;
                else if (reader.TokenType is not (JsonTokenType.False or JsonTokenType.Null))
                {
                    Fail("'stream_options.include_usage' must be a boolean.", "stream_options.include_usage");
                    reader.Skip();
                    return;
                }
            }
            else reader.Skip();
        }
        StreamOptionsEnd = (int)reader.BytesConsumed;
    }

    void ReadInput(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            InputCount = reader.ValueSpan.Length == 0 ? 0 : 1;
            return;
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Fail("'input' must be a string or an array.", "input");
            reader.Skip();
            return;
        }
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            reader.Skip();
        }
        InputCount = count;
    }

    int? CountArray(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Fail($"'{name}' must be an array.", name);
            reader.Skip();
            return null;
        }
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                Fail($"'{name}[{count}]' must be an object.", $"{name}[{count}]");
                reader.Skip();
                return count;
            }
            count++;
            reader.Skip();
        }
        return count;
    }

    void ReadMaxTokens(ref Utf8JsonReader reader)
    {
        var name = reader.GetString()!;
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return;
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
        {
            Fail($"'{name}' must be an integer.", name);
            reader.Skip();
            return;
        }
        MaxTokens = value;
    }

    void Fail(string message, string? param)
    {
        TypeError ??= message;
        TypeErrorParam ??= param;
    }
}
