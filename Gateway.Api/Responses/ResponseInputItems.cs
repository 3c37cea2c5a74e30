using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Gateway.Api.Responses;

/// <summary>
/// A request's input as the items <c>GET /v1/responses/{id}/input_items</c> lists: each with its <c>id</c> and
/// <c>type</c>, a message's string content as one text part (what OpenAI's service hands back).
/// </summary>
public static class ResponseInputItems
{
    public static string Of(JsonElement request, Guid requestId)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            var input = request.TryGetProperty("input", out var i) ? i : default;
            if (input.ValueKind == JsonValueKind.String) WriteMessage(json, Id(requestId, 0), "user", input, default);
            else if (input.ValueKind == JsonValueKind.Array)
            {
                var n = 0;
                foreach (var item in input.EnumerateArray())
                {
                    var id = item.TryGetProperty("id", out var given) && given.ValueKind == JsonValueKind.String ? given.GetString()! : Id(requestId, n);
                    n++;
                    var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "message";
                    if (type == "message")
                        WriteMessage(json, id, item.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String ? role.GetString()! : "user",
                            item.TryGetProperty("content", out var content) ? content : default, item);
                    else
                    {
                        json.WriteStartObject();
                        json.WriteString("id"u8, id);
                        foreach (var property in item.EnumerateObject())
                            if (!property.NameEquals("id"u8)) property.WriteTo(json);
                        json.WriteEndObject();
                    }
                }
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    static string Id(Guid requestId, int index) => $"msg_{requestId:N}_in{index}";

    static void WriteMessage(Utf8JsonWriter json, string id, string role, JsonElement content, JsonElement item)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, role);
        json.WriteString("status"u8, "completed"u8);
        json.WritePropertyName("content"u8);
        if (content.ValueKind == JsonValueKind.String)
        {
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("type"u8, role == "assistant" ? "output_text"u8 : "input_text"u8);
            json.WriteString("text"u8, content.GetString());
            json.WriteEndObject();
            json.WriteEndArray();
        }
        else if (content.ValueKind == JsonValueKind.Array) content.WriteTo(json);
        else
        {
            json.WriteStartArray();
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }
}
