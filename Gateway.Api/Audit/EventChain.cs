using System.Globalization;
using System.Security.Cryptography;
using System.Text;

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
        hash.AppendData(previous);
        hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{e.Seq}\n{e.Id:D}\n{e.StreamId:D}\n{e.Version}\n{e.Type}\n{e.Timestamp}\n")));
        hash.AppendData(Encoding.UTF8.GetBytes(e.Data));
        hash.AppendData("\n"u8);
        if (e.Headers is not null) hash.AppendData(Encoding.UTF8.GetBytes(e.Headers));
        return hash.GetHashAndReset();
    }

    /// <summary>The timestamp as hashed and exported: UTC, microseconds (PostgreSQL's precision).</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
