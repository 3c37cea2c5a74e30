namespace Gateway.Api.Analytics;

/// <summary>
/// The export keeps provider ids (a rename does not rewrite history); people read names. Each answer grouped by
/// provider gets a <c>provider_name</c> column from the catalog as it is now, in the admin API and the CLI alike.
/// </summary>
public static class ProviderNames
{
    public static Func<string, string?> Of(IEnumerable<(Guid Id, string Name)> providers)
    {
        var byId = providers.ToDictionary(p => p.Id, p => p.Name);
        return id => Guid.TryParse(id, out var guid) && byId.TryGetValue(guid, out var name) ? name : null;
    }
}
