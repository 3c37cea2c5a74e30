using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace Gateway.Api.Dashboard;

/// <summary>
/// The dashboard's two tables beside Marten's, created and migrated with them at start-up: the Data Protection key
/// ring (each key sealed with the master key) and the sessions (so a sign-out holds on every node).
/// </summary>
public static class DashboardTables
{
    public const string Keys = "dashboard_keys";
    public const string Sessions = "dashboard_sessions";

    public static void AddDashboardTables(this StoreOptions opts)
    {
        var keys = new Table(new PostgresqlObjectName(opts.DatabaseSchemaName, Keys, SchemaUtils.IdentifierUsage.General));
        keys.AddColumn("name", "text").AsPrimaryKey();
        keys.AddColumn("xml", "text").NotNull();
        opts.Storage.ExtendedSchemaObjects.Add(keys);

        var sessions = new Table(new PostgresqlObjectName(opts.DatabaseSchemaName, Sessions, SchemaUtils.IdentifierUsage.General));
        sessions.AddColumn<Guid>("id").AsPrimaryKey();
        sessions.AddColumn<Guid>("admin_key_id").NotNull();
        sessions.AddColumn<DateTimeOffset>("started_at").NotNull();
        sessions.AddColumn<DateTimeOffset>("ended_at");
        opts.Storage.ExtendedSchemaObjects.Add(sessions);
    }
}
