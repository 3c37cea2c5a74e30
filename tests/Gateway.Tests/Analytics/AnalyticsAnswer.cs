using System.Text.Json;

namespace Gateway.Tests.Analytics;

/// <summary>An analytics endpoint's JSON answer (<c>{columns, rows}</c>), read as a client would, and waited for while the export catches up.</summary>
public sealed record AnalyticsAnswer(List<string> Columns, List<JsonElement[]> Rows)
{
    public List<JsonElement> Column(string name) => Rows.Select(r => r[Columns.IndexOf(name)]).ToList();

    public static AnalyticsAnswer Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        return new AnalyticsAnswer(root.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList(),
            root.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().ToArray()).ToList());
    }

    public static async Task<AnalyticsAnswer> ReadAsync(HttpClient client, string url) => Parse(await client.GetStringAsync(url));

    /// <summary>The answer once <paramref name="done"/> holds, or the last one after 20 s (the assertions then say what is missing).</summary>
    public static Task<AnalyticsAnswer> EventuallyAsync(HttpClient client, string url, Func<AnalyticsAnswer, bool> done) =>
        Eventually.ReadAsync(() => ReadAsync(client, url), done);
}
