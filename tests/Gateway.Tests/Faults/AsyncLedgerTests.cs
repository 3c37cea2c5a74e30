using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Faults;

/// <summary>
/// <c>Gateway:Ledger=async</c>: a response completes without waiting for its record's commit, records are committed a
/// window later in one group, and a graceful stop commits every record still in memory — nothing is lost.
/// </summary>
[Collection(GatewayCollection.Name)]
public class AsyncLedgerTests(GatewayFixture gateway)
{
    [Fact]
    public async Task responses_do_not_wait_for_the_commit_and_a_graceful_stop_commits_every_record_in_memory()
    {
        var key = await gateway.NewKeyAsync("async-ledger");
        var model = await gateway.NewModelAsync();
        const int Requests = 25;
        var node = KestrelNode.Start(gateway, ("Gateway:Ledger", "async"), ("Gateway:AsyncLedgerWindow", "00:00:30"));
        try
        {
            using var client = node.Client(key.Secret);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Requests; i++)
            {
                using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));
                Assert.True(response.IsSuccessStatusCode);
            }

            // Every answer came back while the group commit was still gathering its 30 s window: none waited for it.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{Requests} requests took {clock.Elapsed}");
            Assert.Empty(await gateway.RequestsOfAsync(key.Id));
            var stats = node.Services.GetRequiredService<Gateway.Api.Recording.UsageRecorder>().Stats();
            Assert.Equal(Requests, stats.Pending);
        }
        finally
        {
            // A graceful stop (what SIGTERM does): the recorder drains before the host ends.
            await node.DisposeAsync();
        }

        var records = await gateway.RequestsOfAsync(key.Id);
        Assert.Equal(Requests, records.Count);
        Assert.Equal(Requests, records.Select(r => r.RequestId).Distinct().Count());
        Assert.All(records, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task records_in_memory_never_exceed_the_limit_and_responses_keep_coming()
    {
        var key = await gateway.NewKeyAsync("async-ledger-bound");
        var model = await gateway.NewModelAsync();
        const int Requests = 12, Limit = 5;
        // A 30 s window that would hold every record in memory: the limit commits them early instead.
        var node = KestrelNode.Start(gateway, ("Gateway:Ledger", "async"), ("Gateway:AsyncLedgerWindow", "00:00:30"),
            ("Gateway:AsyncLedgerMaxPending", Limit.ToString()));
        try
        {
            using var client = node.Client(key.Secret);
            var recorder = node.Services.GetRequiredService<Gateway.Api.Recording.UsageRecorder>();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Requests; i++)
            {
                using var response = await Chat.PostAsync(client, Chat.Request(model.PublicId));
                Assert.True(response.IsSuccessStatusCode);
                Assert.InRange(recorder.Pending, 0, Limit);
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{Requests} requests took {clock.Elapsed}");
            // Committed before the window ended: the limit flushed them (at least the first full group of five).
            Assert.True((await gateway.RequestsOfAsync(key.Id)).Count >= Limit);
        }
        finally
        {
            await node.DisposeAsync();
        }
        Assert.Equal(Requests, (await gateway.RequestsOfAsync(key.Id)).Count);
    }
}
