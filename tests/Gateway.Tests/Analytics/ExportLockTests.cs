using Gateway.Analytics;
using Npgsql;

namespace Gateway.Tests.Analytics;

/// <summary>One holder per job and event store, and a released lock is free at once for any other session.</summary>
[Collection(GatewayCollection.Name)]
public class ExportLockTests(GatewayFixture gateway)
{
    [Fact]
    public async Task a_released_lock_is_free_at_once_for_a_session_in_another_process()
    {
        var id = ExportLock.IdFor("lock-test", Guid.NewGuid().ToString());
        // Another process: its own pool, so never the physical connection the first holder used.
        var elsewhere = new NpgsqlConnectionStringBuilder(gateway.ConnectionString) { ApplicationName = "another-node" }.ConnectionString;

        var held = await ExportLock.TryTakeAsync(gateway.ConnectionString, CancellationToken.None, id);
        Assert.NotNull(held);
        Assert.Null(await ExportLock.TryTakeAsync(elsewhere, CancellationToken.None, id));

        await held.DisposeAsync();

        await using var next = await ExportLock.TryTakeAsync(elsewhere, CancellationToken.None, id);
        Assert.NotNull(next);
    }

    [Fact]
    public void lock_ids_are_per_job_and_per_store_whatever_the_schema_name_case()
    {
        Assert.Equal(ExportLock.ExportLockId("gateway"), ExportLock.ExportLockId("Gateway"));
        Assert.NotEqual(ExportLock.ExportLockId("gateway"), ExportLock.ExportLockId("other"));
        Assert.NotEqual(ExportLock.ExportLockId("gateway"), ExportLock.ChainLockId("gateway"));
    }
}
