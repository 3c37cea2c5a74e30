using System.Text;
using System.Text.Json;
using Gateway.Projections;
using Npgsql;

namespace Gateway.Api.Audit;

/// <summary>
/// History as JSON Lines, one event per line with the link before it and its own: checkable offline, line by line,
/// without the database. The lines cover a contiguous run of the chain, so each line's <c>prev</c> is the line above's
/// <c>hash</c>.
/// </summary>
public static class AuditExport
{
    /// <summary>Writes the linked events recorded in [from, to) to <paramref name="path"/>; returns how many.</summary>
    public static async Task<long> WriteAsync(string postgres, string schema, DateTimeOffset from, DateTimeOffset to, string path, CancellationToken ct)
    {
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync(ct);
        var chain = $"{schema}.{EventChainTable.Name}";
        // The run of sequence numbers the period spans, then every linked event in it (contiguous in the chain).
        await using var command = new NpgsqlCommand($"""
            with span as (select min(seq_id) as first, max(seq_id) as last from {schema}.mt_events where timestamp >= $1 and timestamp < $2)
            select (select hash from {chain} p where p.seq_id < span.first order by p.seq_id desc limit 1), c.hash,
                   e.seq_id, e.id, e.stream_id, e.version, e.type, e.timestamp, e.data::text, e.headers::text
            from span, {schema}.mt_events e join {chain} c on c.seq_id = e.seq_id
            where e.seq_id between span.first and span.last order by e.seq_id
            """, pg);
        command.Parameters.AddWithValue(from.ToUniversalTime());
        command.Parameters.AddWithValue(to.ToUniversalTime());
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(ct);
        await using var file = File.Create(path);
        await using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        byte[]? prev = null;
        long count = 0;
        while (await reader.ReadAsync(ct))
        {
            prev ??= reader.IsDBNull(0) ? EventChain.Genesis() : reader.GetFieldValue<byte[]>(0);
            var hash = reader.GetFieldValue<byte[]>(1);
            var e = EventChainStore.Read(reader, 2);
            json.WriteStartObject();
            json.WriteNumber("seq", e.Seq);
            json.WriteString("id", e.Id);
            json.WriteString("streamId", e.StreamId);
            json.WriteNumber("version", e.Version);
            json.WriteString("type", e.Type);
            json.WriteString("timestamp", e.Timestamp);
            json.WritePropertyName("data");
            json.WriteRawValue(e.Data);
            json.WritePropertyName("headers");
            if (e.Headers is null) json.WriteNullValue(); else json.WriteRawValue(e.Headers);
            json.WriteString("prev", EventChain.Hex(prev));
            json.WriteString("hash", EventChain.Hex(hash));
            json.WriteEndObject();
            await json.FlushAsync(ct);
            file.WriteByte((byte)'\n');
            json.Reset();
            prev = hash;
            count++;
        }
        return count;
    }

    /// <summary>
    /// Recomputes every line's link from its <c>prev</c> and content, and checks that each <c>prev</c> is the line
    /// above's <c>hash</c>; names the first line that fails.
    /// </summary>
    public static async Task<(ChainReport Report, int? Line)> VerifyAsync(string path, CancellationToken ct)
    {
        string? previousHash = null;
        long count = 0;
        var number = 0;
        await foreach (var line in File.ReadLinesAsync(path, Encoding.UTF8, ct))
        {
            number++;
            if (line.Length == 0) continue;
            ChainedEvent e;
            string prev, hash;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                var headers = root.GetProperty("headers");
                e = new ChainedEvent(root.GetProperty("seq").GetInt64(), root.GetProperty("id").GetGuid(), root.GetProperty("streamId").GetGuid(),
                    root.GetProperty("version").GetInt64(), root.GetProperty("type").GetString()!, root.GetProperty("timestamp").GetString()!,
                    root.GetProperty("data").GetRawText(), headers.ValueKind == JsonValueKind.Null ? null : headers.GetRawText());
                (prev, hash) = (root.GetProperty("prev").GetString()!, root.GetProperty("hash").GetString()!);
                Convert.FromHexString(prev);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                return (new ChainReport(count, previousHash ?? "", new ChainBreak(0, null, null, null, $"unreadable line: {ex.Message}")), number);
            }
            if (previousHash is not null && prev != previousHash)
                return (new ChainReport(count, previousHash, new ChainBreak(e.Seq, e.Id, e.Type, e.StreamId, "out of chain: its prev is not the line above's hash (a line was removed, inserted or reordered)")), number);
            var recomputed = EventChain.Hex(EventChain.Link(Convert.FromHexString(prev), e));
            if (recomputed != hash)
                return (new ChainReport(count, previousHash ?? prev, new ChainBreak(e.Seq, e.Id, e.Type, e.StreamId, "altered: the line's content does not give its hash")), number);
            previousHash = hash;
            count++;
        }
        return (new ChainReport(count, previousHash ?? "", null), null);
    }
}
