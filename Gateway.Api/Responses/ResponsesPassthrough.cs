using System.Buffers;
using System.Text.Json;
using Gateway.Api.RequestPath.Wire;

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
    /// <remarks>One forward pass: each top-level value is copied as it came.</remarks>
    /// <exception cref="JsonException">Malformed JSON.</exception>
    public static void WriteBody(ReadOnlySpan<byte> body, string upstreamModel, JsonElement history, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("The request body is not a JSON object.");
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("store"u8) || reader.ValueTextEquals("previous_response_id"u8))
            {
                reader.Skip();
                continue;
            }
            var model = reader.ValueTextEquals("model"u8);
            var continued = history.ValueKind == JsonValueKind.Array && reader.ValueTextEquals("input"u8);
            if (reader.ValueIsEscaped) json.WritePropertyName(reader.GetString()!);
            else json.WritePropertyName(reader.ValueSpan);
            reader.Read();
            if (model)
            {
                json.WriteStringValue(upstreamModel);
                reader.Skip();
            }
            else if (continued) WriteContinuedInput(ref reader, body, history, json);
            else json.WriteRawValue(Raw(ref reader, body), skipInputValidation: true);
        }
        json.WriteBoolean("store"u8, false);
        json.WriteEndObject();
    }

    /// <summary>The stored conversation's items, then the request's own input: a string as a user message, an array's items as they came.</summary>
    static void WriteContinuedInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, JsonElement history, Utf8JsonWriter json)
    {
        json.WriteStartArray();
        ConversationItems.Write(json, history);
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) json.WriteRawValue(Raw(ref reader, body), skipInputValidation: true);
        }
        else
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "message"u8);
            json.WriteString("role"u8, "user"u8);
            json.WritePropertyName("content"u8);
            json.WriteRawValue(Raw(ref reader, body), skipInputValidation: true);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>The value the reader is on, as it came (an object or an array whole, the reader then on its end).</summary>
    static ReadOnlySpan<byte> Raw(ref Utf8JsonReader reader, ReadOnlySpan<byte> body)
    {
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            return body.Slice(start, reader.ValueSpan.Length + (reader.TokenType == JsonTokenType.String ? 2 : 0));
        reader.Skip();
        return body[start..(int)reader.BytesConsumed];
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
}
