using System.Text.Json;

namespace Chaos;

/// <summary>What a client saw of one request, as the suite's criteria count it.</summary>
static class Outcome
{
    /// <summary>A 2xx whose body (or stream, up to its final event) arrived whole.</summary>
    public const string Ok = "ok";
    /// <summary>An error in the endpoint's shape, with <c>x-request-id</c>: a status, or an error event ending a stream.</summary>
    public const string Shaped = "shaped";
    /// <summary>An error status without the endpoint's shape or without <c>x-request-id</c>.</summary>
    public const string Unshaped = "unshaped";
    /// <summary>A response that began and then broke off without its final event or an error event.</summary>
    public const string Cut = "cut";
    /// <summary>No response at all: refused or reset before the status line.</summary>
    public const string Transport = "transport";
    /// <summary>The client itself gave up on purpose (the aborts scenario).</summary>
    public const string Aborted = "aborted";

    /// <summary>OpenAI: <c>{"error":{"message","type","param","code"}}</c>; Anthropic: <c>{"type":"error","error":{"type","message"}}</c>.</summary>
    public static bool IsErrorShape(string json, bool anthropic)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
                return false;
            var common = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                      && error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String;
            return anthropic
                ? common && root.TryGetProperty("type", out var rt) && rt.ValueKind == JsonValueKind.String && rt.GetString() == "error"
                : common && error.TryGetProperty("param", out _) && error.TryGetProperty("code", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
