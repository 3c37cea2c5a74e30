using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Gateway.Api.Audit;

/// <summary>
/// One event as the chain sees it: everything stored about it, in the text form PostgreSQL keeps (jsonb's canonical
/// text for the data and the headers, so a stored event and its exported line hash alike).
/// </summary>
public sealed record ChainedEvent(long Seq, Guid Id, Guid StreamId, long Version, string Type, string Timestamp, string Data, string? Headers);

/// <summary>
/// The tamper-evidence chain over the whole event store, in sequence order:
/// link(n) = SHA-256(link(n-1) ‖ seq ‖ id ‖ stream ‖ version ‖ type ‖ timestamp ‖ data ‖ headers), link(0) = 32 zero bytes.
/// Changing, removing or inserting any event (its facts, or who made it and why: the headers) changes every later
/// link. Request bodies are not events, so erasing them leaves the chain intact.
/// </summary>
public static class EventChain
{
    public static byte[] Genesis() => new byte[32];

    public static byte[] Link(ReadOnlySpan<byte> previous, ChainedEvent e)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        return Link(hash, previous, e.Seq, e.Id, e.StreamId, e.Version, e.Type, e.Timestamp,
            Encoding.UTF8.GetBytes(e.Data), e.Headers is null ? default : Encoding.UTF8.GetBytes(e.Headers));
    }

    /// <summary>
    /// The link from the event's parts, its data and headers already UTF-8 (no headers: empty), on a reusable hash, so
    /// the chain writer links thousands of events a second without copying each one's text.
    /// </summary>
    public static byte[] Link(IncrementalHash hash, ReadOnlySpan<byte> previous, long seq, Guid id, Guid streamId, long version, string type,
        string timestamp, ReadOnlySpan<byte> data, ReadOnlySpan<byte> headers)
    {
        hash.AppendData(previous);
        // On the stack; a type name too long for it (none is) gets a bigger buffer.
        Span<byte> head = stackalloc byte[512];
        int written;
        while (!Utf8.TryWrite(head, CultureInfo.InvariantCulture, $"{seq}\n{id:D}\n{streamId:D}\n{version}\n{type}\n{timestamp}\n", out written))
            head = new byte[head.Length * 2];
        hash.AppendData(head[..written]);
        hash.AppendData(data);
        hash.AppendData("\n"u8);
        hash.AppendData(headers);
        return hash.GetHashAndReset();
    }

    /// <summary>The timestamp as hashed and exported: UTC, microseconds (PostgreSQL's precision).</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
