using System.Text;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Responses;

/// <summary>
/// Writes a Responses <c>input</c> array as chat messages. An assistant's text and the function calls that follow it
/// become one assistant message with <c>tool_calls</c> (as chat models wrote them); each function call output becomes a
/// <c>tool</c> message; reasoning items are left out (only the model that wrote them could read them back).
/// </summary>
static class ResponsesInput
{
    /// <param name="lenient">Leave out what cannot be translated instead of refusing it (for a request a Responses upstream takes as it is).</param>
    public static void Write(Utf8JsonWriter json, JsonElement items, bool lenient = false)
    {
        var assistant = new PendingAssistant();
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var at = $"input[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw new TranslationException($"Invalid '{at}': expected an object.", at);
            var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case null or "message":
                    var role = Role(item, at);
                    if (role == "assistant")
                    {
                        assistant.Text.Append(AssistantText(item, at));
                        break;
                    }
                    assistant.Flush(json);
                    WriteMessage(json, item, role, at, lenient);
                    break;
                case "function_call":
                    assistant.Calls.Add((Required(item, "call_id", at), Required(item, "name", at), Required(item, "arguments", at)));
                    break;
                case "function_call_output":
                    assistant.Flush(json);
                    json.WriteStartObject();
                    json.WriteString("role"u8, "tool"u8);
                    json.WriteString("tool_call_id"u8, Required(item, "call_id", at));
                    json.WriteString("content"u8, OutputText(item, at));
                    json.WriteEndObject();
                    break;
                case "reasoning":
                    break;
                default:
                    if (lenient) break;
                    throw new TranslationException(
                        $"Input items of type '{type}' are served only by OpenAI's own Responses API; through the gateway's translation send messages, function calls and their outputs.",
                        $"{at}.type");
            }
        }
        assistant.Flush(json);
    }

    static string Role(JsonElement item, string at)
    {
        var role = item.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        return role switch
        {
            "user" or "assistant" or "system" => role,
            "developer" => "system",
            _ => throw new TranslationException($"Invalid '{at}.role': expected 'user', 'assistant', 'system' or 'developer'.", $"{at}.role"),
        };
    }

    static void WriteMessage(Utf8JsonWriter json, JsonElement item, string role, string at, bool lenient)
    {
        if (!item.TryGetProperty("content", out var content)) throw new TranslationException($"Missing required parameter: '{at}.content'.", $"{at}.content");
        json.WriteStartObject();
        json.WriteString("role"u8, role);
        if (content.ValueKind == JsonValueKind.String)
        {
            json.WritePropertyName("content"u8);
            content.WriteTo(json);
            CacheControl(json, item);
        }
        else if (content.ValueKind != JsonValueKind.Array) throw new TranslationException($"Invalid '{at}.content': expected a string or an array.", $"{at}.content");
        else if (role == "system") json.WriteString("content"u8, Joined(content, $"{at}.content"));
        else
        {
            json.WriteStartArray("content"u8);
            var j = 0;
            foreach (var part in content.EnumerateArray()) WritePart(json, part, $"{at}.content[{j++}]", lenient);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    static void WritePart(Utf8JsonWriter json, JsonElement part, string at, bool lenient)
    {
        var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "input_text" or "output_text" or "text":
                json.WriteStartObject();
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, Required(part, "text", at));
                CacheControl(json, part);
                json.WriteEndObject();
                break;
            case "input_image":
                if (!part.TryGetProperty("image_url", out var url) || url.ValueKind != JsonValueKind.String)
                {
                    if (lenient) break;
                    throw new TranslationException($"Through the gateway's translation an image is sent by 'image_url' (a URL or a data URL), not by file id.", $"{at}.image_url");
                }
                json.WriteStartObject();
                json.WriteString("type"u8, "image_url"u8);
                json.WriteStartObject("image_url"u8);
                json.WritePropertyName("url"u8);
                url.WriteTo(json);
                if (part.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                {
                    json.WritePropertyName("detail"u8);
                    detail.WriteTo(json);
                }
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            default:
                if (lenient) break;
                throw new TranslationException(
                    $"Content parts of type '{type}' are served only by OpenAI's own Responses API; through the gateway's translation send 'input_text' and 'input_image'.",
                    $"{at}.type");
        }
    }

    /// <summary>An Anthropic prompt-cache mark (the gateway's extension, docs/providers.md) passes on as it came.</summary>
    static void CacheControl(Utf8JsonWriter json, JsonElement owner)
    {
        if (!owner.TryGetProperty("cache_control", out var mark) || mark.ValueKind != JsonValueKind.Object) return;
        json.WritePropertyName("cache_control"u8);
        mark.WriteTo(json);
    }

    static string AssistantText(JsonElement item, string at)
    {
        if (!item.TryGetProperty("content", out var content)) return "";
        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!,
            JsonValueKind.Array => Joined(content, $"{at}.content"),
            _ => throw new TranslationException($"Invalid '{at}.content': expected a string or an array.", $"{at}.content"),
        };
    }

    /// <summary>The text parts of a content array, joined; refusals count as text.</summary>
    static string Joined(JsonElement parts, string at)
    {
        var text = new StringBuilder();
        var j = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var partAt = $"{at}[{j++}]";
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            text.Append(type switch
            {
                "input_text" or "output_text" or "text" => Required(part, "text", partAt),
                "refusal" => Required(part, "refusal", partAt),
                _ => throw new TranslationException($"Content parts of type '{type}' cannot be sent here through the gateway's translation.", $"{partAt}.type"),
            });
        }
        return text.ToString();
    }

    static string OutputText(JsonElement item, string at)
    {
        if (!item.TryGetProperty("output", out var output)) throw new TranslationException($"Missing required parameter: '{at}.output'.", $"{at}.output");
        return output.ValueKind switch
        {
            JsonValueKind.String => output.GetString()!,
            JsonValueKind.Array => Joined(output, $"{at}.output"),
            _ => throw new TranslationException($"Invalid '{at}.output': expected a string or an array.", $"{at}.output"),
        };
    }

    static string Required(JsonElement item, string name, string at) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new TranslationException($"Missing required parameter: '{at}.{name}'.", $"{at}.{name}");

    /// <summary>An assistant turn being gathered: its text and the function calls after it.</summary>
    sealed class PendingAssistant
    {
        public StringBuilder Text { get; } = new();
        public List<(string CallId, string Name, string Arguments)> Calls { get; } = [];

        public void Flush(Utf8JsonWriter json)
        {
            if (Text.Length == 0 && Calls.Count == 0) return;
            json.WriteStartObject();
            json.WriteString("role"u8, "assistant"u8);
            if (Text.Length > 0 || Calls.Count == 0) json.WriteString("content"u8, Text.ToString());
            else json.WriteNull("content"u8);
            if (Calls.Count > 0)
            {
                json.WriteStartArray("tool_calls"u8);
                foreach (var (callId, name, arguments) in Calls)
                {
                    json.WriteStartObject();
                    json.WriteString("id"u8, callId);
                    json.WriteString("type"u8, "function"u8);
                    json.WriteStartObject("function"u8);
                    json.WriteString("name"u8, name);
                    json.WriteString("arguments"u8, arguments);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            Text.Clear();
            Calls.Clear();
        }
    }
}
