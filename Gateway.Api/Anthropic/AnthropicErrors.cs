using System.Buffers;
using System.Text.Json;

namespace Gateway.Api.Anthropic;

/// <summary>Errors in Anthropic's shape: <c>{"type":"error","error":{"type","message"}}</c>.</summary>
public static class AnthropicErrors
{
    public static string TypeFor(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        >= 500 => "api_error",
        // Anthropic uses invalid_request_error for the 4xx codes it does not name.
        _ => "invalid_request_error",
    };

    public static byte[] Serialize(int status, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + message.Length);
        using (var json = new Utf8JsonWriter(buffer)) Write(json, status, message);
        return buffer.WrittenSpan.ToArray();
    }

    internal static void Write(Utf8JsonWriter json, int status, string message)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "error"u8);
        json.WriteStartObject("error"u8);
        json.WriteString("type"u8, TypeFor(status));
        json.WriteString("message"u8, message);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
