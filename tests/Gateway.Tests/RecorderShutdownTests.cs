using Microsoft.Extensions.DependencyInjection;
using Gateway.Api;
using Gateway.Api.Recording;
using Gateway.Domain.Requests;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests;

[Collection(GatewayCollection.Name)]
public class RecorderShutdownTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_graceful_shutdown_commits_every_record_still_queued()
    {
        var options = new GatewayOptions { Db = gateway.ConnectionString, MaxCommitBatch = 50 };
        var recorder = new UsageRecorder(gateway.Store, options, gateway.Host.Services.GetRequiredService<IServiceScopeFactory>(),
            gateway.Host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NullLogger<UsageRecorder>.Instance);
        await recorder.StartAsync(CancellationToken.None);
        var keyId = Guid.NewGuid();

        var pending = Enumerable.Range(0, 500).Select(i => recorder.RecordAsync(Record(keyId, i), null)).ToList();
        await recorder.StopAsync(CancellationToken.None);

        Assert.All(pending, task => Assert.True(task.IsCompletedSuccessfully));
        Assert.Equal(500, recorder.Stats().Recorded);
        var stored = await gateway.RequestsOfAsync(keyId);
        Assert.Equal(500, stored.Count);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), stored.Select(r => r.PromptTokens).Order());
        await Assert.ThrowsAsync<InvalidOperationException>(() => recorder.RecordAsync(Record(keyId, 501), null));
    }

    static RequestCompleted Record(Guid keyId, int i) => Faults.RecordOnceTests.Record(keyId, 200, i);
}
