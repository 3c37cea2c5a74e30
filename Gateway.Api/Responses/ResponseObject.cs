using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Responses;

/// <summary>A function call the model made, as a Responses output item.</summary>
public sealed record FunctionCallItem(string ItemId, string CallId, string Name, string Arguments);

/// <summary>What the model answered, in Responses terms: its text, its function calls, and why it stopped.</summary>
public sealed class ResponseOutput
{
    public string Text { get; set; } = "";
    public List<FunctionCallItem> Calls { get; } = [];
    /// <summary>Null when complete; else the reason it is incomplete (<c>max_output_tokens</c>, <c>content_filter</c>).</summary>
    public string? IncompleteReason { get; set; }
    /// <summary>The model's refusal, when it refused (the last one, should there be several).</summary>
    public string? Refusal { get; set; }

    /// <summary>What a response object of the Responses API answered: its output text, refusal and function calls, and why it stopped.</summary>
    public static ResponseOutput Of(JsonElement response)
    {
        var output = new ResponseOutput();
        var text = new StringBuilder();
        if (response.TryGetProperty("output"u8, out var items) && items.ValueKind == JsonValueKind.Array)
            foreach (var item in items.EnumerateArray())
            {
                var type = item.StringOf("type"u8);
                if (type == "function_call")
                    output.Calls.Add(new FunctionCallItem(item.StringOf("id"u8) ?? "", item.StringOf("call_id"u8) ?? "", item.StringOf("name"u8) ?? "", item.StringOf("arguments"u8) ?? ""));
                else if (type == "message" && item.TryGetProperty("content"u8, out var content) && content.ValueKind == JsonValueKind.Array)
                    foreach (var part in content.EnumerateArray())
                    {
                        var kind = part.StringOf("type"u8);
                        if (kind == "output_text") text.Append(part.StringOf("text"u8));
                        else if (kind == "refusal") output.Refusal = part.StringOf("refusal"u8);
                    }
            }
        output.Text = text.ToString();
        if (response.StringOf("status"u8) == "incomplete")
            output.IncompleteReason = response.TryGetProperty("incomplete_details"u8, out var details) ? details.StringOf("reason"u8) ?? "max_output_tokens" : "max_output_tokens";
        return output;
    }

    public static string? IncompleteFor(string? finishReason) => finishReason switch
    {
        "length" => "max_output_tokens",
        "content_filter" => "content_filter",
        _ => null,
    };

    /// <summary>The answer as the chat message a later request continues from (kept with <c>store</c>).</summary>
    public void WriteChatMessage(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, "assistant"u8);
        if (Text.Length > 0 || Calls.Count == 0) json.WriteString("content"u8, Text);
        else json.WriteNull("content"u8);
        if (Calls.Count > 0)
        {
            json.WriteStartArray("tool_calls"u8);
            foreach (var call in Calls)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, call.CallId);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, call.Name);
                json.WriteString("arguments"u8, call.Arguments);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }
}

/// <summary>
/// One Responses request's answer envelope: its ids and the request fields a response object repeats (instructions,
/// tools, sampling, <c>store</c>, <c>previous_response_id</c>…), written the same way whole, in <c>response.created</c>
/// and in <c>response.completed</c>.
/// </summary>
public sealed class ResponseObject(Guid requestId, DateTimeOffset created, JsonElement request)
{
    public string Id { get; } = ResponseIds.Response(requestId);
    public string MessageId { get; } = "msg_" + requestId.ToString("N");
    public long CreatedAt { get; } = created.ToUnixTimeSeconds();

    public string FunctionCallId(int index) => $"fc_{Id[5..]}_{index}";

    /// <param name="status"><c>in_progress</c>, <c>completed</c>, <c>incomplete</c> or <c>failed</c>.</param>
    public void Write(Utf8JsonWriter json, string model, string status, ResponseOutput? output, TokenUsage? usage, long? reasoningTokens = null,
        string? errorCode = null, string? errorMessage = null)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, Id);
        json.WriteString("object"u8, "response"u8);
        json.WriteNumber("created_at"u8, CreatedAt);
        json.WriteString("status"u8, status);
        if (errorCode is null) json.WriteNull("error"u8);
        else
        {
            json.WriteStartObject("error"u8);
            json.WriteString("code"u8, errorCode);
            json.WriteString("message"u8, errorMessage);
            json.WriteEndObject();
        }
        if (output?.IncompleteReason is { } reason)
        {
            json.WriteStartObject("incomplete_details"u8);
            json.WriteString("reason"u8, reason);
            json.WriteEndObject();
        }
        else json.WriteNull("incomplete_details"u8);
        Echo(json, "instructions", "instructions"u8, null);
        Echo(json, "max_output_tokens", "max_output_tokens"u8, null);
        json.WriteString("model"u8, model);
        json.WriteStartArray("output"u8);
        if (output is not null) WriteItems(json, output, "completed");
        json.WriteEndArray();
        Echo(json, "parallel_tool_calls", "parallel_tool_calls"u8, true);
        Echo(json, "previous_response_id", "previous_response_id"u8, null);
        json.WriteStartObject("reasoning"u8);
        if (request.TryGetProperty("reasoning", out var reasoning) && reasoning.ValueKind == JsonValueKind.Object
            && reasoning.TryGetProperty("effort", out var effort) && effort.ValueKind == JsonValueKind.String)
        {
            json.WritePropertyName("effort"u8);
            effort.WriteTo(json);
        }
        else json.WriteNull("effort"u8);
        json.WriteNull("summary"u8);
        json.WriteEndObject();
        Echo(json, "store", "store"u8, true);
        Echo(json, "temperature", "temperature"u8, 1.0);
        if (request.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.Object)
        {
            json.WritePropertyName("text"u8);
            text.WriteTo(json);
        }
        else
        {
            json.WriteStartObject("text"u8);
            json.WriteStartObject("format"u8);
            json.WriteString("type"u8, "text"u8);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        Echo(json, "tool_choice", "tool_choice"u8, "auto");
        if (request.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            json.WritePropertyName("tools"u8);
            tools.WriteTo(json);
        }
        else
        {
            json.WriteStartArray("tools"u8);
            json.WriteEndArray();
        }
        Echo(json, "top_p", "top_p"u8, 1.0);
        json.WriteString("truncation"u8, "disabled"u8);
        if (usage is { } u) WriteUsage(json, u, reasoningTokens);
        else json.WriteNull("usage"u8);
        Echo(json, "user", "user"u8, null);
        if (request.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            json.WritePropertyName("metadata"u8);
            metadata.WriteTo(json);
        }
        else
        {
            json.WriteStartObject("metadata"u8);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    /// <summary>The output items: the message (when there is text, or nothing else), then each function call.</summary>
    public void WriteItems(Utf8JsonWriter json, ResponseOutput output, string status)
    {
        if (output.Text.Length > 0 || output.Calls.Count == 0) WriteMessage(json, output.Text, status);
        foreach (var call in output.Calls) WriteCall(json, call, status);
    }

    public void WriteMessage(Utf8JsonWriter json, string? text, string status)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, MessageId);
        json.WriteString("type"u8, "message"u8);
        json.WriteString("status"u8, status);
        json.WriteString("role"u8, "assistant"u8);
        json.WriteStartArray("content"u8);
        if (text is not null) WriteTextPart(json, text);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteTextPart(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "output_text"u8);
        json.WriteString("text"u8, text);
        json.WriteStartArray("annotations"u8);
        json.WriteEndArray();
        json.WriteStartArray("logprobs"u8);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteCall(Utf8JsonWriter json, FunctionCallItem call, string status)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, call.ItemId);
        json.WriteString("type"u8, "function_call"u8);
        json.WriteString("status"u8, status);
        json.WriteString("call_id"u8, call.CallId);
        json.WriteString("name"u8, call.Name);
        json.WriteString("arguments"u8, call.Arguments);
        json.WriteEndObject();
    }

    static void WriteUsage(Utf8JsonWriter json, TokenUsage usage, long? reasoningTokens)
    {
        json.WriteStartObject("usage"u8);
        json.WriteNumber("input_tokens"u8, usage.PromptTokens);
        json.WriteStartObject("input_tokens_details"u8);
        json.WriteNumber("cached_tokens"u8, usage.CachedPromptTokens);
        json.WriteEndObject();
        json.WriteNumber("output_tokens"u8, usage.CompletionTokens);
        json.WriteStartObject("output_tokens_details"u8);
        json.WriteNumber("reasoning_tokens"u8, reasoningTokens ?? 0);
        json.WriteEndObject();
        json.WriteNumber("total_tokens"u8, usage.TotalTokens);
        json.WriteEndObject();
    }

    void Echo(Utf8JsonWriter json, string name, ReadOnlySpan<byte> property, object? otherwise)
    {
        if (request.ValueKind == JsonValueKind.Object && request.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            json.WritePropertyName(property);
            value.WriteTo(json);
            return;
        }
        switch (otherwise)
        {
            case null: json.WriteNull(property); break;
            case bool b: json.WriteBoolean(property, b); break;
            case double d: json.WriteNumber(property, d); break;
            case string s: json.WriteString(property, s); break;
        }
    }
}

/// <summary>Response ids: <c>resp_</c> and the gateway's request id, so a response leads to its record.</summary>
public static class ResponseIds
{
    public static string Response(Guid requestId) => "resp_" + requestId.ToString("N");

    public static bool TryParse(string? responseId, out Guid requestId)
    {
        requestId = default;
        return responseId is { Length: 37 } && responseId.StartsWith("resp_", StringComparison.Ordinal)
            && Guid.TryParseExact(responseId.AsSpan(5), "N", out requestId);
    }
}
