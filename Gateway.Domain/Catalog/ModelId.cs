namespace Gateway.Domain.Catalog;

/// <summary>Rules for public model ids: <c>provider/model</c>, the provider part naming a registered provider.</summary>
public static class ModelId
{
    public static string Compose(string providerName, string modelName) => $"{providerName}/{modelName}";

    public static bool IsWellFormed(string? publicId)
    {
        if (string.IsNullOrWhiteSpace(publicId)) return false;
        var slash = publicId.IndexOf('/');
        return slash > 0 && slash < publicId.Length - 1 && !publicId.Any(char.IsWhiteSpace);
    }
}
