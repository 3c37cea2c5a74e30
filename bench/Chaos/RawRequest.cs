using System.Text;

namespace Chaos;

/// <summary>HTTP/1.1 requests as bytes, so a hostile case can carry what no HTTP client would send.</summary>
static class RawRequest
{
    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Strings (as UTF-8) and byte arrays, concatenated: how a body with invalid bytes is written.</summary>
    public static byte[] Concat(params object[] parts)
    {
        var buffer = new MemoryStream();
        foreach (var p in parts)
        {
            var bytes = p switch { byte[] b => b, string s => Utf8(s), _ => throw new ArgumentException(p.GetType().Name) };
            buffer.Write(bytes);
        }
        return buffer.ToArray();
    }

    /// <param name="headers">Raw header lines (<c>Name: value</c>) as bytes or strings; Host and Connection are added.</param>
    /// <param name="contentLength">Content-Length to declare: null = the body's length, -1 = none.</param>
    public static byte[] Build(string method, string target, IEnumerable<object> headers, byte[]? body = null, long? contentLength = null)
    {
        var parts = new List<object> { $"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" };
        foreach (var h in headers) { parts.Add(h); parts.Add("\r\n"); }
        var length = contentLength ?? body?.Length ?? 0;
        if (length >= 0 && (body is not null || contentLength is not null)) parts.Add($"Content-Length: {length}\r\n");
        parts.Add("\r\n");
        if (body is not null) parts.Add(body);
        return Concat([.. parts]);
    }
}
