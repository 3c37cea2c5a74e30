using System.Text.Json;

namespace Gateway.Api.RequestPath.Wire;

/// <summary>The <c>type</c> of an SSE event's JSON, for upstreams that send data lines without event names (Anthropic and OpenAI's Responses repeat the name there).</summary>
public static class EventType
{
    /// <returns>The unescaped type, or empty when the data has none.</returns>
    public static ReadOnlySpan<byte> Of(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return [];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isType = reader.ValueTextEquals("type"u8);
            if (!reader.Read()) break;
            if (isType && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped) return data.Slice((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            reader.Skip();
        }
        return [];
    }
}
