using System.Collections.Concurrent;
using System.Text.Json;

namespace MockProvider;

/// <summary>
/// A reply split into stream segments, encoded once and cached per (reply template, model) so the hot path
/// neither formats nor escapes text. Segment i is the whitespace before word i plus the word; the last
/// segment also keeps any trailing whitespace, so the segments concatenate to the reply exactly.
/// </summary>
internal sealed class ReplyPlan
{
    public const string DefaultTemplate = "This is a mock reply from {model}.";

    private const int MaxCached = 4096;
    private static readonly ConcurrentDictionary<(string Template, string Model), ReplyPlan> Cache = new();
    private static int s_cached;

    public string Text { get; }
    public JsonEncodedText EncodedText { get; }
    public int WordCount => _wordEnds.Length;
    public JsonEncodedText[] Segments { get; }

    private readonly int[] _wordEnds;

    private ReplyPlan(string text)
    {
        Text = text;
        EncodedText = JsonEncodedText.Encode(text, JsonOut.Options.Encoder);

        var ends = new List<int>();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            bool white = char.IsWhiteSpace(text[i]);
            if (inWord && white) ends.Add(i);
            inWord = !white;
        }
        if (inWord) ends.Add(text.Length);
        _wordEnds = [.. ends];

        if (_wordEnds.Length == 0)
        {
            Segments = text.Length == 0 ? [] : [EncodedText];
            return;
        }
        Segments = new JsonEncodedText[_wordEnds.Length];
        int start = 0;
        for (int k = 0; k < _wordEnds.Length; k++)
        {
            int end = k == _wordEnds.Length - 1 ? text.Length : _wordEnds[k];
            Segments[k] = JsonEncodedText.Encode(text.AsSpan(start, end - start), JsonOut.Options.Encoder);
            start = end;
        }
    }

    /// <summary>The reply cut after its first <paramref name="words"/> words (for max_tokens).</summary>
    public string Truncated(int words) => words <= 0 ? "" : Text[.._wordEnds[words - 1]];

    public static ReplyPlan For(string? template, string model)
    {
        var key = (template ?? DefaultTemplate, model);
        if (Cache.TryGetValue(key, out var plan)) return plan;

        // A crude bound: tests with endless distinct model names must not grow memory forever.
        if (Interlocked.Increment(ref s_cached) > MaxCached)
        {
            Cache.Clear();
            Interlocked.Exchange(ref s_cached, 0);
        }
        plan = new ReplyPlan(key.Item1.Replace("{model}", model, StringComparison.Ordinal));
        Cache.TryAdd(key, plan);
        return plan;
    }
}
