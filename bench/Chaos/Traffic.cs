using System.Net;
using System.Text;

namespace Chaos;

/// <summary>One request of a given kind against the gateway, read to its end and classified (see <see cref="Outcome"/>).</summary>
sealed class Traffic(HttpClient http, string gateway, string key, string model, string canary, string? providerKey = null)
{
    public static readonly string[] AllKinds = ["chat", "chat-stream", "embeddings", "messages", "messages-stream"];

    public sealed record Result(string RequestId, int Status, string Kind, string Outcome, int MaxTokens);

    public static HttpClient NewClient(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        AutomaticDecompression = DecompressionMethods.None,
        // A killed gateway leaves dead pooled connections behind; do not keep them long.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    /// <param name="abortAfter">When set, the client gives up after this long (the response is then <see cref="Outcome.Aborted"/>).</param>
    public async Task<Result> SendAsync(string kind, long n, int maxTokens, TimeSpan timeout, TimeSpan? abortAfter = null)
    {
        var anthropic = kind.StartsWith("messages", StringComparison.Ordinal);
        var stream = kind.EndsWith("-stream", StringComparison.Ordinal);
        using var request = Build(kind, n, maxTokens, stream);
        using var cts = new CancellationTokenSource(abortAfter is { } a && a < timeout ? a : timeout);
        var aborting = abortAfter is { } ab && ab < timeout;
        string id = "-";
        int status = 0;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            status = (int)response.StatusCode;
            if (response.Headers.TryGetValues("x-request-id", out var ids)) id = ids.FirstOrDefault() is { Length: > 0 } v ? v : "-";
            var body = response.Content.ReadAsStream(cts.Token);
            if (status >= 300)
            {
                var text = await new StreamReader(body).ReadToEndAsync(cts.Token);
                var shaped = id != "-" && Outcome.IsErrorShape(text, anthropic);
                return new(id, status, kind, shaped ? Outcome.Shaped : Outcome.Unshaped, maxTokens);
            }
            if (!stream)
            {
                var text = await new StreamReader(body).ReadToEndAsync(cts.Token);
                // A whole JSON answer: chat and messages carry their text, embeddings their vectors.
                var whole = text.TrimEnd().EndsWith('}') && (text.Contains("\"choices\"") || text.Contains("\"content\"") || text.Contains("\"embedding\""));
                return new(id, status, kind, whole ? Outcome.Ok : Outcome.Cut, maxTokens);
            }
            return new(id, status, kind, await ReadStreamAsync(body, anthropic, id, cts.Token), maxTokens);
        }
        catch (Exception) when (aborting && cts.IsCancellationRequested)
        {
            return new(id, status, kind, Outcome.Aborted, maxTokens);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return new(id, status, kind, status == 0 ? Outcome.Transport : Outcome.Cut, maxTokens);
        }
    }

    static async Task<string> ReadStreamAsync(Stream body, bool anthropic, string id, CancellationToken ct)
    {
        using var reader = new StreamReader(body);
        var errorEvent = false;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (anthropic)
            {
                if (line.StartsWith("event: message_stop", StringComparison.Ordinal)) return Outcome.Ok;
                if (line.StartsWith("event: error", StringComparison.Ordinal)) errorEvent = true;
                else if (errorEvent && line.StartsWith("data:", StringComparison.Ordinal))
                    return id != "-" && Outcome.IsErrorShape(line[5..].Trim(), anthropic: true) ? Outcome.Shaped : Outcome.Unshaped;
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var data = line[5..].Trim();
                if (data == "[DONE]") return Outcome.Ok;
                if (data.StartsWith("{\"error\"", StringComparison.Ordinal))
                    return id != "-" && Outcome.IsErrorShape(data, anthropic: false) ? Outcome.Shaped : Outcome.Unshaped;
            }
        }
        return Outcome.Cut;
    }

    HttpRequestMessage Build(string kind, long n, int maxTokens, bool stream)
    {
        // The canary rides in every prompt, so the secrets scenario can look for it wherever it must not be.
        var prompt = $"{canary} request {n}: summarise the benefits of an AI gateway in one sentence please";
        var (path, json) = kind switch
        {
            "embeddings" => ("/v1/embeddings", $$"""{"model":"{{model}}","input":"{{prompt}}"}"""),
            "messages" or "messages-stream" => ("/v1/messages",
                $$"""{"model":"{{model}}","max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{prompt}}"}]}"""),
            _ => ("/v1/chat/completions",
                $$"""{"model":"{{model}}","max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}},{{(stream ? "\"stream_options\":{\"include_usage\":true}," : "")}}"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"{{prompt}}"}]}"""),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, gateway + path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (path == "/v1/messages")
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
            request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        }
        else request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        if (providerKey is not null) request.Headers.TryAddWithoutValidation("X-Provider-Api-Key", providerKey);
        return request;
    }
}
