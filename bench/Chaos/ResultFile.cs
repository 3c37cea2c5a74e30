namespace Chaos;

/// <summary>One line per request — <c>request-id status kind outcome max-tokens</c> — for the scenario script to load into PostgreSQL.</summary>
sealed class ResultFile : IDisposable
{
    readonly StreamWriter writer;
    readonly Dictionary<string, int> counts = new();

    public ResultFile(string path) => writer = new StreamWriter(path, append: true);

    public void Add(Traffic.Result r)
    {
        lock (writer)
        {
            writer.WriteLine($"{r.RequestId} {r.Status} {r.Kind} {r.Outcome} {r.MaxTokens}");
            counts[r.Outcome] = counts.GetValueOrDefault(r.Outcome) + 1;
        }
    }

    /// <summary><c>sent=N ok=N shaped=N …</c>, every outcome named even when zero.</summary>
    public string Summary()
    {
        lock (writer)
        {
            string[] names = [Outcome.Ok, Outcome.Shaped, Outcome.Unshaped, Outcome.Cut, Outcome.Transport, Outcome.Aborted];
            return $"sent={counts.Values.Sum()} " + string.Join(' ', names.Select(n => $"{n}={counts.GetValueOrDefault(n)}"));
        }
    }

    public void Dispose() => writer.Dispose();
}
