using Gateway.Api.Audit;
using Marten;
using Marten.Events;
using Npgsql;

namespace Gateway.Tests.Audit;

/// <summary>The hash chain names the first event that was altered, in the store and in an export.</summary>
[Collection(GatewayCollection.Name)]
public class ChainTests(GatewayFixture gateway)
{
    EventChainStore Chain => new(gateway.ConnectionString, "gateway");

    /// <summary>Some traffic, then waits until the gateway's chain writer has linked every event committed so far.</summary>
    async Task<TestKey> LinkedTrafficAsync(int requests)
    {
        var key = await gateway.NewKeyAsync("chain");
        var model = await gateway.NewModelAsync();
        using var client = gateway.Client(key.Secret);
        for (var i = 0; i < requests; i++)
        {
            using var _ = await Chat.PostAsync(client, Chat.Request(model.PublicId, $"hello {i}"));
        }
        await gateway.ChainLinkedAsync();
        return key;
    }

    Task<T> ScalarAsync<T>(string sql, params object[] args) => gateway.ScalarAsync<T>(sql, args);

    [Fact]
    public async Task the_store_verifies_and_an_altered_event_is_named_then_verifies_again_once_restored()
    {
        var key = await LinkedTrafficAsync(3);
        var before = await Chain.VerifyAsync(default);
        Assert.True(before.Intact, before.FirstBreak?.Problem);
        Assert.True(before.Events > 3);

        var seq = await ScalarAsync<long>("select min(seq_id) from gateway.mt_events where type = 'request_completed' and data->>'keyId' = $1", key.Id.ToString());
        var original = await ScalarAsync<string>("select data::text from gateway.mt_events where seq_id = $1", seq);
        await ScalarAsync<int>("with u as (update gateway.mt_events set data = jsonb_set(data, '{cost}', '0') where seq_id = $1 returning 1) select count(*)::int from u", seq);
        try
        {
            var tampered = await Chain.VerifyAsync(default);
            Assert.False(tampered.Intact);
            Assert.Equal(seq, tampered.FirstBreak!.Seq);
            Assert.Equal("request_completed", tampered.FirstBreak.Type);
            Assert.StartsWith("altered", tampered.FirstBreak.Problem);
        }
        finally
        {
            await ScalarAsync<int>("with u as (update gateway.mt_events set data = $2::jsonb where seq_id = $1 returning 1) select count(*)::int from u", seq, original);
        }
        var restored = await Chain.VerifyAsync(default);
        Assert.True(restored.Intact, restored.FirstBreak?.Problem);
    }

    [Fact]
    public async Task an_export_verifies_offline_and_an_altered_or_removed_line_is_named()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        await LinkedTrafficAsync(4);
        var path = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.jsonl");
        var written = await AuditExport.WriteAsync(gateway.ConnectionString, "gateway", from, DateTimeOffset.UtcNow.AddMinutes(1), path, default);
        Assert.True(written >= 6, $"{written} events exported"); // the key, the model and the four requests at least

        var (intact, brokenAt) = await AuditExport.VerifyAsync(path, default);
        Assert.True(intact.Intact, $"line {brokenAt} of {written}: {intact.FirstBreak?.Problem} {(brokenAt is { } n ? File.ReadLines(path).ElementAt(n - 1) : "")}");
        Assert.Equal(written, intact.Events);

        var lines = await File.ReadAllLinesAsync(path);
        Assert.True(lines.Count(l => l.Contains("\"type\":\"request_completed\"", StringComparison.Ordinal)) >= 4);
        var victim = Array.FindIndex(lines, 0, lines.Length - 1, l => l.Contains("\"type\":\"request_completed\"", StringComparison.Ordinal) && l.Contains("\"cost\": ", StringComparison.Ordinal));
        Assert.True(victim >= 0, lines[0]);
        var altered = (string[])lines.Clone();
        altered[victim] = System.Text.RegularExpressions.Regex.Replace(altered[victim], "\"cost\": [0-9.]+", "\"cost\": 0.0");
        await File.WriteAllLinesAsync(path, altered);
        var (broken, line) = await AuditExport.VerifyAsync(path, default);
        Assert.False(broken.Intact);
        Assert.Equal(victim + 1, line);
        Assert.StartsWith("altered", broken.FirstBreak!.Problem);

        await File.WriteAllLinesAsync(path, lines.Where((_, i) => i != victim));
        var (gap, gapLine) = await AuditExport.VerifyAsync(path, default);
        Assert.False(gap.Intact);
        Assert.Equal(victim + 1, gapLine); // the line that now follows the removed one
        Assert.StartsWith("out of chain", gap.FirstBreak!.Problem);
        File.Delete(path);
    }
}
