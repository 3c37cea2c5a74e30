using DuckDB.NET.Data;

namespace Gateway.Analytics;

/// <summary>The DuckDB tables finance and ops queries read, and the export watermark kept beside them.</summary>
public static class AnalyticsSchema
{
    // Times are UTC TIMESTAMPs and ids VARCHARs: bucketing a timestamptz goes through time-zone rules, and DuckDB
    // groups UUIDs that share their high bits (the gateway's time-ordered v7 ids do) 3.7-10x slower than their text
    // (measured over 8-10 million rows, see bench/README.md).
    public const string Ddl = """
        create table if not exists requests (
            seq bigint not null,
            time timestamp not null,
            request_id varchar not null,
            account_id varchar,
            team_id varchar not null,
            key_id varchar not null,
            route varchar,
            model_asked varchar not null,
            model_served varchar,
            provider_id varchar,
            credential_kind varchar,
            status integer not null,
            error_class varchar,
            attempts integer not null,
            fallback_used boolean not null,
            streamed boolean not null,
            prompt_tokens bigint not null,
            completion_tokens bigint not null,
            cached_tokens bigint not null,
            usage_estimated boolean not null,
            cost decimal(18, 9) not null,
            ttft_ms double,
            upstream_ms double,
            overhead_ms double not null,
            total_ms double not null,
            cache_hit boolean not null default false,
            cost_saved decimal(18, 9) not null default 0,
            client_api varchar
        );
        create table if not exists budget_debits (
            seq bigint not null,
            time timestamp not null,
            request_id varchar not null,
            budget_id varchar not null,
            period_start timestamp not null,
            amount decimal(18, 9) not null
        );
        create table if not exists attempts (
            seq bigint not null,
            time timestamp not null,
            request_id varchar not null,
            attempt integer not null,
            model varchar not null,
            provider_id varchar not null,
            status integer,
            error_class varchar,
            latency_ms double not null,
            outcome varchar not null
        );
        create table if not exists export_progress (
            last_seq bigint not null,
            committed_at timestamptz not null
        );
        """;

    /// <summary>The tables the exporter fills (and a rebuild empties).</summary>
    public static readonly string[] Tables = ["requests", "attempts", "budget_debits"];

    public static DuckDBConnection Open(string path)
    {
        NativeAllocator.KeepFreedMemory();
        var connection = new DuckDBConnection($"Data Source={path}");
        try
        {
            connection.Open();
            Limit(connection);
            Migrate(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// DuckDB's own memory (its buffer pool, for appends and queries) in the gateway's process: by default DuckDB takes
    /// up to 80% of the machine's RAM and keeps what it used. Beyond this it evicts, or spills a large query to disk.
    /// </summary>
    public const string MemoryLimit = "128MB";

    /// <summary>
    /// DuckDB's worker threads in the gateway's process. By default one per core, which contend with each other and with
    /// the request path for a background export; one thread does the export's appends and checkpoints at a fraction of
    /// the CPU (bench/README.md, Response cache).
    /// </summary>
    public const int Threads = 1;

    static void Limit(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"set memory_limit = '{MemoryLimit}'; set threads = {Threads}";
        command.ExecuteNonQuery();
    }

    /// <summary>Creates the tables, and brings a file written by an earlier version up to them.</summary>
    static void Migrate(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Ddl;
        command.ExecuteNonQuery();
        // Files written before the response cache and the Responses API: their rows were all misses of unknown API.
        command.CommandText = """
            alter table requests add column if not exists cache_hit boolean default false;
            alter table requests add column if not exists cost_saved decimal(18, 9) default 0;
            alter table requests add column if not exists client_api varchar;
            """;
        command.ExecuteNonQuery();
        command.CommandText = "select count(*) from duckdb_tables() where table_name = 'export_state'";
        if (Convert.ToInt64(command.ExecuteScalar()) > 0)
        {
            // Files written before export_progress kept the watermark in one updated row.
            command.CommandText = """
                begin;
                insert into export_progress select last_seq, updated_at from export_state where not exists (select 1 from export_progress);
                drop table export_state;
                commit;
                """;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Opens the file for reading from another process than the exporter's. DuckDB lets one process write or several
    /// read, so this waits out an export round in progress (they last milliseconds) for up to <paramref name="patience"/>.
    /// </summary>
    public static DuckDBConnection OpenForReading(string path, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                var connection = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
                connection.Open();
                return connection;
            }
            catch (DuckDB.NET.Data.DuckDBException) when (DateTime.UtcNow < deadline)
            {
                AskToRead(path);
                Thread.Sleep(100);
            }
        }
    }

    static string ReaderNote(string path) => path + ".reader";

    /// <summary>
    /// Leaves a note beside the file asking the gateway's exporter, which keeps the database open between rounds, to
    /// let go of it after its next round.
    /// </summary>
    public static void AskToRead(string path)
    {
        try { File.WriteAllText(ReaderNote(path), ""); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Whether a reader asked for the file (the note is taken away: one close answers it).</summary>
    public static bool ReaderAsked(string path)
    {
        var note = ReaderNote(path);
        if (!File.Exists(note)) return false;
        try { File.Delete(note); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return true;
    }

    /// <summary>
    /// The last event sequence exported. Each batch inserts its own progress row in the transaction that holds its rows
    /// (never updates one: the next batch's transaction is already open while a batch commits, and two transactions
    /// updating one row conflict), so the watermark is the greatest of them.
    /// </summary>
    public static long Watermark(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "select coalesce(max(last_seq), 0) from export_progress";
        return Convert.ToInt64(command.ExecuteScalar());
    }

    /// <summary>Keeps only the newest progress row; called between export rounds, when no batch is committing.</summary>
    public static void CompactProgress(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "delete from export_progress where last_seq < (select max(last_seq) from export_progress)";
        command.ExecuteNonQuery();
    }
}
