using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Gateway.Projections;

/// <summary>
/// The nodes of the fleet and when each last said it was alive (by the database's clock). A lease whose node has not
/// been seen for the lease lifetime is expired by the sweep. Operational state, not ledger: the ledger is the events.
/// </summary>
public static class GatewayNodesTable
{
    public const string Name = "gateway_nodes";

    public static void AddGatewayNodesTable(this Marten.StoreOptions opts)
    {
        var table = new Table(new PostgresqlObjectName(opts.DatabaseSchemaName, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("node_id").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("started_at").NotNull();
        table.AddColumn<DateTimeOffset>("seen_at").NotNull();
        opts.Storage.ExtendedSchemaObjects.Add(table);
    }

    /// <summary>Upserts a node's heartbeat (parameters: node id, then its start).</summary>
    public static string Heartbeat(string schema) =>
        $"insert into {schema}.{Name} (node_id, started_at, seen_at) values (?, ?, now()) " +
        "on conflict (node_id) do update set seen_at = now()";
}
