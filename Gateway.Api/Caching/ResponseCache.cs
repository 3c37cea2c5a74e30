using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace Gateway.Api.Caching;

/// <summary>
/// The exact-match response cache: answers kept in this node's memory (Microsoft.Extensions.Caching.Memory, bounded to
/// <see cref="GatewayOptions.ResponseCacheMaxBytes"/> by the answers' sizes), each for its key's, team's or route's TTL.
/// Not shared across nodes: each node fills its own (docs/caching.md says why). One request at a time asks upstream for
/// a key's answer: the same request arriving meanwhile waits for it rather than asking again (<see cref="TryLead"/>).
/// </summary>
public sealed class ResponseCache(GatewayOptions options) : IDisposable
{
    readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = options.ResponseCacheMaxBytes, CompactionPercentage = 0.25, TrackStatistics = true });
    // The keys being asked upstream right now, each with the answer its waiters get (null: none to share).
    readonly ConcurrentDictionary<string, TaskCompletionSource<CachedAnswer?>> asking = new(StringComparer.Ordinal);

    /// <summary>
    /// True when this request is the one to ask upstream for <paramref name="key"/> (it must end with <see cref="Store"/>
    /// or <see cref="EndLead"/>); false when another already is, whose answer <paramref name="leader"/> gives.
    /// </summary>
    public bool TryLead(string key, out Task<CachedAnswer?> leader)
    {
        var mine = new TaskCompletionSource<CachedAnswer?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var current = asking.GetOrAdd(key, mine);
        leader = current.Task;
        return ReferenceEquals(current, mine);
    }

    /// <summary>The leader for <paramref name="key"/> ended without an answer to keep: its waiters ask upstream themselves.</summary>
    public void EndLead(string key)
    {
        if (asking.TryRemove(key, out var lead)) lead.TrySetResult(null);
    }

    public bool TryGet(string key, out CachedAnswer answer) => cache.TryGetValue(key, out answer!);

    public void Store(string key, CachedAnswer answer, TimeSpan ttl)
    {
        // Too large to be worth a slot: an answer over a hundredth of the cache is not kept.
        var size = answer.Completion.Length + answer.ModelPublicId.Length * 2 + 128;
        if (size <= options.ResponseCacheMaxBytes / 100) cache.Set(key, answer, new MemoryCacheEntryOptions { Size = size, AbsoluteExpirationRelativeToNow = ttl });
        if (asking.TryRemove(key, out var lead)) lead.TrySetResult(answer);
    }

    /// <summary>Entries and bytes held, for metrics and tests.</summary>
    public (long Entries, long Bytes) Stats => cache.GetCurrentStatistics() is { } s ? (s.CurrentEntryCount, s.CurrentEstimatedSize ?? 0) : (cache.Count, 0);

    public void Dispose() => cache.Dispose();
}
