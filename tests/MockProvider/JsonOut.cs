using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MockProvider;

/// <summary>Writes whole JSON responses through a per-thread reusable buffer so each gets an exact Content-Length without allocating.</summary>
internal static class JsonOut
{
    // OpenAI sends non-ASCII text unescaped; the relaxed encoder matches that and still escapes what JSON requires.
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const int MaxRetainedBytes = 1 << 20;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// <paramref name="write"/> runs synchronously and the bytes are copied into the response pipe before
    /// anything awaits, which is what makes the thread-static buffer safe to reuse.
    /// </summary>
    public static Task SendAsync<TState>(HttpContext ctx, int status, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, Options);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        try
        {
            write(writer, state);
            writer.Flush();

            var response = ctx.Response;
            response.StatusCode = status;
            response.ContentType = "application/json";
            response.ContentLength = buffer.WrittenCount;
            response.BodyWriter.Write(buffer.WrittenSpan);
        }
        finally
        {
            if (buffer.Capacity > MaxRetainedBytes)
            {
                t_buffer = null;
                t_writer = null;
            }
            else
            {
                writer.Reset(buffer);
                buffer.ResetWrittenCount();
            }
        }

        var flush = ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    /// <param name="cachedTokens">Part of <paramref name="promptTokens"/>, as OpenAI counts it; the details object only appears when non-zero.</param>
    public static void WriteUsage(Utf8JsonWriter w, int promptTokens, int completionTokens, int cachedTokens = 0)
    {
        w.WriteStartObject("usage"u8);
        w.WriteNumber("prompt_tokens"u8, promptTokens);
        w.WriteNumber("completion_tokens"u8, completionTokens);
        w.WriteNumber("total_tokens"u8, promptTokens + completionTokens);
        if (cachedTokens > 0)
        {
            w.WriteStartObject("prompt_tokens_details"u8);
            w.WriteNumber("cached_tokens"u8, cachedTokens);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    public static string NewId(string prefix) =>
        string.Create(prefix.Length + 24, prefix, static (span, p) =>
        {
            p.CopyTo(span);
            Random.Shared.GetItems("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", span[p.Length..]);
        });

    public static long UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
