namespace Gateway.Tests;

/// <summary>The checkout the tests were built from.</summary>
public static class Repository
{
    /// <summary>The folder holding <c>./gateway</c> and Gateway.sln, found above the test binaries.</summary>
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "gateway")) && File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
                return dir.FullName;
        throw new InvalidOperationException("the repository root (with ./gateway) is not above " + AppContext.BaseDirectory);
    }
}
