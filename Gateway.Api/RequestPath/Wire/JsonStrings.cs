using System.Text.Json;

namespace Gateway.Api.RequestPath.Wire;

/// <summary>Reading a string property of a JSON object that may not be there, or not be a string.</summary>
public static class JsonStrings
{
    /// <returns>Null when the element is not an object, or the property is missing or not a string.</returns>
    public static string? StringOf(this JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <inheritdoc cref="StringOf(JsonElement, ReadOnlySpan{byte})"/>
    public static string? StringOf(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
