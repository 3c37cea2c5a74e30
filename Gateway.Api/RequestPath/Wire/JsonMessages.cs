namespace Gateway.Api.RequestPath.Wire;

/// <summary>What a <see cref="System.Text.Json.JsonException"/> says, fit to quote to a client.</summary>
public static class JsonMessages
{
    /// <summary>The message without its " Path: …" tail, which names .NET's reader state rather than anything the client sent.</summary>
    public static string WithoutPath(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
