using System.Security.Cryptography;
using Gateway.Analytics;
using Gateway.Projections;
using Npgsql;
using NpgsqlTypes;

namespace Gateway.Api.Audit;

/// <summary>Where a verification found the chain broken: the first event that does not match, and how.</summary>
public sealed record ChainBreak(long Seq, Guid? EventId, string? Type, Guid? StreamId, string Problem);

/// <summary>The outcome of a verification: how many events were checked, the last link, and the first break if any.</summary>
public sealed record ChainReport(long Events, string Head, ChainBreak? FirstBreak)
{
    public bool Intact => FirstBreak is null;
}

/// <summary>
/// Writes the chain links of new events (one writer at a time, under an advisory lock; only below Marten's high-water
/// mark, so a lower sequence still committing is never skipped), and checks the stored events against them.
/// </summary>
public sealed class EventChainStore(string postgres, string schema)
{
    string Events => $"{schema}.mt_events";
    string Chain => $"{schema}.{EventChainTable.Name}";

    const string Columns = "e.seq_id, e.id, e.stream_id, e.version, e.type, e.timestamp, e.data::text, e.headers::text";

    /// <summary>The same columns with the data and headers as their UTF-8 bytes, read into one reused buffer each.</summary>
    const string ByteColumns = "e.seq_id, e.id, e.stream_id, e.version, e.type, e.timestamp, convert_to(e.data::text, 'UTF8'), " +
                               "convert_to(nullif(e.headers::text, 'null'), 'UTF8')";

    // Kept between catch-up rounds (one writer at a time calls CatchUpAsync): a round's links and each event's bytes.
    readonly List<(long Seq, byte[] Hash)> links = new(10_000);
    byte[] data = new byte[16 * 1024], headers = new byte[1024];

    internal static ChainedEvent Read(NpgsqlDataReader r, int offset = 0) => new(
        r.GetInt64(offset), r.GetGuid(offset + 1), r.GetGuid(offset + 2), r.GetInt64(offset + 3), r.GetString(offset + 4),
        EventChain.Time(r.GetFieldValue<DateTimeOffset>(offset + 5)), r.GetString(offset + 6), Headers(r, offset + 7));

    /// <summary>No headers, whether stored as SQL NULL or as a JSON null, hash alike (append modes differ).</summary>
    static string? Headers(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) || r.GetString(ordinal) == "null" ? null : r.GetString(ordinal);

    /// <summary>Links every event above the chain's head and below the high-water mark; returns how many.</summary>
    public async Task<long> CatchUpAsync(CancellationToken ct)
    {
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync(ct);
        var (last, head) = await HeadAsync(pg, ct);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long linked = 0;
        while (!ct.IsCancellationRequested)
        {
            var highWater = await HighWaterMark.ReadAsync(pg, schema, ct);
            if (highWater <= last) break;
            links.Clear();
            await using (var command = new NpgsqlCommand($"select {ByteColumns} from {Events} e where e.seq_id > $1 and e.seq_id <= $2 order by e.seq_id limit 10000", pg))
            {
                command.Parameters.AddWithValue(last);
                command.Parameters.AddWithValue(highWater);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var seq = reader.GetInt64(0);
                    var dataLength = BytesOf(reader, 6, ref data);
                    var headersLength = BytesOf(reader, 7, ref headers);
                    head = EventChain.Link(sha, head, seq, reader.GetGuid(1), reader.GetGuid(2), reader.GetInt64(3), reader.GetString(4),
                        EventChain.Time(reader.GetFieldValue<DateTimeOffset>(5)), data.AsSpan(0, dataLength), headers.AsSpan(0, headersLength));
                    links.Add((seq, head));
                }
            }
            if (links.Count == 0)
            {
                last = highWater; // a gap of sequence numbers no transaction used: nothing to link
                continue;
            }
            var now = DateTimeOffset.UtcNow;
            await using (var import = await pg.BeginBinaryImportAsync($"copy {Chain} (seq_id, hash, chained_at) from stdin (format binary)", ct))
            {
                foreach (var (seq, hash) in links)
                {
                    await import.StartRowAsync(ct);
                    await import.WriteAsync(seq, NpgsqlDbType.Bigint, ct);
                    await import.WriteAsync(hash, NpgsqlDbType.Bytea, ct);
                    await import.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                }
                await import.CompleteAsync(ct);
            }
            last = links[^1].Seq;
            linked += links.Count;
        }
        return linked;
    }

    /// <summary>A bytea column into <paramref name="buffer"/> (grown when too small); its length, 0 for NULL.</summary>
    static int BytesOf(NpgsqlDataReader reader, int ordinal, ref byte[] buffer)
    {
        if (reader.IsDBNull(ordinal)) return 0;
        var length = (int)reader.GetBytes(ordinal, 0, null, 0, 0);
        if (length > buffer.Length) buffer = new byte[Math.Max(length, buffer.Length * 2)];
        return (int)reader.GetBytes(ordinal, 0, buffer, 0, length);
    }

    async Task<(long Seq, byte[] Hash)> HeadAsync(NpgsqlConnection pg, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select seq_id, hash from {Chain} order by seq_id desc limit 1", pg);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)) : (0, EventChain.Genesis());
    }

    /// <summary>Takes the chain lock and catches up, unless another writer (a running gateway) holds it.</summary>
    public async Task<long?> TryCatchUpAsync(CancellationToken ct)
    {
        await using var held = await ExportLock.TryTakeAsync(postgres, ct, ExportLock.ChainLockId(schema));
        return held is null ? null : await CatchUpAsync(ct);
    }

    /// <summary>The sequence number of the last linked event (0 before the first).</summary>
    public async Task<long> HeadAsync(CancellationToken ct)
    {
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync(ct);
        return (await HeadAsync(pg, ct)).Seq;
    }

    /// <summary>
    /// Recomputes the chain from the first event over the store and compares every link with the stored one; names the
    /// first event whose content differs from when it was linked, that was removed, or that appeared among linked ones.
    /// </summary>
    public async Task<ChainReport> VerifyAsync(CancellationToken ct)
    {
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select coalesce(e.seq_id, c.seq_id), c.hash, {Columns} from {Events} e full join {Chain} c on c.seq_id = e.seq_id " +
            $"where coalesce(e.seq_id, c.seq_id) <= (select coalesce(max(seq_id), 0) from {Chain}) order by 1", pg);
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var head = EventChain.Genesis();
        long count = 0;
        while (await reader.ReadAsync(ct))
        {
            var seq = reader.GetInt64(0);
            if (reader.IsDBNull(2))
                return new ChainReport(count, EventChain.Hex(head), new ChainBreak(seq, null, null, null, "removed: the chain links an event that is no longer in the store"));
            var e = Read(reader, 2);
            if (reader.IsDBNull(1))
                return new ChainReport(count, EventChain.Hex(head), new ChainBreak(seq, e.Id, e.Type, e.StreamId, "inserted: the event sits among chained events but was never linked"));
            head = EventChain.Link(head, e);
            if (!head.AsSpan().SequenceEqual(reader.GetFieldValue<byte[]>(1)))
                return new ChainReport(count, EventChain.Hex(head), new ChainBreak(seq, e.Id, e.Type, e.StreamId, "altered: the event's content differs from when it was linked"));
            count++;
        }
        return new ChainReport(count, EventChain.Hex(head), null);
    }
}
