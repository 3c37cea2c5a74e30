using DuckDB.NET.Data;

namespace Chaos;

/// <summary>
/// <c>duckdb-scan --file F --needles LIST</c>: how many text cells of every table of a DuckDB file contain each needle.
/// Reading through DuckDB itself, because its string compression can hide a value from a byte search of the file.
/// LIST holds one needle a line: <c>label value</c>. Prints <c>label count</c> for each.
/// </summary>
static class DuckDbScan
{
    public static async Task<int> RunAsync(Options o)
    {
        var needles = (await File.ReadAllLinesAsync(o.Required("needles")))
            .Where(l => l.Contains(' ')).Select(l => (Label: l[..l.IndexOf(' ')], Value: l[(l.IndexOf(' ') + 1)..])).ToList();
        await using var connection = new DuckDBConnection($"Data Source={o.Required("file")};ACCESS_MODE=READ_ONLY");
        await connection.OpenAsync();
        var columns = new List<(string Schema, string Table, string Column)>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "select table_schema, table_name, column_name from information_schema.columns where data_type like 'VARCHAR%' or data_type = 'JSON'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        foreach (var (label, value) in needles)
        {
            long found = 0;
            foreach (var (schema, table, column) in columns)
            {
                await using var count = connection.CreateCommand();
                count.CommandText = $"select count(*) from \"{schema}\".\"{table}\" where contains(\"{column}\"::varchar, $needle)";
                count.Parameters.Add(new DuckDBParameter("needle", value));
                found += Convert.ToInt64(await count.ExecuteScalarAsync());
            }
            Console.WriteLine($"{label} {found}");
        }
        return 0;
    }
}
