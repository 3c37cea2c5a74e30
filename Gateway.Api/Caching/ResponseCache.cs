using Microsoft.Extensions.Caching.Memory;

namespace Gateway.Api.Caching;

/// <summary>
/// The exact-match response cache: answers kept in this node's memory (Microsoft.Extensions.Caching.Memory, bounded to
/// <see cref="GatewayOptions.ResponseCacheMaxBytes"/> by the answers' sizes), each for its key's, team's or route's TTL.
/// Not shared across nodes: each node fills its own (docs/caching.md says why).
/// </summary>
public sealed class ResponseCache(GatewayOptions options) : IDisposable
{
    readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = options.ResponseCacheMaxBytes, CompactionPercentage = 0.25, TrackStatistics = true });

    public bool TryGet(string key, out CachedAnswer answer) => cache.TryGetValue(key, out answer!);

    public void Store(string key, CachedAnswer answer, TimeSpan ttl)
    {
        // Too large to be worth a slot: an answer over a hundredth of the cache is not kept.
        var size = answer.Completion.Length + answer.ModelPublicId.Length * 2 + 128;
        if (size > options.ResponseCacheMaxBytes / 100) return;
        cache.Set(key, answer, new MemoryCacheEntryOptions { Size = size, AbsoluteExpirationRelativeToNow = ttl });
    }

    /// <summary>Entries and bytes held, for metrics and tests.</summary>
    public (long Entries, long Bytes) Stats => cache.GetCurrentStatistics() is { } s ? (s.CurrentEntryCount, s.CurrentEstimatedSize ?? 0) : (cache.Count, 0);

    public void Dispose() => cache.Dispose();
}
