using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace MockProvider;

/// <summary>A <see cref="MockToolCall"/> encoded once, with its arguments cut into the pieces a stream sends.</summary>
internal sealed class ToolCallPlan
{
    /// <summary>Providers stream arguments in fragments; a few are enough for a client to have to reassemble them.</summary>
    public const int MaxPieces = 4;

    // Keyed by reference: a behavior keeps its call for life, so the plan is built once per configured call.
    private static readonly ConditionalWeakTable<MockToolCall, ToolCallPlan> Plans = new();

    public JsonEncodedText Name { get; }
    public JsonEncodedText Arguments { get; }
    /// <summary>The arguments re-serialized without whitespace, as Anthropic's input and Gemini's args objects arrive.</summary>
    public string CompactArguments { get; }
    public JsonEncodedText[] Pieces { get; }
    public int OutputTokens { get; }

    private ToolCallPlan(MockToolCall call)
    {
        Name = JsonEncodedText.Encode(call.Name, JsonOut.Options.Encoder);
        var compact = new ArrayBufferWriter<byte>();
        using (var doc = JsonDocument.Parse(call.Arguments))
        using (var w = new Utf8JsonWriter(compact, JsonOut.Options))
            doc.RootElement.WriteTo(w);
        CompactArguments = Encoding.UTF8.GetString(compact.WrittenSpan);
        Arguments = JsonEncodedText.Encode(call.Arguments, JsonOut.Options.Encoder);
        OutputTokens = Words.Count(call.Name) + Words.Count(call.Arguments);

        var text = call.Arguments;
        int count = Math.Clamp(text.Length, 1, MaxPieces);
        var pieces = new List<JsonEncodedText>(count);
        int start = 0;
        for (int k = 1; k <= count; k++)
        {
            int end = k == count ? text.Length : text.Length * k / count;
            // A surrogate pair split across pieces would be two invalid strings on the wire.
            if (end < text.Length && end > start && char.IsHighSurrogate(text[end - 1])) end++;
            if (end <= start) continue;
            pieces.Add(JsonEncodedText.Encode(text.AsSpan(start, end - start), JsonOut.Options.Encoder));
            start = end;
        }
        Pieces = [.. pieces];
    }

    public static ToolCallPlan For(MockToolCall call) => Plans.GetValue(call, static c => new ToolCallPlan(c));
}
