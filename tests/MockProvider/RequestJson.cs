using System.Buffers;
using System.Text.Json;

namespace MockProvider;

/// <summary>Utf8JsonReader helpers: request bodies are scanned once in place instead of deserialized into objects.</summary>
internal static class RequestJson
{
    public static void ExpectObject(ref Utf8JsonReader r)
    {
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            throw new InvalidRequestException("The request body must be a JSON object.", null);
    }

    /// <summary>Positions on the value of the current property and returns it as a string (null for JSON null).</summary>
    public static string? ReadString(ref Utf8JsonReader r, string param)
    {
        r.Read();
        return r.TokenType switch
        {
            JsonTokenType.String => r.GetString(),
            JsonTokenType.Null => null,
            _ => throw InvalidType(param, "a string"),
        };
    }

    public static bool ReadBool(ref Utf8JsonReader r, string param)
    {
        r.Read();
        return r.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False or JsonTokenType.Null => false,
            _ => throw InvalidType(param, "a boolean"),
        };
    }

    public static int? ReadInt(ref Utf8JsonReader r, string param)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int value)) return value;
        throw InvalidType(param, "an integer");
    }

    public static InvalidRequestException InvalidType(string param, string expected) =>
        new($"Invalid type for '{param}': expected {expected}.", param);

    /// <summary>Words in the current string token, unescaping only when the JSON actually has escapes.</summary>
    public static int CountWords(ref Utf8JsonReader r)
    {
        if (!r.ValueIsEscaped) return Words.Count(r.ValueSpan);
        int max = r.ValueSpan.Length;
        byte[]? rented = null;
        Span<byte> buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int written = r.CopyString(buffer);
            return Words.Count(buffer[..written]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>FNV-1a over the unescaped UTF-8 of the current string token.</summary>
    public static ulong HashString(ref Utf8JsonReader r)
    {
        if (!r.ValueIsEscaped) return Hash.Fnv1a(r.ValueSpan);
        int max = r.ValueSpan.Length;
        byte[]? rented = null;
        Span<byte> buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int written = r.CopyString(buffer);
            return Hash.Fnv1a(buffer[..written]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Cheap scan of the top-level properties for one string; never throws.</summary>
    public static string? TryReadTopLevelString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        try
        {
            var r = new Utf8JsonReader(json);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals(name))
                {
                    r.Read();
                    return r.TokenType == JsonTokenType.String ? r.GetString() : null;
                }
                r.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }

    /// <summary>Words in an array of content parts, positioned on its start: only parts carrying "text" count (image and
    /// audio parts have none, so their type need not be checked).</summary>
    public static int CountPartWords(ref Utf8JsonReader r)
    {
        int words = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); continue; }
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (!r.ValueTextEquals("text"u8)) { r.Skip(); continue; }
                r.Read();
                if (r.TokenType == JsonTokenType.String) words += CountWords(ref r);
                else r.Skip();
            }
        }
        return words;
    }
}
