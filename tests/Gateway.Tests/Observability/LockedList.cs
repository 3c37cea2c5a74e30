using System.Collections;

namespace Gateway.Tests.Observability;

/// <summary>A list exporters may add to from their threads while a test reads a copy.</summary>
public sealed class LockedList<T> : ICollection<T>
{
    readonly List<T> items = [];

    public List<T> Snapshot()
    {
        lock (items) return [.. items];
    }

    public void Add(T item)
    {
        lock (items) items.Add(item);
    }

    public void Clear()
    {
        lock (items) items.Clear();
    }

    public bool Contains(T item)
    {
        lock (items) return items.Contains(item);
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (items) items.CopyTo(array, arrayIndex);
    }

    public bool Remove(T item)
    {
        lock (items) return items.Remove(item);
    }

    public int Count
    {
        get { lock (items) return items.Count; }
    }

    public bool IsReadOnly => false;
    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
