using System.Text.Json;

namespace MockProvider;

/// <summary>
/// The fields of a Responses request (<c>POST /v1/responses</c>) the mock acts on, validated as OpenAI does. The mock keeps
/// no responses, so a <c>previous_response_id</c> is always unknown: a gateway that forwards one instead of sending the
/// conversation itself is caught.
/// </summary>
internal sealed class ResponsesApiRequest
{
    public string Model = "";
    public bool Stream;
    public bool Store = true;
    public int? MaxOutputTokens;
    public int PromptTokens;
    public string? Instructions;
    public string? ReasoningEffort;
    public bool EncryptedReasoning;
    public string? PreviousResponseId;
    /// <summary>Input items after the first that are earlier turns: assistant messages, function calls and their outputs.</summary>
    public int HistoryItems;
    public int Tools;

    /// <exception cref="JsonException">Malformed JSON.</exception>
    /// <exception cref="InvalidRequestException">Well-formed JSON that OpenAI would reject; the message is OpenAI's wording.</exception>
    public static ResponsesApiRequest Parse(ReadOnlySpan<byte> json, string? deployment)
    {
        var r = new Utf8JsonReader(json);
        RequestJson.ExpectObject(ref r);
        var req = new ResponsesApiRequest();
        string? model = null;
        bool sawInput = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("model"u8)) model = RequestJson.ReadString(ref r, "model");
            else if (r.ValueTextEquals("input"u8)) { sawInput = true; req.ReadInput(ref r); }
            else if (r.ValueTextEquals("instructions"u8)) { req.Instructions = RequestJson.ReadString(ref r, "instructions"); req.PromptTokens += Words.Count(req.Instructions ?? ""); }
            else if (r.ValueTextEquals("stream"u8)) req.Stream = RequestJson.ReadBool(ref r, "stream");
            else if (r.ValueTextEquals("store"u8)) req.Store = RequestJson.ReadBool(ref r, "store");
            else if (r.ValueTextEquals("max_output_tokens"u8)) req.MaxOutputTokens = RequestJson.ReadInt(ref r, "max_output_tokens");
            else if (r.ValueTextEquals("previous_response_id"u8)) req.PreviousResponseId = RequestJson.ReadString(ref r, "previous_response_id");
            else if (r.ValueTextEquals("reasoning"u8)) req.ReadReasoning(ref r);
            else if (r.ValueTextEquals("include"u8)) req.ReadInclude(ref r);
            else if (r.ValueTextEquals("tools"u8)) req.ReadTools(ref r);
            else if (r.ValueTextEquals("messages"u8)) throw new InvalidRequestException("Unknown parameter: 'messages'.", "messages");
            else r.Skip();
        }
        model ??= deployment;
        if (string.IsNullOrEmpty(model)) throw new InvalidRequestException("Missing required parameter: 'model'.", "model");
        if (!sawInput) throw new InvalidRequestException("Missing required parameter: 'input'.", "input");
        if (req.MaxOutputTokens is < 1)
            throw new InvalidRequestException($"Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 1, but got {req.MaxOutputTokens} instead.", "max_output_tokens");
        req.Model = model;
        return req;
    }

    void ReadInput(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String)
        {
            PromptTokens += RequestJson.CountWords(ref r);
            return;
        }
        if (r.TokenType != JsonTokenType.StartArray) throw RequestJson.InvalidType("input", "a string or an array");
        var index = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) throw RequestJson.InvalidType($"input[{index}]", "an object");
            string? type = null, role = null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("type"u8)) type = RequestJson.ReadString(ref r, $"input[{index}].type");
                else if (r.ValueTextEquals("role"u8)) role = RequestJson.ReadString(ref r, $"input[{index}].role");
                else if (r.ValueTextEquals("content"u8) || r.ValueTextEquals("output"u8)) PromptTokens += CountContent(ref r);
                else r.Skip();
            }
            type ??= role is null ? null : "message";
            if (type is null) throw new InvalidRequestException($"Missing required parameter: 'input[{index}].type'.", $"input[{index}].type");
            if (type is "item_reference") throw new InvalidRequestException($"Item with id not found: input[{index}] refers to an item this service does not keep.", $"input[{index}].id");
            if (type is "function_call" or "function_call_output" or "reasoning" || role is "assistant") HistoryItems++;
            index++;
        }
    }

    // A message's content is a string or parts with "text"; a tool output is a string (or parts).
    static int CountContent(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String) return RequestJson.CountWords(ref r);
        if (r.TokenType != JsonTokenType.StartArray) { r.Skip(); return 0; }
        return RequestJson.CountPartWords(ref r);
    }

    void ReadReasoning(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null) return;
        if (r.TokenType != JsonTokenType.StartObject) throw RequestJson.InvalidType("reasoning", "an object");
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("effort"u8)) ReasoningEffort = RequestJson.ReadString(ref r, "reasoning.effort");
            else r.Skip();
        }
        if (ReasoningEffort is not (null or "none" or "minimal" or "low" or "medium" or "high" or "xhigh"))
            throw new InvalidRequestException($"Invalid value: '{ReasoningEffort}'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high' and 'xhigh'.", "reasoning.effort");
    }

    void ReadInclude(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray) { r.Skip(); return; }
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            if (r.TokenType == JsonTokenType.String && r.ValueTextEquals("reasoning.encrypted_content"u8)) EncryptedReasoning = true;
    }

    void ReadTools(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray) throw RequestJson.InvalidType("tools", "an array");
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) throw RequestJson.InvalidType($"tools[{Tools}]", "an object");
            // Chat's nested {"type":"function","function":{...}} is not the Responses form: OpenAI refuses it.
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("function"u8)) throw new InvalidRequestException($"Missing required parameter: 'tools[{Tools}].name'.", $"tools[{Tools}].name");
                r.Skip();
            }
            Tools++;
        }
    }

    /// <summary>Reasoning was asked for: the model thinks before it answers.</summary>
    public bool Reasons => ReasoningEffort is not (null or "none");
}
