using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using MockProvider;

namespace Gateway.Tests.Faults;

/// <summary>Clients that hang up at any moment: every request still has exactly one record, and nothing fails.</summary>
[Collection(GatewayCollection.Name)]
public class ClientAbortTests(GatewayFixture gateway)
{
    [Fact]
    public async Task clients_hanging_up_around_the_moment_the_answer_is_written_leave_one_record_each_and_no_failure()
    {
        var key = await gateway.NewKeyAsync();
        var model = await gateway.NewModelAsync();
        gateway.SetBehavior(model, ModelBehavior.Normal with { LatencyMs = 100 });
        await using var node = KestrelNode.Start(gateway);
        const int Requests = 120;

        // Hang up 95–135 ms after sending: around the moment the 100 ms answer is recorded and written back.
        var ids = await Task.WhenAll(Enumerable.Range(0, Requests).Select(i => SendAndHangUpAsync(node.Port, key.Secret, model.PublicId, 95 + i % 41)));

        IReadOnlyList<Gateway.Domain.Requests.RequestCompleted> records = [];
        for (var i = 0; i < 100 && records.Count < Requests; i++)
        {
            await Task.Delay(100);
            records = await gateway.RequestsOfAsync(key.Id);
        }
        Assert.Equal(Requests, records.Count);
        Assert.Equal(Requests, records.Select(r => r.RequestId).Distinct().Count());
        Assert.Contains(records, r => r.Status == 499);
        var trouble = node.Logs.Lines.Where(l => l.Level >= LogLevel.Warning).Select(l => l.Text).ToList();
        Assert.True(trouble.Count == 0, string.Join("\n", trouble.Take(5)));
    }

    /// <summary>Sends a chat request over a raw socket and closes it after <paramref name="afterMs"/>, answered or not.</summary>
    static async Task<string?> SendAndHangUpAsync(int port, string key, string model, int afterMs)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", port);
        var body = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hello there"}]}""";
        var request = $"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        await Task.Delay(afterMs);
        socket.Client.LingerState = new LingerOption(true, 0); // a reset, as a client killed mid-request sends
        socket.Close();
        return null;
    }
}
