namespace Gateway.Api.RequestPath.Wire;

/// <summary>A request that cannot be expressed in the other wire format; <see cref="Param"/> names the field.</summary>
public sealed class TranslationException(string message, string? param = null) : Exception(message)
{
    public string? Param { get; } = param;
}
