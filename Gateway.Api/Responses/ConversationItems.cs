using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.Responses;

/// <summary>
/// A stored conversation (chat messages, the form every provider can continue from) written back as Responses input
/// items, for an upstream that serves the Responses API itself: the gateway sends the whole conversation, since the
/// upstream never kept it (the gateway calls it with <c>store:false</c>) and it may have begun at another provider.
/// </summary>
public static class ConversationItems
{
    public static void Write(Utf8JsonWriter json, JsonElement messages)
    {
        foreach (var message in messages.EnumerateArray())
        {
            var role = message.StringOf("role") ?? "user";
            if (role == "tool")
            {
                json.WriteStartObject();
                json.WriteString("type"u8, "function_call_output"u8);
                json.WriteString("call_id"u8, message.StringOf("tool_call_id") ?? "");
                json.WriteString("output"u8, Joined(message));
                json.WriteEndObject();
                continue;
            }
            if (role == "assistant")
            {
                var text = Joined(message);
                if (text.Length > 0) Message(json, role, text);
                if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                    foreach (var call in calls.EnumerateArray())
                    {
                        var function = call.TryGetProperty("function", out var f) ? f : default;
                        json.WriteStartObject();
                        json.WriteString("type"u8, "function_call"u8);
                        json.WriteString("call_id"u8, call.StringOf("id") ?? "");
                        json.WriteString("name"u8, function.StringOf("name") ?? "");
                        json.WriteString("arguments"u8, function.StringOf("arguments") ?? "");
                        json.WriteEndObject();
                    }
                continue;
            }
            if (!message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
            {
                Message(json, role, Joined(message));
                continue;
            }
            json.WriteStartObject();
            json.WriteString("type"u8, "message"u8);
            json.WriteString("role"u8, role);
            json.WriteStartArray("content"u8);
            foreach (var part in content.EnumerateArray()) WritePart(json, part);
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    static void Message(Utf8JsonWriter json, string role, string text)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, role);
        json.WriteString("content"u8, text);
        json.WriteEndObject();
    }

    static void WritePart(Utf8JsonWriter json, JsonElement part)
    {
        switch (part.StringOf("type"))
        {
            case "text":
                json.WriteStartObject();
                json.WriteString("type"u8, "input_text"u8);
                json.WriteString("text"u8, part.StringOf("text") ?? "");
                json.WriteEndObject();
                break;
            case "image_url":
                var image = part.TryGetProperty("image_url", out var i) ? i : default;
                json.WriteStartObject();
                json.WriteString("type"u8, "input_image"u8);
                json.WriteString("image_url"u8, image.ValueKind == JsonValueKind.String ? image.GetString() : image.StringOf("url") ?? "");
                json.WriteString("detail"u8, image.StringOf("detail") ?? "auto");
                json.WriteEndObject();
                break;
        }
    }

    /// <summary>A message's text: its string content, or its text parts joined.</summary>
    static string Joined(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content)) return "";
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) return "";
        var text = new System.Text.StringBuilder();
        foreach (var part in content.EnumerateArray())
            if (part.StringOf("type") == "text") text.Append(part.StringOf("text"));
        return text.ToString();
    }
}
