using System.Buffers;
using System.Text.Json;

namespace Gateway.Api.Responses;

/// <summary>
/// A Responses request passed to an upstream that serves the Responses API itself, and its answer passed back. The body
/// goes as the client wrote it (built-in tools, files, reasoning options, fields the gateway does not know) but for
/// three things the gateway owns: the model is the upstream's name, <c>store</c> is false (the gateway keeps the
/// conversation, so it can move between providers), and a <c>previous_response_id</c> becomes the stored conversation's
/// items ahead of the request's own input. The answer comes back under the gateway's response id and public model name.
/// </summary>
public static class ResponsesPassthrough
{
    /// <param name="history">The stored conversation's chat messages (a JSON array); default when not continuing one.</param>
    /// <exception cref="JsonException">Malformed JSON.</exception>
    public static void WriteBody(ReadOnlySpan<byte> body, string upstreamModel, JsonElement history, IBufferWriter<byte> output)
    {
        if (history.ValueKind != JsonValueKind.Array && TryCopy(body, upstreamModel, output)) return;
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.NameEquals("model"u8)) json.WriteString("model"u8, upstreamModel);
            else if (property.NameEquals("store"u8) || property.NameEquals("previous_response_id"u8)) continue;
            else if (property.NameEquals("input"u8) && history.ValueKind == JsonValueKind.Array)
            {
                json.WriteStartArray("input"u8);
                ConversationItems.Write(json, history);
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    json.WriteStartObject();
                    json.WriteString("type"u8, "message"u8);
                    json.WriteString("role"u8, "user"u8);
                    json.WritePropertyName("content"u8);
                    property.Value.WriteTo(json);
                    json.WriteEndObject();
                }
                else foreach (var item in property.Value.EnumerateArray()) item.WriteTo(json);
                json.WriteEndArray();
            }
            else property.WriteTo(json);
        }
        json.WriteBoolean("store"u8, false);
        json.WriteEndObject();
    }

    /// <summary>
    /// The body without a conversation to put in front (the common case: agents that send their whole input each time):
    /// one forward pass, each top-level value copied as it came.
    /// </summary>
    static bool TryCopy(ReadOnlySpan<byte> body, string upstreamModel, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var model = reader.ValueTextEquals("model"u8);
            var dropped = reader.ValueTextEquals("store"u8) || reader.ValueTextEquals("previous_response_id"u8);
            if (dropped) { reader.Skip(); continue; }
            if (reader.ValueIsEscaped) json.WritePropertyName(reader.GetString()!);
            else json.WritePropertyName(reader.ValueSpan);
            reader.Read();
            if (model)
            {
                json.WriteStringValue(upstreamModel);
                reader.Skip();
                continue;
            }
            var start = (int)reader.TokenStartIndex;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            var end = reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray
                ? (int)reader.BytesConsumed
                : start + reader.ValueSpan.Length + (reader.TokenType == JsonTokenType.String ? 2 : 0);
            json.WriteRawValue(body[start..end], skipInputValidation: true);
        }
        json.WriteBoolean("store"u8, false);
        json.WriteEndObject();
        return true;
    }

    /// <summary>
    /// Writes a response object (the answer, or the <c>response</c> of a lifecycle event at <paramref name="depth"/> 2)
    /// byte for byte but for its <c>id</c>, <c>model</c>, <c>store</c> and <c>previous_response_id</c>, which become the
    /// gateway's own.
    /// </summary>
    /// <exception cref="JsonException">Malformed JSON.</exception>
    public static void Splice(ReadOnlySpan<byte> json, int depth, string id, string publicModel, bool store, string? previousId, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(json);
        var written = 0;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth) continue;
            var field = reader.ValueTextEquals("id"u8) ? 1 : reader.ValueTextEquals("model"u8) ? 2 : reader.ValueTextEquals("store"u8) ? 3
                : reader.ValueTextEquals("previous_response_id"u8) ? 4 : 0;
            if (!reader.Read() || field == 0) continue;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }
            var start = (int)reader.TokenStartIndex;
            var end = start + reader.ValueSpan.Length + (reader.TokenType == JsonTokenType.String ? 2 : 0);
            output.Write(json[written..start]);
            using (var w = new Utf8JsonWriter(output))
            {
                switch (field)
                {
                    case 1: w.WriteStringValue(id); break;
                    case 2: w.WriteStringValue(publicModel); break;
                    case 3: w.WriteBooleanValue(store); break;
                    default:
                        if (previousId is null) w.WriteNullValue();
                        else w.WriteStringValue(previousId);
                        break;
                }
            }
            written = end;
        }
        output.Write(json[written..]);
    }

    /// <summary>What a response object answered, as the stored conversation keeps it: text, function calls, why it stopped.</summary>
    public static ResponseOutput OutputOf(JsonElement response)
    {
        var output = new ResponseOutput();
        var text = new System.Text.StringBuilder();
        if (response.TryGetProperty("output"u8, out var items) && items.ValueKind == JsonValueKind.Array)
            foreach (var item in items.EnumerateArray())
            {
                var type = Text(item, "type"u8);
                if (type == "function_call")
                    output.Calls.Add(new FunctionCallItem(Text(item, "id"u8) ?? "", Text(item, "call_id"u8) ?? "", Text(item, "name"u8) ?? "", Text(item, "arguments"u8) ?? ""));
                else if (type == "message" && item.TryGetProperty("content"u8, out var content) && content.ValueKind == JsonValueKind.Array)
                    foreach (var part in content.EnumerateArray())
                        if (Text(part, "type"u8) == "output_text") text.Append(Text(part, "text"u8));
            }
        output.Text = text.ToString();
        if (Text(response, "status"u8) == "incomplete")
            output.IncompleteReason = response.TryGetProperty("incomplete_details"u8, out var details) ? Text(details, "reason"u8) ?? "max_output_tokens" : "max_output_tokens";
        return output;
    }

    static string? Text(JsonElement o, ReadOnlySpan<byte> name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
