using System.Buffers;

namespace Gateway.Api.RequestPath.Wire;

/// <summary>A growable byte buffer rented from the shared pool; returned on dispose.</summary>
public sealed class PooledBuffer(int initialCapacity = 4096) : IBufferWriter<byte>, IDisposable
{
    byte[] array = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length { get; private set; }
    public ReadOnlySpan<byte> Span => array.AsSpan(0, Length);
    public ReadOnlyMemory<byte> Memory => array.AsMemory(0, Length);
    public byte[] Array => array;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsSpan(Length);
    }

    public void Clear() => Length = 0;

    void Ensure(int sizeHint)
    {
        if (sizeHint < 1) sizeHint = 1;
        if (array.Length - Length >= sizeHint) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(array.Length * 2, Length + sizeHint));
        array.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(array);
        array = bigger;
    }

    public void Dispose()
    {
        var rented = array;
        array = [];
        Length = 0;
        if (rented.Length > 0) ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>Reads a stream to its end, failing once it exceeds <paramref name="limit"/> bytes.</summary>
    public async ValueTask<bool> ReadFromAsync(Stream stream, long limit, CancellationToken ct)
    {
        while (true)
        {
            var read = await stream.ReadAsync(GetMemory(4096), ct);
            if (read == 0) return true;
            Length += read;
            if (Length > limit) return false;
        }
    }
}
