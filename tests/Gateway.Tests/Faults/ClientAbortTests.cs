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
        // Commits of this key's records take 50 ms more each, so many clients hang up while theirs is in flight: the answer is
        // then written to a client that has gone, after its record was made.
        // On the hot partition new rows go to: DDL on the partitioned parent locks every partition, and deadlocks with
        // the recorder's inserts (which lock the parent, then the partition).
        var hot = await gateway.ScalarAsync<string>("""
            select coalesce((select c.oid::regclass::text from pg_inherits i join pg_class c on c.oid = i.inhrelid
                             where i.inhparent = 'gateway.mt_events'::regclass and c.relname not like '%archived%'), 'gateway.mt_events')
            """);
        await gateway.ExecuteAsync($"""
            create or replace function gateway.slow_commit() returns trigger language plpgsql as $$
            begin
              if new.data->>'keyId' = '{key.Id}' then perform pg_sleep(0.05); end if;
              return new;
            end $$;
            drop trigger if exists slow_commit on {hot};
            create trigger slow_commit before insert on {hot} for each row execute function gateway.slow_commit();
            """);
        try
        {
            using (var warm = node.Client(key.Secret)) (await Chat.PostAsync(warm, Chat.Request(model.PublicId))).EnsureSuccessStatusCode();
            // Waves of 12, hanging up 60–390 ms after sending: before the 100 ms answer, while its record is committed,
            // and after it was written.
            for (var wave = 0; wave < Requests / 12; wave++)
                await Task.WhenAll(Enumerable.Range(0, 12).Select(i => SendAndHangUpAsync(node.Port, key.Secret, model.PublicId, 60 + i * 30)));
        }
        finally
        {
            await gateway.ExecuteAsync($"drop trigger if exists slow_commit on {hot}");
        }

        IReadOnlyList<Gateway.Domain.Requests.RequestCompleted> records = [];
        for (var i = 0; i < 100 && records.Count < Requests + 1; i++)
        {
            await Task.Delay(100);
            records = await gateway.RequestsOfAsync(key.Id);
        }
        Assert.Equal(Requests + 1, records.Count);
        Assert.Equal(Requests + 1, records.Select(r => r.RequestId).Distinct().Count());
        Assert.Contains(records, r => r.Status == 499);
        Assert.Contains(records, r => r.Status == 200);
        // The gateway's own warnings (a refused batch, a record that could not be made) and unhandled exceptions.
        var trouble = node.Logs.Lines.Where(l => l.Level >= LogLevel.Warning
                && (l.Category.StartsWith("Gateway.", StringComparison.Ordinal) || l.Category == "Marten" || l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)))
            .Select(l => $"{l.Level} {l.Category}: {l.Text}").ToList();
        Assert.True(trouble.Count == 0, string.Join("\n", trouble.Take(5)));
    }

    /// <summary>Sends a chat request over a raw socket and closes it after <paramref name="afterMs"/>, answered or not.</summary>
    static async Task SendAndHangUpAsync(int port, string key, string model, int afterMs)
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
    }
}
