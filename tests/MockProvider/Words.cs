using System.Text;

namespace MockProvider;

/// <summary>
/// The mock's "tokenizer": a token is a whitespace-separated word, so tests can predict usage exactly.
/// Whitespace is <see cref="char.IsWhiteSpace(char)"/>, the same rule as <c>string.Split((char[]?)null)</c>.
/// </summary>
public static class Words
{
    public static int Count(string? text)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        int count = 0;
        bool inWord = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c)) inWord = false;
            else if (!inWord) { inWord = true; count++; }
        }
        return count;
    }

    public static int Count(ReadOnlySpan<byte> utf8)
    {
        int count = 0;
        bool inWord = false;
        int i = 0;
        while (i < utf8.Length)
        {
            byte b = utf8[i];
            bool white;
            if (b < 0x80)
            {
                white = b == (byte)' ' || (uint)(b - 9) <= 4;
                i++;
            }
            else
            {
                Rune.DecodeFromUtf8(utf8[i..], out var rune, out int used);
                white = Rune.IsWhiteSpace(rune);
                i += used;
            }
            if (white) inWord = false;
            else if (!inWord) { inWord = true; count++; }
        }
        return count;
    }
}
