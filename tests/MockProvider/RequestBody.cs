using System.Buffers;

namespace MockProvider;

internal static class RequestBody
{
    /// <summary>Reads the whole body into one exactly-sized array (the request log keeps it, so it cannot be pooled).</summary>
    public static async ValueTask<byte[]> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            if (result.IsCompleted || result.IsCanceled)
            {
                var bytes = buffer.IsEmpty ? [] : buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return bytes;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
