using System.Text.Json;

namespace Gateway.Api.OpenAi;

/// <summary>Errors on /v1 leave in OpenAI's shape: {"error":{"message","type","param","code"}}, the type one of <see cref="Domain.Requests.ErrorTypes"/>.</summary>
public static class OpenAiError
{
    /// <summary>API JSON, not HTML: quotes and angle brackets in messages stay readable.</summary>
    static readonly JsonWriterOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext ctx, int status, string message, string type, string? code, string? param = null)
    {
        var response = ctx.Response;
        if (response.HasStarted) return;
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(Serialize(message, type, code, param), ctx.RequestAborted);
    }

    public static byte[] Serialize(string message, string type, string? code, string? param = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, RelaxedJson))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            if (param is null) w.WriteNull("param"); else w.WriteString("param", param);
            if (code is null) w.WriteNull("code"); else w.WriteString("code", code);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
