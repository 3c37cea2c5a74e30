using System.Buffers.Text;

namespace Gateway.Api.RequestPath.Admission;

/// <summary>
/// A request body's text must be something every provider accepts before anything reads it: valid UTF-8, and no
/// lone UTF-16 surrogate in a <c>\u</c> escape (<c>"\ud800"</c>), which .NET's JSON reader cannot turn into a
/// string and providers refuse. One pass over the body; the common body has few backslashes.
/// </summary>
public static class BodyText
{
    /// <returns>Null when the text is fine; else what is wrong, for a 400 (never quoting the text itself).</returns>
    public static string? Problem(ReadOnlySpan<byte> body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body)) return $"The request body is not valid UTF-8 (at byte {FirstInvalidByte(body)}).";
        var offset = 0;
        var rest = body;
        while (true)
        {
            var slash = rest.IndexOf((byte)'\\');
            if (slash < 0 || slash + 1 >= rest.Length) return null;
            var escape = rest[slash + 1];
            if (escape != (byte)'u')
            {
                // \\, \" and the others: skip the escaped character so "\\u" is not read as an escape.
                offset += slash + 2;
                rest = rest[(slash + 2)..];
                continue;
            }
            if (!TryHex(rest[(slash + 2)..], out var unit)) return null; // not an escape the JSON parser accepts: it will say so
            var at = offset + slash;
            // PostgreSQL's text and jsonb cannot hold NUL: a request naming it could not be recorded as it was asked.
            if (unit == 0) return $"The request body contains a NUL character escape (\\u0000 at byte {at}); text may not contain NUL.";
            if (char.IsLowSurrogate((char)unit)) return LoneSurrogate(at, unit);
            var next = slash + 6;
            if (char.IsHighSurrogate((char)unit))
            {
                if (next + 1 >= rest.Length || rest[next] != (byte)'\\' || rest[next + 1] != (byte)'u'
                    || !TryHex(rest[(next + 2)..], out var low) || !char.IsLowSurrogate((char)low))
                    return LoneSurrogate(at, unit);
                next += 6;
            }
            offset += next;
            rest = rest[next..];
        }
    }

    static string LoneSurrogate(int at, int unit) =>
        $"The request body contains a lone UTF-16 surrogate escape (\\u{unit:x4} at byte {at}); text must be valid Unicode.";

    static bool TryHex(ReadOnlySpan<byte> span, out int value)
    {
        value = 0;
        if (span.Length < 4 || !Utf8Parser.TryParse(span[..4], out ushort unit, out var consumed, 'x') || consumed != 4) return false;
        value = unit;
        return true;
    }

    static int FirstInvalidByte(ReadOnlySpan<byte> body)
    {
        System.Text.Unicode.Utf8.ToUtf16(body, new char[body.Length], out var read, out _, replaceInvalidSequences: false);
        return read;
    }
}
