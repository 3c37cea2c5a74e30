using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gateway.Tests;

/// <summary>Small helpers to build OpenAI requests and read SSE answers in tests.</summary>
public static class Chat
{
    public static object Request(string model, string content = "Hello there general Kenobi", bool stream = false, bool? includeUsage = null) =>
        includeUsage is null
            ? new { model, stream, messages = new[] { new { role = "user", content } } }
            : new { model, stream, stream_options = new { include_usage = includeUsage.Value }, messages = new[] { new { role = "user", content } } };

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, object body) => client.PostAsJsonAsync("/v1/chat/completions", body);

    public static Task<HttpResponseMessage> PostRawAsync(HttpClient client, string json, string path = "/v1/chat/completions") =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>The data payloads of an SSE body, in order ("[DONE]" included).</summary>
    public static async Task<List<string>> EventsAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n').Where(l => l.StartsWith("data: ")).Select(l => l["data: ".Length..]).ToList();
    }

    /// <summary>The text of an OpenAI chunk stream: every delta's content, in order.</summary>
    public static string StreamedText(string sse) => string.Concat(sse.Split('\n')
        .Where(l => l.StartsWith("data: {"))
        .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement)
        .SelectMany(c => c.GetProperty("choices").EnumerateArray())
        .Select(choice => choice.TryGetProperty("delta", out var d) && d.TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : ""));

    public static int Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
