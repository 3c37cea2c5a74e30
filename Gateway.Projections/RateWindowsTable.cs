using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Gateway.Projections;

/// <summary>
/// The fleet's rate-limit windows: permits handed to the nodes per limiter and segment (see Gateway.Domain.Limits.RateWindow).
/// Operational state, swept once segments are out of every window.
/// </summary>
public static class RateWindowsTable
{
    public const string Name = "rate_windows";

    public static void AddRateWindowsTable(this Marten.StoreOptions opts)
    {
        var table = new Table(new PostgresqlObjectName(opts.DatabaseSchemaName, Name, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("limiter").AsPrimaryKey();
        table.AddColumn<long>("segment").AsPrimaryKey();
        table.AddColumn<long>("used").NotNull();
        opts.Storage.ExtendedSchemaObjects.Add(table);
    }
}
