namespace MockProvider;

/// <summary>A request the mock rejects with 400, the way OpenAI validates bodies.</summary>
internal sealed class InvalidRequestException(string message, string? param) : Exception(message)
{
    public string? Param { get; } = param;
}
