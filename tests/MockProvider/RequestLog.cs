namespace MockProvider;

/// <summary>The last <see cref="Capacity"/> provider calls received (every wire format), oldest first, for tests asserting what was forwarded.</summary>
public sealed class RequestLog
{
    public const int Capacity = 1000;

    private readonly LoggedRequest?[] _ring = new LoggedRequest?[Capacity];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    public int Count
    {
        get { lock (_lock) return _count; }
    }

    internal void Add(LoggedRequest request)
    {
        lock (_lock)
        {
            _ring[_next] = request;
            _next = _next == Capacity - 1 ? 0 : _next + 1;
            if (_count < Capacity) _count++;
        }
    }

    public IReadOnlyList<LoggedRequest> Snapshot()
    {
        lock (_lock)
        {
            var result = new LoggedRequest[_count];
            int start = _count < Capacity ? 0 : _next;
            for (int i = 0; i < _count; i++)
                result[i] = _ring[(start + i) % Capacity]!;
            return result;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            Array.Clear(_ring);
            _next = 0;
            _count = 0;
        }
    }
}
