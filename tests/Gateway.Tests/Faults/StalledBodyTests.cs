using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Faults;

/// <summary>A body that stalls or never ends is answered 408 in the endpoint's shape on a real socket (Kestrel's data rate).</summary>
[Collection(GatewayCollection.Name)]
public class StalledBodyTests(GatewayFixture gateway)
{
    [Theory]
    [InlineData("/v1/chat/completions", false)]
    [InlineData("/v1/chat/completions", true)]
    [InlineData("/v1/messages", false)]
    public async Task a_stalled_or_endless_body_gets_a_408_with_an_error_in_the_endpoints_shape(string path, bool chunked)
    {
        var key = await gateway.NewKeyAsync();
        // The gateway's own timeout well beyond Kestrel's minimum data rate (240 bytes/s after 5 s): Kestrel's fires first.
        await using var node = KestrelNode.Start(gateway, ("Gateway:RequestBodyTimeout", "00:00:30"));
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", node.Port);
        var stream = socket.GetStream();
        var start = """{"model":"x","messages":[{"role":"user","content":"hel""";
        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key.Secret}\r\nContent-Type: application/json\r\n" +
            (chunked ? $"Transfer-Encoding: chunked\r\n\r\n{start.Length:x}\r\n{start}\r\n" : $"Content-Length: 4000\r\n\r\n{start}");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head));

        var answer = await ReadAnswerAsync(stream, TimeSpan.FromSeconds(20));

        Assert.StartsWith("HTTP/1.1 408", answer);
        Assert.Contains("x-request-id:", answer, StringComparison.OrdinalIgnoreCase);
        if (path == "/v1/messages") Assert.Contains("\"type\":\"error\"", answer);
        else Assert.Contains("\"code\":\"request_timeout\"", answer);
        var record = Assert.Single(await gateway.RequestsOfAsync(key.Id));
        Assert.Equal(408, record.Status);
    }

    static async Task<string> ReadAnswerAsync(NetworkStream stream, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var text = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, timeout.Token);
                if (n == 0) break;
                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
                var all = text.ToString();
                var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (split > 0 && all.IndexOf('}', split) > 0 && all.TrimEnd().EndsWith('}')) break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException) { }
        return text.ToString();
    }
}
