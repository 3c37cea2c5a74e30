using System.Text.Json.Nodes;
using Marten;
using Npgsql;

namespace Gateway.Api.Audit;

/// <summary>What a rebuild of one projection found: the documents it had before and after, and those that differ.</summary>
public sealed record ProjectionComparison(string Projection, string Table, int Live, int Rebuilt, TimeSpan Took, IReadOnlyList<DocumentDifference> Differences);

/// <summary>One document that the replay did not reproduce: missing from it, new in it, or different, with the first field that differs.</summary>
public sealed record DocumentDifference(string Id, string Kind, string? Field, string? Live, string? Rebuilt);

/// <summary>
/// Replays every event from zero into each projection with Marten's projection rebuild, then compares the rebuilt
/// documents with the live ones taken just before. A difference means the live view had drifted from the ledger
/// (a bug, or an edit behind the gateway's back); the rebuilt one, folded from the events, is what stays.
/// </summary>
public static class ProjectionRebuild
{
    public static async Task<IReadOnlyList<ProjectionComparison>> RebuildAndCompareAsync(IDocumentStore store, string postgres, string? only, CancellationToken ct)
    {
        var options = (StoreOptions)store.Options;
        var projections = options.Projections.All
            .Where(p => only is null || string.Equals(p.Name, only, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (projections.Count == 0) throw new ArgumentException($"No projection named {only}; one of {string.Join(", ", options.Projections.All.Select(p => p.Name))}.");
        using var daemon = await store.BuildProjectionDaemonAsync();
        var results = new List<ProjectionComparison>();
        foreach (var projection in projections)
        {
            var table = store.Options.FindOrResolveDocumentType(projection.PublishedTypes().Single()).TableName.QualifiedName;
            var live = await DocumentsAsync(postgres, table, ct);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await daemon.RebuildProjectionAsync(projection.Name, TimeSpan.FromMinutes(30), ct);
            var took = clock.Elapsed;
            var rebuilt = await DocumentsAsync(postgres, table, ct);
            results.Add(new ProjectionComparison(projection.Name, table, live.Count, rebuilt.Count, took, Compare(live, rebuilt)));
        }
        return results;
    }

    static async Task<Dictionary<string, string>> DocumentsAsync(string postgres, string table, CancellationToken ct)
    {
        await using var pg = new NpgsqlConnection(postgres);
        await pg.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"select id::text, data::text from {table}", pg) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync(ct);
        var documents = new Dictionary<string, string>();
        while (await reader.ReadAsync(ct)) documents[reader.GetString(0)] = reader.GetString(1);
        return documents;
    }

    static List<DocumentDifference> Compare(Dictionary<string, string> live, Dictionary<string, string> rebuilt)
    {
        var differences = new List<DocumentDifference>();
        foreach (var (id, json) in live)
        {
            if (!rebuilt.TryGetValue(id, out var again))
            {
                differences.Add(new DocumentDifference(id, "missing from the rebuild", null, json, null));
                continue;
            }
            if (json == again) continue;
            var (field, before, after) = FirstDifference(JsonNode.Parse(json), JsonNode.Parse(again), "");
            if (field is not null) differences.Add(new DocumentDifference(id, "different", field, before, after));
        }
        foreach (var (id, json) in rebuilt)
            if (!live.ContainsKey(id)) differences.Add(new DocumentDifference(id, "only in the rebuild", null, null, json));
        return differences;
    }

    /// <summary>The path of the first field whose value differs (null when the documents are equal as JSON).</summary>
    static (string? Path, string? Live, string? Rebuilt) FirstDifference(JsonNode? a, JsonNode? b, string path)
    {
        if (JsonNode.DeepEquals(a, b)) return (null, null, null);
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (var name in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)))
            {
                var found = FirstDifference(oa[name], ob[name], $"{path}.{name}");
                if (found.Path is not null) return found;
            }
        }
        return (path.Length == 0 ? "$" : path.TrimStart('.'), a?.ToJsonString(), b?.ToJsonString());
    }
}
