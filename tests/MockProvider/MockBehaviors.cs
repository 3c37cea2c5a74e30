using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace MockProvider;

/// <summary>Per-model behaviors plus a default for every model without its own. Safe to change while requests run.</summary>
public sealed class MockBehaviors
{
    private readonly ConcurrentDictionary<string, ModelBehavior> _models = new(StringComparer.Ordinal);

    // FailFirst counts per model name, so a failing Default fails the first N requests of each model.
    private readonly ConcurrentDictionary<string, StrongBox<int>> _failures = new(StringComparer.Ordinal);

    private volatile ModelBehavior _default = ModelBehavior.Normal;

    public ModelBehavior Default
    {
        get => _default;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _default = value;
            _failures.Clear();
        }
    }

    /// <summary>Gets the behavior in force for a model (its own or the default); setting one is <see cref="Set"/>.</summary>
    public ModelBehavior this[string model]
    {
        get => Resolve(model);
        set => Set(model, value);
    }

    /// <summary>Model names that have their own behavior.</summary>
    public IReadOnlyCollection<string> Names => [.. _models.Keys];

    public void Set(string model, ModelBehavior behavior)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(behavior);
        _models[model] = behavior;
        _failures.TryRemove(model, out _);
    }

    public bool Remove(string model)
    {
        _failures.TryRemove(model, out _);
        return _models.TryRemove(model, out _);
    }

    public bool TryGet(string model, out ModelBehavior behavior) => _models.TryGetValue(model, out behavior!);

    public ModelBehavior Resolve(string model) => _models.TryGetValue(model, out var b) ? b : _default;

    /// <summary>Forgets every model behavior, the default and the FailFirst counters.</summary>
    public void Reset()
    {
        _models.Clear();
        _default = ModelBehavior.Normal;
        _failures.Clear();
    }

    internal bool ShouldFail(string model, ModelBehavior behavior)
    {
        if (!behavior.InjectsError) return false;
        if (behavior.FailFirst <= 0 && behavior.FailEvery <= 1) return true;
        var seen = _failures.GetOrAdd(model, static _ => new StrongBox<int>());
        var n = Interlocked.Increment(ref seen.Value);
        return behavior.FailFirst > 0 ? n <= behavior.FailFirst : n % behavior.FailEvery == 0;
    }
}
