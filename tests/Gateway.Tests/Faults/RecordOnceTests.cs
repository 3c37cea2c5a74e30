using Gateway.Api.Recording;
using Gateway.Domain.Requests;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Faults;

/// <summary>One record per request, whatever happens around the commit: recording is idempotent by request id.</summary>
[Collection(GatewayCollection.Name)]
public class RecordOnceTests(GatewayFixture gateway)
{
    UsageRecorder Recorder => gateway.Host.Services.GetRequiredService<UsageRecorder>();

    [Fact]
    public async Task the_same_request_handed_over_twice_at_once_is_recorded_once_and_both_hand_overs_succeed()
    {
        var keyId = Guid.NewGuid();
        var first = Record(keyId, 200);
        var second = first with { Status = 499, ErrorCode = "client_closed_request" };

        await Task.WhenAll(Recorder.RecordAsync(first, null), Recorder.RecordAsync(second, null));

        var stored = await gateway.RequestsOfAsync(keyId);
        Assert.Equal(200, Assert.Single(stored).Status);
    }

    [Fact]
    public async Task a_record_whose_commit_already_reached_postgresql_is_not_written_again_nor_failed()
    {
        // What a commit whose acknowledgement was lost leaves behind: the stream is in PostgreSQL, the recorder does not
        // know it, and hands the record over again on its retry.
        var keyId = Guid.NewGuid();
        var record = Record(keyId, 200);
        await using (var session = gateway.Store.LightweightSession())
        {
            session.Events.StartStream(record.RequestId, record);
            await session.SaveChangesAsync();
        }
        var others = Enumerable.Range(0, 5).Select(_ => Record(keyId, 200)).ToList();

        // In one batch with records that are new: those are committed, the known one completes as recorded.
        await Task.WhenAll(others.Select(r => Recorder.RecordAsync(r, null)).Prepend(Recorder.RecordAsync(record with { Status = 502 }, null)));

        var stored = await gateway.RequestsOfAsync(keyId);
        Assert.Equal(6, stored.Count);
        Assert.Equal(200, stored.Single(r => r.RequestId == record.RequestId).Status);
        Assert.DoesNotContain(gateway.Logs.Lines, l => l.Text.Contains(record.RequestId.ToString()) && l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    internal static RequestCompleted Record(Guid keyId, int status, long promptTokens = 0) => new()
    {
        RequestId = Guid.CreateVersion7(),
        KeyId = keyId,
        TeamId = Guid.Empty,
        Operation = "chat",
        ModelAsked = "mock/x",
        Status = status,
        PromptTokens = promptTokens,
        TotalMs = 1,
        OverheadMs = 0.01,
        StartedAt = DateTimeOffset.UtcNow,
        CompletedAt = DateTimeOffset.UtcNow,
    };
}
