using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Gateway.Projections;

/// <summary>
/// The tamper-evidence chain: for every event, in sequence order, SHA-256 of the previous link and the event's content
/// (see Gateway.Api/Audit/EventChain). Kept beside the event table, written by one chain writer at a time.
/// </summary>
public static class EventChainTable
{
    public const string Name = "event_chain";

    public static void AddEventChainTable(this StoreOptions opts)
    {
        var table = new Table(new PostgresqlObjectName(opts.DatabaseSchemaName, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("seq_id").AsPrimaryKey();
        table.AddColumn("hash", "bytea").NotNull();
        table.AddColumn<DateTimeOffset>("chained_at").NotNull();
        opts.Storage.ExtendedSchemaObjects.Add(table);
    }
}
