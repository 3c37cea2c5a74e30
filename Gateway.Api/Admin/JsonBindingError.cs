using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Gateway.Api.Admin;

/// <summary>
/// Words a JSON value that does not fit its field for the people who sent it: the field's JSON path (as they wrote
/// it) and the kind of JSON value it takes, found by walking the request type along the serializer's error path.
/// </summary>
public static partial class JsonBindingError
{
    /// <summary>The field as a user names it, e.g. <c>thresholds[0]</c> or <c>policy.maxAttempts</c>; null for the whole body.</summary>
    public static string? Field(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return null;
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length == 0 ? null : field;
    }

    /// <summary>What the value at <paramref name="path"/> must be, e.g. "a whole number" or "a JSON object".</summary>
    public static string Expected(Type root, string? path)
    {
        var type = root;
        foreach (Match segment in Segments().Matches(path ?? ""))
        {
            if (segment.Groups["index"].Success) type = ElementType(type);
            else type = MemberType(type, segment.Groups["name"].Success ? segment.Groups["name"].Value : segment.Groups["quoted"].Value);
            if (type is null) return "a value of another kind (see the API reference)";
        }
        return Describe(type);
    }

    /// <summary>The kind of value a field of this type takes, in words for the people who send it.</summary>
    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
            || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort)) return "a whole number (within range)";
        if (type == typeof(decimal) || type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(Guid)) return "an id: a UUID string such as \"0192f1de-7c1a-7b3e-9a55-3f1c2b7d9e01\"";
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return "an ISO 8601 date and time string such as \"2026-11-28T10:00:00Z\"";
        if (type == typeof(TimeSpan)) return "a duration string such as \"00:05:00\"";
        if (type.IsEnum) return $"one of: {string.Join(", ", Enum.GetNames(type))}";
        if (ElementType(type) is not null) return "a JSON array";
        return "a JSON object";
    }

    static Type? ElementType(Type type)
    {
        if (type == typeof(string)) return null;
        if (type.IsArray) return type.GetElementType();
        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    static Type? MemberType(Type type, string jsonName)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p =>
            string.Equals(p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name, jsonName, StringComparison.OrdinalIgnoreCase));
        return property?.PropertyType;
    }

    // .name, ['quoted name'] or [3], as System.Text.Json writes a path.
    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>(?:[^']|'')*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex Segments();
}
