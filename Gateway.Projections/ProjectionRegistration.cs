using JasperFx.Events.Projections;
using Marten;

namespace Gateway.Projections;

public static class ProjectionRegistration
{
    /// <summary>
    /// Control-plane views are inline (same transaction as their events, so the hot path can reload them
    /// right after commit); budget balances and the audit trail are async, so recording a request never waits on a
    /// projection. No projection reads the request events: a key's usage is summed from the analytics export.
    /// </summary>
    public static void AddGatewayProjections(this StoreOptions opts)
    {
        opts.Projections.Snapshot<KeyView>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<AdminKeyView>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<TeamView>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<AccountView>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<ProviderView>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<ModelView>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<RouteView>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<BudgetView>(SnapshotLifecycle.Inline);
        // Inline: a node reads what is left of a budget under the allotment stream's lock, right before taking a slice.
        opts.Projections.Snapshot<BudgetAllotment>(SnapshotLifecycle.Inline);
        opts.Schema.For<BudgetAllotment>().Duplicate(x => x.OpenLeases);
        opts.Projections.Add<BudgetBalanceProjection>(ProjectionLifecycle.Async);
        // Async: the daemon reads events back with their database-assigned sequence, version and timestamp.
        opts.Projections.Add(new AuditProjection(), ProjectionLifecycle.Async);
        opts.Schema.For<AuditEntry>().Index(x => x.EntityId).Index(x => x.Actor).Index(x => x.At);

        opts.AddRequestBodiesTable();
        opts.AddStoredResponsesTable();
        opts.AddEventChainTable();
        opts.AddGatewayNodesTable();
        opts.AddRateWindowsTable();
        opts.Schema.For<KeyView>().Index(x => x.SecretHash);
        opts.Schema.For<ModelView>().UniqueIndex(x => x.PublicId);
        opts.Schema.For<ProviderView>().UniqueIndex(x => x.Name);
        opts.Schema.For<RouteView>().Index(x => x.Name);
    }
}
