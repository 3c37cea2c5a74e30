namespace MockProvider;

internal static class Hash
{
    public const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    public static ulong Fnv1a(ReadOnlySpan<byte> bytes, ulong hash = FnvOffset)
    {
        foreach (byte b in bytes)
            hash = (hash ^ b) * FnvPrime;
        return hash;
    }

    public static ulong Fnv1a(int value, ulong hash)
    {
        for (int shift = 0; shift < 32; shift += 8)
            hash = (hash ^ (byte)(value >> shift)) * FnvPrime;
        return hash;
    }

    /// <summary>SplitMix64: a tiny, well-mixed generator so embeddings are reproducible from one seed.</summary>
    public static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
