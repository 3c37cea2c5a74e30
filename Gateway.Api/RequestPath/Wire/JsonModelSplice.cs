using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Gateway.Api.RequestPath.Wire;

/// <summary>
/// Passes a JSON body through byte for byte but for one string: the value of its <c>model</c> property at a given depth
/// (the upstream's model name in, the public one out). A body without one passes whole.
/// </summary>
public static class JsonModelSplice
{
    /// <param name="depth">1 for a top-level <c>model</c>; 2 for one inside the top-level object's objects (Anthropic's <c>message_start</c>).</param>
    /// <exception cref="JsonException">Malformed JSON.</exception>
    public static void Write(ReadOnlySpan<byte> json, int depth, string model, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth || !reader.ValueTextEquals("model"u8)) continue;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String) continue;
            var start = (int)reader.TokenStartIndex;
            var end = start + (reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length) + 2;
            output.Write(json[..start]);
            using (var w = new Utf8JsonWriter(output)) w.WriteStringValue(model);
            output.Write(json[end..]);
            return;
        }
        output.Write(json);
    }
}
