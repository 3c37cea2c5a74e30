namespace Gateway.Analytics;

public static class QueryResultNames
{
    /// <summary>
    /// The result with a <c>{column}_name</c> column (or <paramref name="nameColumn"/>) right after <paramref name="column"/>,
    /// holding the name of each id (null when <paramref name="nameOf"/> does not know it); the ids stay. Unchanged when
    /// there is no such column.
    /// </summary>
    public static QueryResult WithNames(this QueryResult result, string column, Func<string, string?> nameOf, string? nameColumn = null)
    {
        var at = result.Columns.ToList().IndexOf(column);
        if (at < 0) return result;
        var columns = result.Columns.ToList();
        columns.Insert(at + 1, nameColumn ?? column + "_name");
        var rows = result.Rows.Select(row =>
        {
            var named = new object?[row.Length + 1];
            Array.Copy(row, named, at + 1);
            named[at + 1] = row[at] is string id ? nameOf(id) : null;
            Array.Copy(row, at + 1, named, at + 2, row.Length - at - 1);
            return named;
        }).ToList();
        return new QueryResult(columns, rows);
    }
}
